/**
 * The order engine's batching and failure handling (src/oms/engine/engine.ts), against an
 * in-memory EngineStore and Outbox that record what they are asked to do. What these
 * tests hold the engine to (docs/engine.md):
 *  - commands that arrive while a batch commits form the next batch, in one commit;
 *  - outbound bytes are released, and callers answered, only after their batch committed;
 *  - a command that throws leaves nothing behind;
 *  - a batch that cannot be committed is undone whole, its numbers dropped, its callers
 *    refused, and the engine reports itself unavailable until Postgres answers again;
 *  - a COMMIT that went unanswered is settled by asking Postgres for the last batch id.
 */
import { expect } from 'chai'
import pino from 'pino'
import type { Effect } from '../../../src/oms/effects'
import { NotAcceptedError, NotCommittedError, OmsEngine, type Command, type Outbox, type PreparedSend } from '../../../src/oms/engine/engine'
import type { Batch } from '../../../src/oms/engine/journal'
import type { EngineSnapshot } from '../../../src/oms/engine/state'
import { KeyFilter } from '../../../src/oms/engine/key-filter'
import type { EngineStore } from '../../../src/oms/engine/store-port'
import { Decimal, ZERO } from '../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../src/domain/ids'
import type { Order } from '../../../src/domain/order'

const d = (s: string): Decimal => new Decimal(s)

function order (id: string, over: Partial<Order> = {}): Order {
  return {
    orderId: asOrderId(id), clientSession: 'client', clOrdId: asClOrdId(`C-${id}`), origClOrdId: null,
    account: 'ACC1', symbol: 'AAPL', securityType: null, side: '1', ordType: '2', timeInForce: '0', expireTime: null,
    orderQty: d('100'), price: d('10'), stopPx: null, handlInst: null, exDestination: null,
    state: 'New', cumQty: ZERO, leavesQty: d('100'), avgPx: ZERO,
    brokerSession: 'broker', brokerOrderId: null, brokerClOrdId: null, pending: null, version: 1,
    ...over
  }
}

const empty = (): EngineSnapshot => ({
  counters: { nextOrderId: 1n, nextBrokerClOrdId: 1n, nextClientExecId: 1n, nextExecutionId: 1n },
  lastBatchId: 0n,
  orders: [],
  routes: [],
  clOrdIds: [],
  clOrdFilter: new KeyFilter(),
  execFilter: new KeyFilter(),
  positions: [],
  lastFills: [],
  killSwitches: []
})

const notUsed = async (): Promise<never> => { throw new Error('not used by these tests') }

/** Commits are held until the test lets them go, and can be made to fail. */
class FakeStore implements EngineStore {
  readonly committed: Batch[] = []
  readonly attempts: Batch[] = []
  last = 0n
  /** the next commit fails with this error */
  failNext: (Error & { outcomeUnknown?: boolean }) | null = null
  /** …but lands anyway (the COMMIT went through, its answer was lost) */
  landsAnyway = false
  /** lastBatchId() throws while true */
  down = false
  lastBatchIdCalls = 0
  private held: Array<() => void> | null = null

  constructor (private readonly snapshot: EngineSnapshot = empty()) {}

  hold (): void { this.held = [] }
  release (): void { const h = this.held ?? []; this.held = null; for (const r of h) r() }
  get waiting (): number { return this.held?.length ?? 0 }

  async load (): Promise<EngineSnapshot> { return this.snapshot }

  async commit (batch: Batch): Promise<void> {
    this.attempts.push(batch)
    if (this.held != null) await new Promise<void>((resolve) => this.held?.push(resolve))
    const e = this.failNext
    if (e != null) {
      this.failNext = null
      if (this.landsAnyway) { this.committed.push(batch); this.last = batch.id }
      throw e
    }
    this.committed.push(batch)
    this.last = batch.id
  }

  async lastBatchId (): Promise<bigint> {
    this.lastBatchIdCalls++
    if (this.down) throw new Error('connection refused')
    return this.last
  }

  loadOrder = notUsed
  orderIdOfClOrdId = notUsed
  orderIdOfRoute = notUsed
  execIdTaken = notUsed
  findExecution = notUsed
  orderFills = notUsed
  accountFills = notUsed
  purgeDedupe = notUsed
}

/** Numbers messages per session; records what is written to the wire and what is dropped. */
class FakeOutbox implements Outbox {
  readonly next = new Map<string, number>()
  readonly wire: Array<{ session: string, seq: number, text: string }> = []
  readonly dropped: number[] = []
  readonly durable: Array<{ session: string, sender: number | null, target: number | null }> = []
  /** effects with this text cannot be encoded */
  poison = '\u0000'

