/**
 * EXPLAIN of every statement of the engine's hot path (one batch commit: the head, then
 * one statement whose CTEs are the per-table writes, each also shown alone) and of its
 * start-up reads, against the bench database as the last run left it (e.g. after
 * `--preload 5000000`). Plans only (no ANALYZE: nothing is written).
 *
 *   npm run build && node dist/bench/explain.js [--database-url URL]
 */
import { Client } from 'pg'
import { openDatabase } from '../src/db/database'
import { createLogger } from '../src/log/logger'
import { BATCH_SQL, SQL } from '../src/store/pg-journal-store'

/** One row as the journal sends it: one array per column. */
const one = (...row: unknown[]): unknown[][] => row.map((v) => [v])

/** Each hot-path statement with one row of plausible parameters. */
const STATEMENTS: ReadonlyArray<readonly [string, string, unknown[]]> = [
  ['head (audit lock, chain end, last batch)', SQL.head, []],
  ['orders upsert', SQL.orders, one('O1', 'c1', 'C1', null, 'A', 'S', null, '1', '2', '0', null, '1', '1', null, null, null, 'New', '0', '0', '1', '0', 'b1', null, null, null, null, null, null, null, null, null, 1)],
  ['client_order_ids insert', SQL.clOrdIds, one('c1', 'C1', 'O1', 'new')],
  ['broker_routes upsert', SQL.routes, one('b1', 'FGW1', 'O1', 'new', 'sent', null)],
  ['executions insert', SQL.executions, one('1', 'b1', 'X1', 'O1', 'A', 'S', '1', null, 'F', '1', '1', null, 'E1', 'active')],
  ['executions status', SQL.executionStatus, one('1', 'busted')],
  ['positions upsert', SQL.positions, one('A', 'S', '1', '1', '1', '0', '0', '2026-12-02', '0')],
  ['audit_log insert', SQL.audit, one('1', new Date().toISOString(), 'oms', 'transition', 'O1', null, null, '{}', null, null, 'h')],
  ['fix_messages insert', SQL.messages, one('k', 1, '8', new Date().toISOString(), 'raw')],
  ['fix_sessions numbers', SQL.sessions, one('k', 2, 2)],
  ['engine_state', SQL.engineState, ['1', '1', '1', '1', '1']]
]

/** The batch as it is sent: the statements above as the CTEs of one statement, with the same rows. */
const BATCH: readonly [string, string, unknown[]] = ['the batch statement (all of the above in one)', BATCH_SQL, STATEMENTS.slice(1).flatMap(([, , v]) => v)]

/** Start-up reads (PgJournalStore.load). */
const STARTUP: ReadonlyArray<readonly [string, string]> = [
  ['open orders', "SELECT * FROM orders WHERE state IN ('Held','PendingNew','New','PartiallyFilled','PendingCancel','PendingReplace','DoneForDay')"],
  ['ClOrdIDs (dedupe filter)', 'SELECT client_session, cl_ord_id, order_id FROM client_order_ids'],
  ['last fill per symbol', "SELECT s.symbol, e.id, e.last_px FROM (SELECT DISTINCT symbol FROM positions) s CROSS JOIN LATERAL (SELECT id, last_px FROM executions x WHERE x.symbol = s.symbol AND x.status = 'active' AND x.exec_type IN ('F', 'G') AND x.last_px IS NOT NULL ORDER BY x.id DESC LIMIT 1) e"],
  ['recent ExecIDs', 'SELECT broker_session, exec_id FROM (SELECT broker_session, exec_id FROM executions ORDER BY id DESC LIMIT 1000000) recent']
]

async function main (): Promise<void> {
  const i = process.argv.indexOf('--database-url')
  const logger = createLogger({ level: 'warn', pretty: false })
  const db = await openDatabase({ databaseUrl: i > 0 ? process.argv[i + 1] : undefined, dataDir: '.data/bench-pg', dbName: 'fixgw_bench', logger })
  const c = new Client({ connectionString: db.url })
  await c.connect()
  try {
    const counts = (await c.query('SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM executions) AS executions, (SELECT count(*) FROM audit_log) AS audit')).rows[0]
    console.log(`# rows: ${JSON.stringify(counts)}\n`)
    for (const [name, text, values] of [...STATEMENTS, BATCH]) {
      await c.query('BEGIN')
      const plan = await c.query({ text: `EXPLAIN ${text}`, values })
      await c.query('ROLLBACK')
      console.log(`## ${name}\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`)
    }
    for (const [name, text] of STARTUP) {
      const plan = await c.query(`EXPLAIN ${text}`)
      console.log(`## start-up: ${name}\n${plan.rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n')}\n`)
    }
  } finally {
    await c.end()
    await db.close()
  }
}

main().catch((e) => { console.error(e); process.exitCode = 1 })
