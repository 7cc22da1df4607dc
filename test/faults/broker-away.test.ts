/**
 * Fault test 3: the broker goes away while orders flow, and comes back with the same
 * sequence numbers. Three ways, in turn:
 *  - the network first loses everything for a moment (black hole: both sides keep
 *    writing, nothing arrives), then the connection is cut and reconnects refused;
 *  - the broker logs out and stops listening, then starts again;
 *  - the connection is cut several times in a row, the gateway reconnecting at once.
 * The broker forgets the ExecutionReports it could not send meanwhile, so the gateway
 * must reconcile its open orders when the broker is back. Orders the gateway took
 * meanwhile (the broker session is configured `whenDown: hold`) must reach the broker,
 * by resend (PossDupFlag=Y) if they were lost on the wire, exactly once, and be filled.
 */
import { expect } from 'chai'
import { FaultRig, BROKER, GW } from '../support/faults/rig'
import { pick, FULL } from '../support/faults/params'
import { settle, sleep, until } from '../support/faults/wait'
import { TERMINAL, type OrderRow } from '../support/faults/pg'
import { isTerminalEr, type ClientMessage } from '../support/faults/fault-client'
import {
  describeOrder, duplicateOrdersAtBroker, expectNone, histogram, resendStats, notTerminal, ranges, seqNumHoles, terminalErProblems
} from '../support/faults/checks'

const RATE = pick(25, 40)
const AWAY_MS = pick(2000, 5000)
const BLACKHOLE_MS = 400
const LOAD_MS = 1500 // before the first outage, between them, after the last
const FLAPS = pick(4, 12)
const FLAP_MS = 600
const SETTLE_MS = pick(15000, 45000)
// fills 1 s after the ack: every outage leaves orders open at the broker whose fills it forgets

