/**
 * test/support/test-db: fresh databases per call on one shared server.
 */
import { expect } from 'chai'
import { Client } from 'pg'
import { createTestDatabase } from '../../support/test-db'

async function scalar (url: string, sql: string): Promise<unknown> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  await client.connect()
  try {
    const [row] = (await client.query<Record<string, unknown>>(sql)).rows
    return row === undefined ? undefined : Object.values(row)[0]
  } finally {
    await client.end().catch(() => {})
  }
}

describe('test/support/test-db', function () {
  this.timeout(60_000)

  it('creates distinct, empty, usable databases and drops them (idempotently)', async () => {
    const [a, b] = await Promise.all([createTestDatabase(), createTestDatabase()])
    try {
      expect(a.name).to.not.equal(b.name)
      expect(await scalar(a.url, 'SELECT current_database()')).to.equal(a.name)
      expect(await scalar(b.url, "SELECT count(*)::int FROM pg_tables WHERE schemaname = 'public'")).to.equal(0)
      await scalar(a.url, 'CREATE TABLE only_in_a (id int)')
      expect(await scalar(b.url, "SELECT to_regclass('only_in_a') IS NULL")).to.equal(true)
    } finally {
      await a.drop()
      await b.drop()
    }
    await a.drop()
    expect(await scalar(b.url.replace(/\/[^/?]+(\?|$)/, '/postgres$1'), `SELECT count(*)::int FROM pg_database WHERE datname IN ('${a.name}', '${b.name}')`)).to.equal(0)
  })

  it('drop() cuts connections a test left open', async () => {
    const db = await createTestDatabase()
    const leaked = new Client({ connectionString: db.url })
    leaked.on('error', () => {}) // terminated by DROP ... WITH (FORCE)
    await leaked.connect()
    await db.drop()
    await leaked.end().catch(() => {})
  })
})
