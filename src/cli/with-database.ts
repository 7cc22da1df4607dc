/**
 * How every database command opens the database: `--database-url`, else $DATABASE_URL,
 * else the embedded server (left running if a gateway uses it); migrate; run; close.
 * Logs go to stderr, at warn unless --log-level asks for more, so stdout carries only
 * the command's output.
 */
import type { Command } from 'commander'
import type { Knex } from 'knex'
import { createLogger } from '../log/logger'
import { openDatabase } from '../db/database'
import { createKnex, migrateLatest } from '../db/knex'

export interface DatabaseOpts { databaseUrl?: string, dataDir: string }

export async function withMigratedDatabase<T> (program: Command, opts: DatabaseOpts, fn: (db: Knex) => Promise<T>): Promise<T> {
  const level = program.opts().logLevel === 'info' ? 'warn' : program.opts().logLevel
  const logger = createLogger({ level, name: 'fixgw', destination: process.stderr })
  const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger })
  const db = createKnex(database.url, 2)
  try {
    await migrateLatest(db)
    return await fn(db)
  } finally {
    await db.destroy()
    await database.close()
  }
}