describe(`faults: the broker goes away and comes back (${FULL ? 'full' : 'short'})`, function () {
  this.timeout(90000 + 2 * AWAY_MS + FLAPS * FLAP_MS + SETTLE_MS)
  const rig = new FaultRig({ prefix: `BA${Date.now().toString(36)}`, broker: { ackDelayMs: 5, fillDelayMs: 1000, whileAway: 'drop' } })
  const outages: Array<{ how: string, from: number, to: number }> = []
  const problems: string[] = []
  let received: ClientMessage[] = []
  let orders = new Map<string, OrderRow>()
  let probeProblem: string | null = null

  before(async () => {
    await rig.start()
    rig.client.startSending(RATE)
    await sleep(LOAD_MS)

    // 1. the network: a black hole, then the connection cut and refused
    rig.brokerTap.blackhole()
    await sleep(BLACKHOLE_MS)
    rig.brokerTap.block()
    const cut = { how: 'black hole, then cut', from: Date.now() - BLACKHOLE_MS, to: 0 }
    outages.push(cut)
    await sleep(AWAY_MS)
    rig.brokerTap.unblock()
    cut.to = Date.now()
    try { await until(() => rig.broker.isLoggedOn, 15000, 'the gateway to log on to the broker again after the network outage') } catch (e) { problems.push((e as Error).message) }
    await sleep(LOAD_MS)

    // 2. the broker: Logout, stops listening, starts again (same stores)
    const stop = { how: 'broker stopped', from: Date.now(), to: 0 }
    outages.push(stop)
    await rig.broker.stop()
    await sleep(AWAY_MS)
    await rig.broker.start()
    stop.to = Date.now()
    try { await until(() => rig.broker.isLoggedOn, 15000, 'the gateway to log on to the broker again after it restarted') } catch (e) { problems.push((e as Error).message) }
    await sleep(LOAD_MS)

    // 3. flaps: the connection cut again and again, each time the gateway reconnects at
    // once (logons racing the orders being routed, held and released)
    const flaps = { how: `${FLAPS} flaps`, from: Date.now(), to: 0 }
    outages.push(flaps)
    for (let i = 0; i < FLAPS; i++) {
      rig.brokerTap.cut()
      await sleep(FLAP_MS)
    }
    flaps.to = Date.now()
    try { await until(() => rig.broker.isLoggedOn, 15000, 'the gateway to log on to the broker again after the flaps') } catch (e) { problems.push((e as Error).message) }
    await sleep(LOAD_MS)

    await rig.client.stopSending()
    const sent = rig.client.sent
    await settle(async () => {
      const rows = await rig.orders()
      const done = new Set(rig.client.received().filter(isTerminalEr).map((m) => m.clOrdId))
      return sent.every((o) => TERMINAL.has(rows.get(o.clOrdId)?.state ?? '') && done.has(o.clOrdId))
    }, SETTLE_MS)
    try { await rig.probe(10000) } catch (e) { probeProblem = (e as Error).message }
    received = rig.client.received()
    orders = await rig.orders()

    const seen = rig.brokerApp.seen
    const lost = lostOrders()
    console.log([
      `    broker-away summary: outages ${outages.map((o) => `${o.how} ${o.to - o.from} ms`).join(', ')}; ${sent.length} orders sent, ${sentDuringOutages()} of them during the outages`,
      `      wire: ${lost.length} NewOrderSingles lost in the black hole, ${rig.brokerTap.droppedFrames.filter((f) => f.from === BROKER).length} broker messages lost; broker connections ${rig.brokerTap.connectionCount}`,
      `      gateway asked the broker: ${resendStats(rig.brokerFrames(), GW)}; the broker asked: ${resendStats(rig.brokerFrames(), BROKER)}`,
      `      broker: ${seen.length} NewOrderSingles (${seen.filter((s) => s.possDup).length} PossDup, ${seen.filter((s) => s.possResend).length} PossResend), ${rig.brokerApp.dropped} ERs forgotten while away, ${rig.brokerApp.statusRequests.length} status requests`,
      `      postgres: states ${histogram([...orders.values()].map((o) => o.state))}; client ERs ${histogram(received.filter((m) => m.msgType === '8').map((m) => `150=${m.execType ?? ''}`))}`
    ].join('\n'))
  })

  after(async () => { await rig.teardown() })

  /** Our NewOrderSingles (broker ClOrdIDs) that went into the black hole. */
  function lostOrders (): string[] {
    return rig.brokerTap.droppedFrames.filter((f) => f.from === GW && f.msgType === 'D').map((f) => f.get(11) ?? '')
  }

  function sentDuringOutages (): number {
    return rig.client.sent.filter((o) => outages.some((w) => o.at >= w.from && o.at <= w.to)).length
  }

  it('(scenario) orders were sent during the outages, lost on the wire, and fills were due while the broker was away', () => {
    expectNone(problems, 'the gateway did not log on to the broker again')
    expect(sentDuringOutages(), 'orders sent while the broker was away').to.be.greaterThan(0)
    expect(lostOrders().length, 'NewOrderSingles lost in the black hole').to.be.greaterThan(0)
    expect(rig.brokerApp.dropped, 'ExecutionReports the broker could not send while away').to.be.greaterThan(0)
  })

  it('every NewOrderSingle lost on the wire reached the broker afterwards (resent)', () => {
    const got = new Set(rig.brokerApp.seen.map((s) => s.clOrdId))
    expectNone(lostOrders().filter((id) => !got.has(id)).map((id) => `our ClOrdID ${id}`), 'NewOrderSingles lost and never resent')
  })

  it('every order the client sent reached the broker, and none twice without PossDupFlag or PossResend', () => {
    const atBroker = new Set(rig.brokerApp.seen.map((s) => s.account))
    expectNone(rig.client.sent.filter((o) => !atBroker.has(o.clOrdId)).map((o) => describeOrder(o.clOrdId, orders, received, rig.brokerApp.seen)), 'orders that never reached the broker', 8)
    expectNone(duplicateOrdersAtBroker(rig.brokerApp.seen, rig.brokerFrames(), GW), 'duplicate orders at the broker')
  })

  it('every order ends terminal in Postgres (open orders reconciled) and the client got one terminal ER each', () => {
    const d = (id: string): string => describeOrder(id, orders, received, rig.brokerApp.seen)
    expectNone(notTerminal(rig.client.sent, orders).map(d), 'orders not terminal in Postgres', 8)
    const { missing, duplicated } = terminalErProblems(rig.client.sent, received)
    expectNone(duplicated, 'orders with more than one terminal ER at the client', 8)
    expectNone(missing.map(d), 'orders without a terminal ER at the client', 8)
  })

  it('no sequence reset and no MsgSeqNum left undelivered on the broker session (nor the client\'s)', () => {
    const found = [
      ...(probeProblem == null ? [] : [probeProblem]),
      ...rig.sequenceResets()
    ]
    for (const [dir, holes] of [['gateway → broker', seqNumHoles(rig.brokerFrames(), GW)], ['broker → gateway', seqNumHoles(rig.brokerFrames(), BROKER)]] as const) {
      if (holes.length > 0) found.push(`${dir}: MsgSeqNum ${ranges(holes)} never delivered`)
    }
    expectNone(found, 'sequence problems')
    expectNone(rig.gateway.unexpectedExits.map((x) => `pid ${x.pid ?? '?'} exited with ${x.code ?? x.signal ?? '?'}`), 'gateway exits')
  })
})