  prepare (effects: readonly Effect[]): PreparedSend[] {
    if (effects.some((e) => e.kind === 'er' && e.er.text === this.poison)) throw new Error('cannot encode')
    return effects.map((e) => {
      const session = 'session' in e ? e.session : e.broker
      const seq = this.next.get(session) ?? 1
      this.next.set(session, seq + 1)
      const text = e.kind === 'er' ? (e.er.text ?? '') : e.kind
      return {
        message: { sessionKey: session, seqNum: seq, msgType: '8', raw: text, sentAt: new Date(0) },
        release: () => { this.wire.push({ session, seq, text }) },
        drop: () => { this.dropped.push(seq) }
      }
    })
  }

  committed (sessionKey: string, nextSender: number | null, nextTarget: number | null): void {
    this.durable.push({ session: sessionKey, sender: nextSender, target: nextTarget })
  }
}

/** A command that books a new order and says `text` to its client; `inboundNext` as if a FIX message caused it. */
function newOrder (id: string, text: string, inboundNext?: number, fail?: Error): Command<string> {
  return {
    inbound: inboundNext == null ? undefined : { sessionKey: 'client', next: inboundNext },
    run: async (tx, fx) => {
      const o = order(id)
      expect(await tx.claimClOrdId(o.clientSession, o.clOrdId, o.orderId, 'new')).to.equal(true)
      await tx.insertOrder(o)
      await fx.er({ order: o, execId: `E-${id}`, execType: '0', ordStatus: '0', text })
      if (fail != null) throw fail
      return id
    }
  }
}

/** The error a promise rejects with (fails the test when it resolves). */
async function rejection (p: Promise<unknown>): Promise<Error> {
  return await p.then((v) => { throw new Error(`expected a rejection, got ${String(v)}`) }, (e: unknown) => e as Error)
}

const tick = async (): Promise<void> => { await new Promise((resolve) => setImmediate(resolve)) }

async function engineWith (store: FakeStore, outbox: FakeOutbox, onAvailability?: (up: boolean) => void): Promise<OmsEngine> {
  const engine = new OmsEngine({ store, outbox, logger: pino({ level: 'silent' }), onAvailability })
  await engine.start()
  return engine
}

