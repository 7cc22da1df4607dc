/**
 * The benchmark's database: a dedicated database (default `fixgw_bench`) on the
 * embedded server (its own data folder, default `.data/bench-pg`) or on the server of
 * --database-url / $DATABASE_URL. Dropped and created again at every run unless
 * --keep-db, so runs start from the same state; migrated and optionally preloaded with
 * historic orders before the gateway starts.
 */
import * as path from 'node:path'
import { Client } from 'pg'
import { EmbeddedPostgres, type PgLogger } from '../../src/db/embedded-postgres'
import { createKnex, migrateLatest } from '../../src/db/knex'
import { postmasterPid } from './proc-stats'

export interface BenchDatabase {
  /** URL of the bench database, for the gateway */
  readonly url: string
  readonly embedded: boolean
  /** data folder of the server when known (embedded, or SHOW data_directory on a local server) */
  dataDir: string | null
  /** a connection to the bench database for settings, statistics and the preload */
  readonly client: Client
  close: () => Promise<void>
}

export interface DatabaseOptions {
  readonly databaseUrl?: string
  readonly dataDir: string
  readonly dbName: string
  readonly keepDb: boolean
  /** extra settings for the embedded server */
  readonly settings: Readonly<Record<string, string>>
  readonly logger: PgLogger
}

const quoteIdent = (name: string): string => `"${name.replace(/"/g, '""')}"`

function withDatabase (url: string, db: string): string {
  const u = new URL(url)
  u.pathname = `/${encodeURIComponent(db)}`
  return u.toString()
}

async function connect (url: string): Promise<Client> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
  c.on('error', () => undefined) // a lost connection surfaces in the next query
  await c.connect()
  return c
}

async function recreate (adminUrl: string, dbName: string, keep: boolean): Promise<void> {
  const admin = await connect(adminUrl)
  try {
    if (!keep) await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(dbName)} WITH (FORCE)`)
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName])
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE ${quoteIdent(dbName)}`)
  } finally {
    await admin.end().catch(() => undefined)
  }
}

export async function openBenchDatabase (o: DatabaseOptions): Promise<BenchDatabase> {
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(o.dbName)) throw new Error(`--db-name ${o.dbName}: must match [A-Za-z_][A-Za-z0-9_]{0,62}`)
  const external = o.databaseUrl ?? (process.env.DATABASE_URL?.trim() !== '' ? process.env.DATABASE_URL?.trim() : undefined)
  if (external != null) {
    // The URL names the server (and a database to connect to for DROP/CREATE); the
    // benchmark always uses its own database there, never the URL's.
    const u = new URL(external)
    const adminDb = decodeURIComponent(u.pathname.slice(1)) || 'postgres'
    await recreate(withDatabase(external, adminDb === o.dbName ? 'postgres' : adminDb), o.dbName, o.keepDb)
    const url = withDatabase(external, o.dbName)
    const client = await connect(url)
    let dataDir: string | null = null
    try { dataDir = String((await client.query('SHOW data_directory')).rows[0].data_directory) } catch { /* not a superuser */ }
    return { url, embedded: false, dataDir, client, close: async () => { await client.end().catch(() => undefined) } }
  }
  const server = new EmbeddedPostgres({ dataDir: o.dataDir, logger: o.logger, settings: o.settings })
  let started = await server.start()
  // A server left running by an interrupted run is adopted as it is: restart it when it
  // lacks a library asked for (pg_stat_statements must be loaded at start).
  const wanted = o.settings.shared_preload_libraries
  if (started.adopted && wanted != null) {
    const c = await connect(started.url)
    const loaded = String((await c.query('SHOW shared_preload_libraries')).rows[0].shared_preload_libraries)
    await c.end().catch(() => undefined)
    if (!loaded.includes(wanted)) {
      await server.stop()
      started = await server.start()
    }
  }
  try {
    await recreate(started.url, o.dbName, o.keepDb)
    const url = withDatabase(started.url, o.dbName)
    const client = await connect(url)
    return {
      url,
      embedded: true,
      dataDir: path.resolve(o.dataDir),
      client,
      close: async () => {
        await client.end().catch(() => undefined)
        await server.stop()
      }
    }
  } catch (e) {
    await server.stop().catch(() => undefined)
    throw e
  }
}

export async function migrate (url: string): Promise<string[]> {
  const db = createKnex(url, 1)
  try {
    return await migrateLatest(db)
  } finally {
    await db.destroy()
  }
}

