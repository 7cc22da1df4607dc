/**
 * Databases for integration tests: every createTestDatabase() call makes a fresh, uniquely
 * named database and returns its URL.
 *
 * Server: $DATABASE_URL when set (its database is only used for admin SQL), else ONE embedded
 * server shared by the whole mocha run: data folder .data/test-pg (override:
 * $FIXGW_TEST_PG_DIR), started lazily on first use, stopped by the root hook in
 * test/support/hooks.ts (.mocharc `require`). A run that dies leaves the server running;
 * the next run adopts it (see EmbeddedPostgres) and drops databases of dead runs.
 */
import * as path from 'node:path'
import { randomBytes } from 'node:crypto'
import { Client } from 'pg'
import { EmbeddedPostgres, type EmbeddedPostgresOptions, type PgLogger } from '../../src/db/embedded-postgres'

export interface TestDatabase {
  url: string
  name: string
  /** DROP DATABASE ... WITH (FORCE): open pools are cut. Idempotent. */
  drop (): Promise<void>
}

interface SharedServer {
  /** URL used for CREATE/DROP DATABASE */
  adminUrl: string
  /** undefined when DATABASE_URL is used */
  server?: EmbeddedPostgres
}

const NAME_PREFIX = 'fixgw_test_'
let shared: Promise<SharedServer> | undefined
let counter = 0

/** Warnings and errors to stderr; the rest is noise in test output. */
export const testLogger: PgLogger = {
  info () {},
  debug () {},
  warn (objOrMsg: unknown, msg?: string) { console.error(`[test-pg] WARN ${format(objOrMsg, msg)}`) },
  error (objOrMsg: unknown, msg?: string) { console.error(`[test-pg] ERROR ${format(objOrMsg, msg)}`) }
}

function format (objOrMsg: unknown, msg?: string): string {
  if (typeof objOrMsg === 'string') return objOrMsg
  const fields = objOrMsg instanceof Error ? objOrMsg.message : JSON.stringify(objOrMsg)
  return msg === undefined ? fields : `${msg} ${fields}`
}

/**
 * Options every test-owned EmbeddedPostgres should use. On CI (throwaway machine, checkout
 * possibly under /root) we let the launcher add o+x to folders the postgres user must cross.
 */
export function embeddedTestOptions (): Pick<EmbeddedPostgresOptions, 'logger' | 'fixPermissions'> {
  const ci = process.env.CI
  return { logger: testLogger, fixPermissions: ci !== undefined && ci !== '' && ci !== 'false' && ci !== '0' }
}

export async function createTestDatabase (): Promise<TestDatabase> {
  const { adminUrl } = await sharedServer()
  const name = `${NAME_PREFIX}${process.pid}_${++counter}_${randomBytes(3).toString('hex')}`
  await withClient(adminUrl, async (c) => { await c.query(`CREATE DATABASE ${name}`) })
  let dropped = false
  return {
    url: withDatabase(adminUrl, name),
    name,
    drop: async () => {
      if (dropped) return
      dropped = true
      await withClient(adminUrl, async (c) => { await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) })
    }
  }
}

/** Stops the shared embedded server (root hook afterAll). No-op with DATABASE_URL or when never started. */
export async function stopSharedTestServer (): Promise<void> {
  const pending = shared
  shared = undefined
  if (pending === undefined) return
  const s = await pending.catch(() => undefined)
  await s?.server?.stop()
}

function sharedServer (): Promise<SharedServer> {
  shared ??= startSharedServer()
  return shared
}

async function startSharedServer (): Promise<SharedServer> {
  const external = process.env.DATABASE_URL
  if (external !== undefined && external.trim() !== '') return { adminUrl: external.trim() }
  const dataDir = process.env.FIXGW_TEST_PG_DIR ?? path.resolve('.data', 'test-pg')
  const server = new EmbeddedPostgres({ dataDir, ...embeddedTestOptions() })
  const { url } = await server.start()
  await dropDatabasesOfDeadRuns(url)
  return { adminUrl: url, server }
}

/** Embedded server only (it is ours): remove test databases whose creating process is gone. */
async function dropDatabasesOfDeadRuns (adminUrl: string): Promise<void> {
  await withClient(adminUrl, async (c) => {
    const { rows } = await c.query<{ datname: string }>("SELECT datname FROM pg_database WHERE datname LIKE 'fixgw\\_test\\_%'")
    for (const { datname } of rows) {
      const pid = Number(datname.slice(NAME_PREFIX.length).split('_')[0])
      if (pid === process.pid || isAlive(pid)) continue
      await c.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`)
    }
  })
}

function isAlive (pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

function withDatabase (url: string, database: string): string {
  const u = new URL(url)
  u.pathname = `/${database}`
  return u.toString()
}

async function withClient (url: string, fn: (c: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {}) // a dropped idle connection must not become an uncaught 'error' event
  await client.connect()
  try {
    await fn(client)
  } finally {
    await client.end().catch(() => {})
  }
}
