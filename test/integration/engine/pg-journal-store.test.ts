/**
 * The engine's journal store on real PostgreSQL (src/store/pg-journal-store.ts): a batch
 * is written in ONE transaction (all of it or none of it), the audit chain is extended
 * in-process and verifies, session numbers never move back, a batch id that is not
 * after the last committed one is refused, and load() gives back what the engine needs
 * to start: open orders with their ClOrdIDs and routes, every other ClOrdID for the
 * dedupe filter, positions, counters, the last batch id.
 */
import { expect } from 'chai'
import type { Knex } from 'knex'
import pino from 'pino'
import { Client } from 'pg'
import { createKnex, migrateLatest } from '../../../src/db/knex'
import { Decimal, ZERO } from '../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../src/domain/ids'
import type { Order } from '../../../src/domain/order'
import { Journal, type Batch, type Counters } from '../../../src/oms/engine/journal'
import { auditHash } from '../../../src/store/audit-chain'
import { clOrdKey, execKey } from '../../../src/oms/engine/state'
import { PgJournalStore } from '../../../src/store/pg-journal-store'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

const d = (s: string): Decimal => new Decimal(s)

function order (id: string, over: Partial<Order> = {}): Order {
  return {
    orderId: asOrderId(id), clientSession: 'FIX.4.4:GW->CLIENT', clOrdId: asClOrdId(`C-${id}`), origClOrdId: null,
    account: 'ACC1', symbol: 'AAPL', securityType: 'CS', side: '1', ordType: '2', timeInForce: '0', expireTime: null,
    orderQty: d('100.5'), price: d('187.123456789'), stopPx: null, handlInst: '1', exDestination: null,
    state: 'New', cumQty: ZERO, leavesQty: d('100.5'), avgPx: ZERO,
    brokerSession: 'FIX.4.4:GW->BROKER', brokerOrderId: null, brokerClOrdId: 'FGW1', pending: null, version: 1,
    ...over
  }
}

const CLIENT = 'FIX.4.4:GW->CLIENT'
const BROKER = 'FIX.4.4:GW->BROKER'

function counters (n: bigint): Counters {
  return { nextOrderId: n, nextBrokerClOrdId: n, nextClientExecId: n, nextExecutionId: n }
}

/** A batch that books order `id` (New, routed) with its ER to the client and NOS to the broker. */
function bookBatch (batchId: bigint, id: string, clientSeq: number, brokerSeq: number, inboundNext: number): Batch {
  const j = new Journal()
  const o = order(id)
  j.orders.set(id, o)
  j.clOrdIds.push({ session: CLIENT, clOrdId: o.clOrdId, orderId: id, kind: 'new' })
  j.routes.set(`r-${id}`, { broker: BROKER, brokerClOrdId: `FGW-${id}`, orderId: id, kind: 'new', status: 'sent', brokerOrderId: null })
  j.audit.push({ actor: 'oms', kind: 'order_new', orderId: id, toState: 'New', detail: { qty: '100.5', nested: { b: 1, a: [1, 'x'] } }, at: new Date() })
  j.audit.push({ actor: 'oms', kind: 'er_out', orderId: id, detail: { execType: '0' }, at: new Date() })
  j.messages.push({ sessionKey: CLIENT, seqNum: clientSeq, msgType: '8', raw: `8=FIX.4.4\u00019=5\u000135=8\u000111=C-${id}\u0001`, sentAt: new Date() })
  j.messages.push({ sessionKey: BROKER, seqNum: brokerSeq, msgType: 'D', raw: `8=FIX.4.4\u00019=5\u000135=D\u000111=FGW-${id}\u0001`, sentAt: new Date() })
  j.inbound.set(CLIENT, inboundNext)
  return { id: batchId, journal: j, counters: counters(batchId + 100n) }
}