/** The postmaster of the bench database's server, when it runs on this machine and we can see it. */
export function serverPid (db: BenchDatabase): number | null {
  return db.dataDir == null ? null : postmasterPid(db.dataDir)
}

export interface ServerInfo {
  readonly version: string
  readonly fsync: string
  readonly synchronousCommit: string
  readonly walSyncMethod: string
  readonly sharedBuffers: string
  readonly maxWalSize: string
  readonly checkpointTimeout: string
  readonly pgStatStatements: 'enabled' | 'not requested' | string
}

async function show (c: Client, name: string): Promise<string> {
  try {
    const r = await c.query(`SHOW ${name}`)
    return String(Object.values(r.rows[0])[0])
  } catch (e) {
    return `unknown (${(e as Error).message})`
  }
}

export async function serverInfo (c: Client, pgStatStatements: string): Promise<ServerInfo> {
  return {
    version: await show(c, 'server_version'),
    fsync: await show(c, 'fsync'),
    synchronousCommit: await show(c, 'synchronous_commit'),
    walSyncMethod: await show(c, 'wal_sync_method'),
    sharedBuffers: await show(c, 'shared_buffers'),
    maxWalSize: await show(c, 'max_wal_size'),
    checkpointTimeout: await show(c, 'checkpoint_timeout'),
    pgStatStatements
  }
}

/**
 * Make pg_stat_statements usable in the bench database, or say why not: the extension
 * must be available (the embedded build ships it) and preloaded at server start.
 */
export async function enablePgStatStatements (c: Client): Promise<string> {
  const avail = await c.query("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_stat_statements'")
  if (avail.rowCount === 0) return 'unavailable: extension not installed on the server'
  try {
    await c.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements')
    await c.query('SELECT pg_stat_statements_reset()')
    return 'enabled'
  } catch (e) {
    return `unavailable: ${(e as Error).message}`
  }
}

export interface StatementStat { readonly query: string, readonly calls: number, readonly totalMs: number, readonly meanMs: number, readonly rows: number }

export async function topStatements (c: Client, limit = 15): Promise<StatementStat[]> {
  const r = await c.query(`SELECT query, calls, total_exec_time, mean_exec_time, rows FROM pg_stat_statements
    WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) ORDER BY total_exec_time DESC LIMIT $1`, [limit])
  return r.rows.map((x: { query: string, calls: string, total_exec_time: number, mean_exec_time: number, rows: string }) => ({
    query: x.query.replace(/\s+/g, ' ').slice(0, 240),
    calls: Number(x.calls),
    totalMs: Math.round(x.total_exec_time * 10) / 10,
    meanMs: Math.round(x.mean_exec_time * 1000) / 1000,
    rows: Number(x.rows)
  }))
}

/** Counters read before and after the measured window (approximate: backends report them about once a second). */
export interface DbCounters {
  readonly xactCommit: number
  readonly walRecords: number | null
  readonly walBytes: number | null
  readonly walSync: number | null
}

export async function dbCounters (c: Client): Promise<DbCounters | null> {
  try {
    const d = await c.query('SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()')
    let wal: Record<string, unknown> = {}
    try { wal = (await c.query('SELECT * FROM pg_stat_wal')).rows[0] ?? {} } catch { /* before PG 14 */ }
    const num = (v: unknown): number | null => (v == null ? null : Number(v))
    return { xactCommit: Number(d.rows[0].xact_commit), walRecords: num(wal.wal_records), walBytes: num(wal.wal_bytes), walSync: num(wal.wal_sync) }
  } catch {
    return null
  }
}

export interface PreloadPlan {
  readonly orders: number
  /** client session names the historic orders are spread over (those of the live run) */
  readonly clientSessions: readonly string[]
  /** account of each client session, same order */
  readonly accounts: readonly string[]
  readonly brokerSession: string
  readonly symbols: number
}

/**
 * Fill the tables with `orders` historic orders, all Filled, as the current OMS leaves
 * them: an orders row, its client_order_ids row, its broker_routes row (accepted) and two
 * executions (the broker's ack and fill). Every identifier starts with `PRE-`, which live
 * orders never use (ClOrdIDs of a run start with `R`, our OrderIDs with `O`), so they can
 * never collide. Inserted in ascending key order in chunks, with foreign key triggers
 * off when we are allowed to (superuser): the rows are consistent by construction.
 * Then VACUUM ANALYZE (a long-lived table is vacuumed and analysed) and a CHECKPOINT, so
 * neither lands in the measured window. audit_log and fix_messages are left empty.
 */