describe('oms/engine OmsEngine (single writer, one commit per batch)', () => {
  let store: FakeStore
  let outbox: FakeOutbox
  let engine: OmsEngine
  let ups: boolean[]
  beforeEach(async () => {
    store = new FakeStore()
    outbox = new FakeOutbox()
    ups = []
    engine = await engineWith(store, outbox, (up) => ups.push(up))
  })
  afterEach(() => { engine.stop() })

  it('commits the commands submitted together in one batch, with their journal, messages and inbound progress', async () => {
    const results = await Promise.all([newOrder('O1', 'a', 2), newOrder('O2', 'b', 3), newOrder('O3', 'c', 4)].map(async (c) => await engine.submit(c)))
    expect(results).to.deep.equal(['O1', 'O2', 'O3'])
    expect(store.committed).to.have.length(1)
    const b = store.committed[0]
    expect(b.id).to.equal(1n)
    expect([...b.journal.orders.keys()]).to.deep.equal(['O1', 'O2', 'O3'])
    expect(b.journal.clOrdIds.map((r) => r.clOrdId)).to.deep.equal(['C-O1', 'C-O2', 'C-O3'])
    expect(b.journal.messages.map((m) => [m.sessionKey, m.seqNum])).to.deep.equal([['client', 1], ['client', 2], ['client', 3]])
    expect(b.journal.audit.filter((a) => a.kind === 'er_out')).to.have.length(3)
    expect(b.journal.inbound.get('client')).to.equal(4)
    expect(outbox.durable).to.deep.equal([{ session: 'client', sender: 4, target: 4 }])
    expect(outbox.wire.map((w) => w.text)).to.deep.equal(['a', 'b', 'c'])
  })

  it('sends nothing and answers nobody until the batch has committed', async () => {
    store.hold()
    let answered = false
    const p = engine.submit(newOrder('O1', 'ack')).then((r) => { answered = true; return r })
    for (let i = 0; i < 5; i++) await tick()
    expect(store.waiting).to.equal(1)
    expect(engine.current.orders.has('O1')).to.equal(true) // decided in memory at once…
    expect(outbox.wire).to.deep.equal([]) // …but not said
    expect(answered).to.equal(false)
    store.release()
    expect(await p).to.equal('O1')
    expect(outbox.wire.map((w) => w.text)).to.deep.equal(['ack'])
  })

  it('commands that arrive while a batch commits form the next batch, committed once the first is done', async () => {
    store.hold()
    const first = engine.submit(newOrder('O1', 'a'))
    for (let i = 0; i < 3; i++) await tick()
    expect(store.attempts).to.have.length(1)
    const later = [engine.submit(newOrder('O2', 'b')), engine.submit(newOrder('O3', 'c')), engine.submit(newOrder('O4', 'd'))]
    for (let i = 0; i < 5; i++) await tick()
    expect(store.attempts).to.have.length(1) // one commit at a time
    store.release()
    await first
    store.hold()
    for (let i = 0; i < 5; i++) await tick()
    store.release()
    await Promise.all(later)
    expect(store.committed.map((b) => [...b.journal.orders.keys()])).to.deep.equal([['O1'], ['O2', 'O3', 'O4']])
    expect(store.committed.map((b) => b.id)).to.deep.equal([1n, 2n])
    expect(outbox.wire.map((w) => w.seq)).to.deep.equal([1, 2, 3, 4])
  })

  it('a command that throws is undone: no order, no ClOrdID, no message, and the next command is unaffected', async () => {
    const boom = new Error('risk engine exploded')
    const failed = engine.submit(newOrder('O1', 'x', 2, boom))
    const ok = engine.submit(newOrder('O2', 'y', 3))
    expect(await rejection(failed)).to.equal(boom)
    expect(await ok).to.equal('O2')
    expect(engine.current.orders.has('O1')).to.equal(false)
    expect(engine.current.clOrdIndex.size).to.equal(1)
    expect(engine.current.openOrders('client')).to.equal(1)
    expect(store.committed).to.have.length(1)
    expect([...store.committed[0].journal.orders.keys()]).to.deep.equal(['O2'])
    expect(store.committed[0].journal.audit.every((a) => a.orderId !== 'O1')).to.equal(true)
    // the failed command took no MsgSeqNum: the message of O2 is number 1
    expect(outbox.wire).to.deep.equal([{ session: 'client', seq: 1, text: 'y' }])
    // the same ClOrdID can be used again: nothing of O1 is left
    expect(await engine.submit(newOrder('O1', 'z'))).to.equal('O1')
  })

  it('an effect that cannot be encoded fails its command before any number is taken', async () => {
    expect((await rejection(engine.submit(newOrder('O1', outbox.poison)))).message).to.equal('cannot encode')
    expect(engine.current.orders.size).to.equal(0)
    expect(store.attempts).to.have.length(0)
  })

  it('a command whose connection is gone is not run at all (NotAcceptedError, unprocessed)', async () => {
    let ran = false
    const p = engine.submit({ stillWanted: () => false, run: async () => { ran = true } })
    const e = await rejection(p)
    expect(e).to.be.instanceOf(NotAcceptedError)
    expect((e as NotAcceptedError).unprocessed).to.equal(true)
    expect(ran).to.equal(false)
  })

  it('a failed commit undoes the whole batch and the commands queued behind it, drops their numbers and refuses their callers', async () => {
    await engine.submit(newOrder('O0', 'kept'))
    store.hold()
    store.failNext = new Error('could not write to file "pg_wal/…": No space left on device')
    const inBatch = [engine.submit(newOrder('O1', 'a', 2)), engine.submit(newOrder('O2', 'b', 3))]
    for (let i = 0; i < 3; i++) await tick()
    const queued = engine.submit(newOrder('O3', 'c', 4))
    for (let i = 0; i < 3; i++) await tick()
    expect(engine.current.orders.has('O3')).to.equal(true)
    store.release()
    for (const p of [...inBatch, queued]) expect(await rejection(p)).to.be.instanceOf(NotCommittedError)
    expect([...engine.current.orders.keys()]).to.deep.equal(['O0'])
    expect(engine.current.clOrdIndex.size).to.equal(1)
    expect(engine.current.openOrders('client')).to.equal(1)
    expect(outbox.wire.map((w) => w.text)).to.deep.equal(['kept'])
    expect(outbox.dropped).to.have.length(3)
    expect(engine.available).to.equal(false)
    expect(ups).to.deep.equal([false])
    // the next command commits: the engine is available again, and the refused orders can be sent again
    expect(await engine.submit(newOrder('O1', 'again', 2))).to.equal('O1')
    expect(engine.available).to.equal(true)
    expect(ups).to.deep.equal([false, true])
    const last = store.committed[store.committed.length - 1]
    expect([...last.journal.orders.keys()]).to.deep.equal(['O1'])
  })

  it('probes Postgres every second while unavailable and becomes available when it answers', async function () {
    this.timeout(10_000)
    store.failNext = new Error('Connection terminated unexpectedly')
    store.down = true
    expect(await rejection(engine.submit(newOrder('O1', 'a')))).to.be.instanceOf(NotCommittedError)
    expect(engine.available).to.equal(false)
    await new Promise((resolve) => setTimeout(resolve, 1300))
    expect(store.lastBatchIdCalls).to.be.greaterThan(0)
    expect(engine.available).to.equal(false)
    store.down = false
    await new Promise((resolve) => setTimeout(resolve, 1200))
    expect(engine.available).to.equal(true)
    expect(ups).to.deep.equal([false, true])
  })

  it('a COMMIT whose answer was lost but which landed counts as committed: sent, answered, not undone', async () => {
    store.failNext = Object.assign(new Error('Connection terminated unexpectedly'), { outcomeUnknown: true })
    store.landsAnyway = true
    expect(await engine.submit(newOrder('O1', 'a', 2))).to.equal('O1')
    expect(store.lastBatchIdCalls).to.be.greaterThan(0)
    expect(engine.current.orders.has('O1')).to.equal(true)
    expect(outbox.wire.map((w) => w.text)).to.deep.equal(['a'])
    expect(engine.available).to.equal(true)
  })

  it('a COMMIT whose answer was lost and which did not land is abandoned like any failed commit', async () => {
    store.failNext = Object.assign(new Error('Connection terminated unexpectedly'), { outcomeUnknown: true })
    expect(await rejection(engine.submit(newOrder('O1', 'a', 2)))).to.be.instanceOf(NotCommittedError)
    expect(engine.current.orders.has('O1')).to.equal(false)
    expect(outbox.wire).to.deep.equal([])
    expect(outbox.dropped).to.deep.equal([1])
  })

  it('numbers batches after the last one committed before the restart', async () => {
    const s2 = new FakeStore({ ...empty(), lastBatchId: 41n })
    const e2 = await engineWith(s2, new FakeOutbox())
    await e2.submit(newOrder('O1', 'a'))
    expect(s2.committed[0].id).to.equal(42n)
    e2.stop()
  })

  it('carries the ID counters in every batch, numbers taken by undone commands included', async () => {
    const take: Command<string> = { run: async (tx) => { await tx.nextOrderId(); return await tx.nextOrderId() } }
    await rejection(engine.submit({ run: async (tx) => { await tx.nextOrderId(); throw new Error('no') } }))
    expect(await engine.submit(take)).to.equal('O3')
    await engine.submit(newOrder('O9', 'a'))
    expect(store.committed[store.committed.length - 1].counters.nextOrderId).to.equal(4n)
  })

  it('control steps run in line with the commands and journal nothing', async () => {
    const seen: string[] = []
    const a = engine.submit(newOrder('O1', 'a'))
    const c = engine.control((s) => { seen.push(`orders:${s.orders.size}`); s.killSwitches.add('session:client') })
    await Promise.all([a, c])
    expect(seen).to.deep.equal(['orders:1'])
    expect(engine.current.killSwitches.has('session:client')).to.equal(true)
    await engine.drain()
    expect(store.committed.every((b) => !b.journal.isEmpty)).to.equal(true)
  })

  it('finished orders leave memory beyond the limit once their last change is committed', async () => {
    engine.stop()
    engine = new OmsEngine({ store, outbox, logger: pino({ level: 'silent' }), maxFinishedInMemory: 2 })
    await engine.start()
    const fill = (id: string): Command<void> => ({
      run: async (tx) => {
        const o = order(id)
        await tx.claimClOrdId(o.clientSession, o.clOrdId, o.orderId, 'new')
        await tx.insertOrder(o)
        await tx.updateOrder({ ...o, state: 'Filled', cumQty: d('100'), leavesQty: ZERO, avgPx: d('10'), version: 2 })
      }
    })
    for (const id of ['O1', 'O2', 'O3', 'O4']) await engine.submit(fill(id))
    await engine.drain()
    expect([...engine.current.orders.keys()]).to.deep.equal(['O3', 'O4'])
    // their ClOrdIDs stay in the dedupe filter: a resent O1 is checked against Postgres
    expect(engine.current.clOrdFilter.mayHave('client\u0001C-O1')).to.equal(true)
    expect(engine.current.clOrdIndex.has('client\u0001C-O1')).to.equal(false)
  })

  it('drain resolves only when every submitted command has committed', async () => {
    store.hold()
    const p = engine.submit(newOrder('O1', 'a'))
    let drained = false
    const dr = engine.drain().then(() => { drained = true })
    for (let i = 0; i < 5; i++) await tick()
    expect(drained).to.equal(false)
    store.release()
    await Promise.all([p, dr])
    expect(drained).to.equal(true)
    expect(store.committed).to.have.length(1)
  })
})
