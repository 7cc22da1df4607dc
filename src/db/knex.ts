/**
 * The knex instance and migrations. Migrations live in migrations/ (TypeScript),
 * compiled next to this file's tree in dist/migrations.
 */
import * as path from 'node:path'
import knexFactory, { type Knex } from 'knex'
import { types } from 'pg'

// numeric → string (pg's default, kept explicit): values go into decimal.js, never into
// a JS number. int8 (bigserial ids, counts) → string as well.
types.setTypeParser(types.builtins.NUMERIC, (v: string) => v)

export const MIGRATIONS_DIR = path.resolve(__dirname, '..', '..', 'migrations')

export function createKnex (url: string, poolMax = 10): Knex {
  return knexFactory({
    client: 'pg',
    connection: url,
    pool: { min: 0, max: poolMax },
    migrations: { directory: MIGRATIONS_DIR, loadExtensions: ['.js'], tableName: 'knex_migrations' }
  })
}

/** Apply every pending migration; returns the names applied. */
export async function migrateLatest (db: Knex): Promise<string[]> {
  const [, applied] = await db.migrate.latest() as [number, string[]]
  return applied
}