export async function preload (c: Client, plan: PreloadPlan, progress: (done: number) => void): Promise<{ seconds: number, triggersOff: boolean }> {
  const t0 = Date.now()
  const n = plan.orders
  let triggersOff = false
  try {
    await c.query('SET session_replication_role = replica')
    triggersOff = true
  } catch { /* not a superuser: keep the FK checks, only slower */ }
  const CHUNK = 250_000
  const k = plan.clientSessions.length
  const pad = "lpad(i::text, 10, '0')"
  // historic: one order a millisecond, ending one second ago
  const at = `now() - interval '1 second' - (($2::int - i) * interval '1 millisecond')`
  for (let from = 1; from <= n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK - 1)
    const range = [from, n, to]
    await c.query('BEGIN')
    await c.query(`INSERT INTO orders (order_id, client_session, cl_ord_id, orig_cl_ord_id, account, symbol, side, ord_type,
        order_qty, price, state, ord_status, cum_qty, leaves_qty, avg_px, broker_session, broker_order_id, broker_cl_ord_id,
        version, created_at, updated_at)
      SELECT 'PRE-O' || ${pad}, ($4::text[])[1 + i % $6], 'PRE-' || ${pad}, 'PRE-' || ${pad}, ($5::text[])[1 + i % $6],
        'SYM' || (i % $7), CASE WHEN i % 2 = 0 THEN '1' ELSE '2' END, '2',
        100, 10.25, 'Filled', '2', 100, 0, 10.25, $8, 'PRE-BO' || ${pad}, 'PRE-B' || ${pad},
        3, ${at}, ${at}
      FROM generate_series($1::int, $3::int) i`, [...range, plan.clientSessions, plan.accounts, k, plan.symbols, plan.brokerSession])
    await c.query(`INSERT INTO client_order_ids (client_session, cl_ord_id, order_id, kind, created_at)
      SELECT ($4::text[])[1 + i % $5], 'PRE-' || ${pad}, 'PRE-O' || ${pad}, 'new', ${at}
      FROM generate_series($1::int, $3::int) i`, [...range, plan.clientSessions, k])
    await c.query(`INSERT INTO broker_routes (broker_session, broker_cl_ord_id, order_id, kind, status, broker_order_id, created_at)
      SELECT $4, 'PRE-B' || ${pad}, 'PRE-O' || ${pad}, 'new', 'accepted', 'PRE-BO' || ${pad}, ${at}
      FROM generate_series($1::int, $3::int) i`, [...range, plan.brokerSession])
    await c.query(`INSERT INTO executions (broker_session, exec_id, order_id, exec_type, last_qty, last_px, client_exec_id,
        transact_time, created_at, status, account, symbol, side)
      SELECT $7, 'PRE-X' || ${pad} || x.suffix, 'PRE-O' || ${pad}, x.exec_type, x.qty, x.px, 'PRE-E' || ${pad} || x.suffix,
        ${at}, ${at}, 'active', ($4::text[])[1 + i % $5], 'SYM' || (i % $6), CASE WHEN i % 2 = 0 THEN '1' ELSE '2' END
      FROM generate_series($1::int, $3::int) i
      CROSS JOIN (VALUES ('-0', '0', NULL::numeric, NULL::numeric), ('-F', 'F', 100, 10.25)) AS x(suffix, exec_type, qty, px)
      ORDER BY i, x.suffix`, [...range, plan.accounts, k, plan.symbols, plan.brokerSession])
    await c.query('COMMIT')
    progress(to)
  }
  if (triggersOff) await c.query('SET session_replication_role = DEFAULT')
  // as the engine leaves it: its next execution row id after the rows there
  await c.query('UPDATE engine_state SET next_execution_id = (SELECT coalesce(max(id), 0) + 1 FROM executions) WHERE id = 1')
  for (const t of ['orders', 'client_order_ids', 'broker_routes', 'executions']) await c.query(`VACUUM (ANALYZE) ${t}`)
  await c.query('CHECKPOINT').catch(() => undefined) // needs superuser or pg_checkpoint
  return { seconds: (Date.now() - t0) / 1000, triggersOff }
}