describe('engine journal store on PostgreSQL', () => {
  let tdb: TestDatabase
  let db: Knex
  let store: PgJournalStore
  before(async () => {
    tdb = await createTestDatabase()
    db = createKnex(tdb.url)
    await migrateLatest(db)
    await db('fix_sessions').insert([{ session_id: CLIENT, next_sender_seq_num: 1, next_target_seq_num: 1 }, { session_id: BROKER, next_sender_seq_num: 1, next_target_seq_num: 1 }])
    store = new PgJournalStore({ url: tdb.url, logger: pino({ level: 'silent' }) })
  })
  after(async () => { await store?.close(); await db?.destroy(); await tdb?.drop() })

  const count = async (table: string): Promise<number> => Number((await db(table).count<Array<{ n: string }>>({ n: '*' }))[0].n)

  it('writes a whole batch: order, ClOrdID, route, audit, outbound messages, session numbers, counters, batch id', async () => {
    await store.commit(bookBatch(1n, 'O1', 1, 1, 2))
    const row = await db('orders').where({ order_id: 'O1' }).first()
    expect(row.state).to.equal('New')
    expect(row.ord_status).to.equal('0')
    expect(row.order_qty).to.equal('100.5')
    expect(row.price).to.equal('187.123456789') // numeric, exact
    expect(await db('client_order_ids').where({ cl_ord_id: 'C-O1' }).pluck('order_id')).to.deep.equal(['O1'])
    expect(await db('broker_routes').where({ broker_cl_ord_id: 'FGW-O1' }).pluck('status')).to.deep.equal(['sent'])
    expect(await db('fix_messages').orderBy('session_id').select('session_id', 'seq_num', 'msg_type')).to.deep.equal([
      { session_id: BROKER, seq_num: 1, msg_type: 'D' }, { session_id: CLIENT, seq_num: 1, msg_type: '8' }
    ])
    const sessions = await db('fix_sessions').orderBy('session_id').select('session_id', 'next_sender_seq_num', 'next_target_seq_num')
    expect(sessions).to.deep.equal([
      { session_id: BROKER, next_sender_seq_num: 2, next_target_seq_num: 1 },
      { session_id: CLIENT, next_sender_seq_num: 2, next_target_seq_num: 2 }
    ])
    const st = await db('engine_state').first()
    expect(st.last_batch_id).to.equal('1')
    expect(st.next_order_id).to.equal('101')
    expect(await store.lastBatchId()).to.equal(1n)
  })

  it('updates an order in place with its latest version and never moves a session number back', async () => {
    const j = new Journal()
    j.orders.set('O1', order('O1', { state: 'Filled', cumQty: d('100.5'), leavesQty: ZERO, avgPx: d('187.1'), version: 3 }))
    j.inbound.set(CLIENT, 1) // a lower number than committed: ignored
    j.messages.push({ sessionKey: CLIENT, seqNum: 2, msgType: '8', raw: 'x', sentAt: new Date() })
    await store.commit({ id: 2n, journal: j, counters: counters(102n) })
    const row = await db('orders').where({ order_id: 'O1' }).first()
    expect([row.state, row.ord_status, row.cum_qty, row.leaves_qty, row.version]).to.deep.equal(['Filled', '2', '100.5', '0', 3])
    expect(await count('orders')).to.equal(1)
    const s = await db('fix_sessions').where({ session_id: CLIENT }).first()
    expect([s.next_sender_seq_num, s.next_target_seq_num]).to.deep.equal([3, 2])
  })

  it('refuses a batch whose id is not after the last committed one (a second writer), writing nothing', async () => {
    const before = await count('fix_messages')
    const e = await store.commit(bookBatch(2n, 'O-DUP', 9, 9, 10)).then(() => null, (x: Error) => x)
    expect(e?.message).to.match(/not after the last committed batch 2/)
    expect(await count('fix_messages')).to.equal(before)
    expect(await db('orders').where({ order_id: 'O-DUP' }).first()).to.equal(undefined)
  })

  it('a batch that fails half way leaves nothing: no order, no message, no inbound progress, no audit row', async () => {
    const auditBefore = await count('audit_log')
    const b = bookBatch(3n, 'O2', 3, 2, 7)
    // the same ClOrdID as O1 in the same session: the unique constraint fails after the orders were written
    b.journal.clOrdIds.push({ session: CLIENT, clOrdId: 'C-O1', orderId: 'O2', kind: 'new' })
    const e = await store.commit(b).then(() => null, (x: Error) => x)
    expect(e).to.not.equal(null)
    expect(await db('orders').where({ order_id: 'O2' }).first()).to.equal(undefined)
    expect(await db('fix_messages').where({ session_id: CLIENT, seq_num: 3 }).first()).to.equal(undefined)
    expect((await db('fix_sessions').where({ session_id: CLIENT }).first()).next_target_seq_num).to.equal(2)
    expect(await count('audit_log')).to.equal(auditBefore)
    expect(await store.lastBatchId()).to.equal(2n)
    // the same batch without the bad row then commits (the connection is usable again)
    await store.commit(bookBatch(3n, 'O2', 3, 2, 7))
    expect((await db('fix_sessions').where({ session_id: CLIENT }).first()).next_target_seq_num).to.equal(7)
  })

  it('extends one hash chain over every batch: gap-free ids, each hash over its row and the previous hash', async () => {
    const rows = await db('audit_log').orderBy('id').select('*')
    expect(rows.length).to.equal(4)
    let prev: string | null = null
    rows.forEach((r, i) => {
      expect(r.id).to.equal(String(i + 1))
      expect(r.prev_hash).to.equal(prev)
      expect(r.hash_version).to.equal(2)
      const detail = r.detail == null ? null : JSON.stringify(sortKeys(r.detail))
      expect(r.hash).to.equal(auditHash(prev, { id: r.id, at: r.at, actor: r.actor, kind: r.kind, orderId: r.order_id, fromState: r.from_state, toState: r.to_state, detail, fixMessage: r.fix_message }))
      prev = r.hash
    })
    // and the table stays append-only
    const e = await db('audit_log').where({ id: '1' }).update({ actor: 'mallory' }).then(() => null, (x: Error) => x)
    expect(e?.message).to.match(/append-only|not allowed|cannot/i)
  })

  it('load() gives the engine its open orders, ClOrdIDs, routes, counters and batch id; finished orders only as dedupe keys', async () => {
    const snap = await store.load()
    expect(snap.lastBatchId).to.equal(3n)
    expect(snap.counters.nextOrderId).to.equal(103n)
    expect(snap.orders.map((o) => o.orderId)).to.deep.equal(['O2']) // O1 is Filled
    const o2 = snap.orders[0]
    expect(o2.orderQty.toFixed()).to.equal('100.5')
    expect(o2.price?.toFixed()).to.equal('187.123456789')
    expect(snap.clOrdIds).to.deep.equal([{ session: CLIENT, clOrdId: 'C-O2', orderId: 'O2' }])
    // the finished order's ClOrdID only in the dedupe filter
    expect(snap.clOrdFilter.size).to.equal(1)
    expect(snap.clOrdFilter.mayHave(clOrdKey(CLIENT, 'C-O1'))).to.equal(true)
    expect(snap.clOrdFilter.mayHave(clOrdKey(CLIENT, 'C-O2'))).to.equal(false)
    expect(snap.routes.map((r) => [r.brokerClOrdId, r.orderId, r.status])).to.deep.equal([['FGW-O2', 'O2', 'sent']])
    expect(await store.orderIdOfClOrdId(CLIENT, 'C-O1')).to.equal('O1')
    expect(await store.orderIdOfRoute(BROKER, 'FGW-O1')).to.equal('O1')
    const back = await store.loadOrder('O1')
    expect(back?.order.state).to.equal('Filled')
    expect(back?.clOrdIds).to.deep.equal([{ session: CLIENT, clOrdId: 'C-O1' }])
  })

  it('load() starts execution row ids after the highest row there, whatever engine_state says', async () => {
    const st = await db('engine_state').first()
    await db.raw(`INSERT INTO executions (id, broker_session, exec_id, order_id, exec_type, client_exec_id, status, account, symbol, side)
      VALUES (${Number(st.next_execution_id) + 500}, ?, 'BULK-1', 'O1', '0', 'BULK-E1', 'active', 'ACC1', 'AAPL', '1')`, [BROKER])
    const snap = await store.load()
    expect(snap.counters.nextExecutionId).to.equal(BigInt(st.next_execution_id) + 501n)
    await db('executions').where({ exec_id: 'BULK-1' }).delete()
  })

  it('writes executions and positions as exact decimals, and a repeated broker ExecID only once', async () => {
    const j = new Journal()
    const fill = { id: '1', brokerSession: BROKER, execId: 'BX-1', orderId: 'O2', account: 'ACC1', symbol: 'AAPL', side: '1', execType: 'F', lastQty: d('0.00000001'), lastPx: d('187.123456789'), commission: d('0.01'), clientExecId: 'E1' }
    j.executions.push(fill)
    j.positions.set('ACC1\u0001AAPL', { account: 'ACC1', symbol: 'AAPL', p: { qty: d('0.00000001'), costBasis: d('0.00000187123456789'), avgCost: d('187.123456789'), realizedPnl: ZERO, fees: d('0.01'), pnlDay: '2026-12-03', dayStart: ZERO } })
    await store.commit({ id: 4n, journal: j, counters: counters(104n) })
    const j2 = new Journal()
    j2.executions.push({ ...fill, id: '2' })
    await store.commit({ id: 5n, journal: j2, counters: counters(105n) })
    expect(await db('executions').select('id', 'last_qty', 'last_px')).to.deep.equal([{ id: '1', last_qty: '0.00000001', last_px: '187.123456789' }])
    expect(await store.execIdTaken(BROKER, 'BX-1')).to.equal(true)
    expect(await store.execIdTaken(BROKER, 'BX-2')).to.equal(false)
    const snap = await store.load()
    expect(snap.positions.map((p) => [p.account, p.symbol, p.p.qty.toFixed(), p.p.costBasis.toFixed(), p.p.pnlDay])).to.deep.equal([['ACC1', 'AAPL', '0.00000001', '0.00000187123456789', '2026-12-03']])
    expect(snap.execFilter.mayHave(execKey(BROKER, 'BX-1'))).to.equal(true)
    expect(snap.execFilter.mayHave(execKey(BROKER, 'BX-2'))).to.equal(false)
    expect((await store.orderFills('O2')).map((f) => [f.id, f.qty.toFixed(), f.px.toFixed()])).to.deep.equal([['1', '0.00000001', '187.123456789']])
  })

  it('a connection killed in the middle of a commit fails that commit only: no uncaught error, the next commit works', async () => {
    const blocker = new Client({ connectionString: tdb.url })
    await blocker.connect()
    await blocker.query('BEGIN')
    await blocker.query('SELECT * FROM engine_state WHERE id = 1 FOR UPDATE') // the commit's last statement waits here
    const pending = store.commit(bookBatch(6n, 'O6', 10, 10, 11))
    let pid: number | null = null
    for (let i = 0; i < 250 && pid == null; i++) {
      const r = await db.raw("SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
      pid = r.rows[0]?.pid ?? null
      if (pid == null) await new Promise((resolve) => setTimeout(resolve, 20))
    }
    expect(pid, 'the commit never waited on the lock').to.not.equal(null)
    await db.raw('SELECT pg_terminate_backend(?)', [pid])
    const e = await pending.then(() => null, (x: Error) => x)
    expect(e?.message).to.match(/terminat/i)
    await blocker.query('ROLLBACK')
    await blocker.end()
    await new Promise((resolve) => setTimeout(resolve, 300)) // a late 'error' event of the dead connection would surface here
    expect(await db('orders').where({ order_id: 'O6' }).first()).to.equal(undefined)
    await store.commit(bookBatch(6n, 'O6', 10, 10, 11))
    expect(await store.lastBatchId()).to.equal(6n)
  })

  it('an execution re-statused in the batch that inserts it lands with its final status; older rows are updated', async () => {
    const j = new Journal()
    const fill = { id: '3', brokerSession: BROKER, execId: 'BX-3', orderId: 'O2', account: 'ACC1', symbol: 'AAPL', side: '1', execType: 'F', lastQty: d('1'), lastPx: d('10'), commission: null, clientExecId: 'E3' }
    j.executions.push(fill)
    j.executionStatus.set('3', 'busted') // the broker busted it before the batch committed
    j.executionStatus.set('1', 'corrected') // a row committed long ago
    await store.commit({ id: 7n, journal: j, counters: counters(107n) })
    const rows = await db('executions').whereIn('id', ['1', '3']).orderBy('id').select('id', 'status')
    expect(rows).to.deep.equal([{ id: '1', status: 'corrected' }, { id: '3', status: 'busted' }])
  })

  it('an order, its ClOrdID, route and executions all new in one batch pass their foreign keys', async () => {
    const b = bookBatch(8n, 'O8', 20, 20, 21)
    b.journal.executions.push({ id: '4', brokerSession: BROKER, execId: 'BX-8', orderId: 'O8', account: 'ACC1', symbol: 'AAPL', side: '1', execType: '0', lastQty: null, lastPx: null, commission: null, clientExecId: 'E8' })
    await store.commit(b)
    expect(await db('executions').where({ exec_id: 'BX-8' }).pluck('order_id')).to.deep.equal(['O8'])
    // and one naming an order that does not exist is refused, with nothing of its batch kept
    const bad = bookBatch(9n, 'O9', 30, 30, 31)
    bad.journal.executions.push({ id: '5', brokerSession: BROKER, execId: 'BX-9', orderId: 'NO-SUCH-ORDER', account: 'ACC1', symbol: 'AAPL', side: '1', execType: '0', lastQty: null, lastPx: null, commission: null, clientExecId: 'E9' })
    const e = await store.commit(bad).then(() => null, (x: Error) => x)
    expect(e?.message).to.match(/foreign key/)
    expect(await db('orders').where({ order_id: 'O9' }).first()).to.equal(undefined)
    expect(await store.lastBatchId()).to.equal(8n)
  })
})

/** jsonb comes back with its keys in Postgres's order: sort them as canonical JSON does. */
function sortKeys (v: unknown): unknown {
  if (v === null || typeof v !== 'object') return v
  if (Array.isArray(v)) return v.map(sortKeys)
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]))
}
