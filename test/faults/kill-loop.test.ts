/**
 * Fault test 1: the gateway is killed with SIGKILL at random moments while a client
 * sends orders at a steady rate and a broker acknowledges and fills them; it is started
 * again at once on the same database. The client and the broker outlive it and keep
 * their sequence numbers. Once the last restart has settled, nothing acknowledged may
 * be lost, nothing may be sent to the broker twice, every order must be done and
 * reported done exactly once, and no session may have been reset.
 *
 * Short (npm test): 3 kills. Full (npm run test:faults): 20 kills.
 * Replay the kill moments of a run: FIXGW_FAULTS_SEED=<seed printed in its summary>.
 */
import { expect } from 'chai'
import { FaultRig, BROKER, CLIENT, GW } from '../support/faults/rig'
import { pick, Rng, seedFromEnv, FULL } from '../support/faults/params'
import { settle, sleep } from '../support/faults/wait'
import { TERMINAL, type OrderRow } from '../support/faults/pg'
import { isTerminalEr, type ClientMessage } from '../support/faults/fault-client'
import type { CliResult } from '../support/run-cli'
import {
  acknowledged, describeOrder, duplicateOrdersAtBroker, expectNone, resendStats, histogram, lostAcknowledged, notTerminal, ranges, seqNumHoles,
  terminalErProblems
} from '../support/faults/checks'

const KILLS = pick(3, 20)
const RATE = pick(30, 40) // orders per second
const LOAD_MS: [number, number] = pick([400, 2500], [300, 4000]) // load between a restart's logons and the next kill
const TAIL_MS = 1500 // load after the last restart
const SETTLE_MS = pick(15000, 60000) // for the last orders to be filled and reported: seconds on a sound gateway

describe(`faults: kill -9 of the gateway ${KILLS} times under load (${FULL ? 'full' : 'short'})`, function () {
  this.timeout(60000 + KILLS * 30000 + SETTLE_MS)
  const seed = seedFromEnv()
  const rng = new Rng(seed)
  const rig = new FaultRig({ prefix: `KL${Date.now().toString(36)}`, broker: { ackDelayMs: 5, fillDelayMs: 40, whileAway: 'queue' } })
  let kills = 0
  const loopProblems: string[] = []
  let orders = new Map<string, OrderRow>()
  let received: ClientMessage[] = []
  let reconcile: CliResult | null = null
  let settled = false
  let probeProblem: string | null = null

  before(async function () {
    const t0 = Date.now()
    await rig.start()
    rig.client.startSending(RATE)
    for (let k = 1; k <= KILLS; k++) {
      // a random moment: mostly in steady flow, sometimes right after the restart
      // (during logons, resends and the broker's reconciliation)
      const early = k > 1 && rng.next() < 0.3
      if (!early) {
        try { await rig.waitBothLoggedOn(20000, `restart ${k - 1}`) } catch (e) { loopProblems.push((e as Error).message) }
      }
      await sleep(early ? rng.int(50, 600) : rng.int(LOAD_MS[0], LOAD_MS[1]))
      await rig.gateway.kill()
      kills++
      await sleep(rng.int(0, 300))
      await rig.gateway.start(30000)
    }
    try { await rig.waitBothLoggedOn(20000, 'the last restart') } catch (e) { loopProblems.push((e as Error).message) }
    await sleep(TAIL_MS)
    await rig.client.stopSending()
    const sent = rig.client.sent
    settled = await settle(async () => {
      const rows = await rig.orders()
      const terminalAtClient = new Set(rig.client.received().filter(isTerminalEr).map((m) => m.clOrdId))
      return sent.every((o) => TERMINAL.has(rows.get(o.clOrdId)?.state ?? '') && terminalAtClient.has(o.clOrdId))
    }, SETTLE_MS)
    try { await rig.probe(10000) } catch (e) { probeProblem = (e as Error).message }
    orders = await rig.orders()
    received = rig.client.received()
    reconcile = await rig.reconcilePositions()

    const seen = rig.brokerApp.seen
    const ter = terminalErProblems(sent, received)
    console.log([
      `    kill-loop summary (seed ${seed}): ${kills} kills in ${Math.round((Date.now() - t0) / 1000)} s, ${settled ? 'settled' : `NOT settled within ${SETTLE_MS} ms`}`,
      `      client: ${sent.length} orders sent, ${acknowledged(received).size} acknowledged, ${received.filter(isTerminalEr).length} terminal ERs (${ter.missing.length} orders without, ${ter.duplicated.length} with more than one), waited ${rig.client.waitedMs} ms logged out, ERs ${histogram(received.filter((m) => m.msgType === '8').map((m) => `150=${m.execType ?? ''}${m.possDup ? '/43=Y' : ''}`))}, other ${histogram(received.filter((m) => m.msgType !== '8').map((m) => `35=${m.msgType}`))}`,
      `      postgres: ${orders.size} orders, states ${histogram([...orders.values()].map((o) => o.state))}`,
      `      broker: ${seen.length} NewOrderSingles (${seen.filter((s) => s.possDup).length} PossDup, ${seen.filter((s) => s.possResend).length} PossResend), ${rig.brokerApp.statusRequests.length} status requests, ${rig.brokerApp.queuedLater} ERs sent after a reconnect; duplicates: ${duplicateOrdersAtBroker(seen, rig.brokerFrames(), GW).length}`,
      `      gateway asked the client: ${resendStats(rig.clientFrames(), GW)}; the client asked: ${resendStats(rig.clientFrames(), CLIENT)}`,
      `      gateway asked the broker: ${resendStats(rig.brokerFrames(), GW)}; the broker asked: ${resendStats(rig.brokerFrames(), BROKER)}`,
      `      connections: client ${rig.clientTap.connectionCount}, broker ${rig.brokerTap.connectionCount}; reconcile-positions exit ${reconcile.code ?? 'none'}`
    ].join('\n'))
  })

  after(async () => { await rig.teardown() })

  it('the gateway started again after every kill, the peers logged on again, and it never died by itself', () => {
    expect(kills).to.equal(KILLS)
    expectNone(loopProblems, 'peers not logged on again after a restart')
    expectNone(rig.gateway.unexpectedExits.map((x) => `pid ${x.pid ?? '?'} exited with ${x.code ?? x.signal ?? '?'}\n${rig.gatewayWarnings()}`), 'gateway exits nobody asked for')
  })

  it('every order the client saw acknowledged is in Postgres', () => {
    expectNone(lostAcknowledged(received, orders), 'ClOrdIDs acknowledged to the client but not in orders')
  })

  it('no NewOrderSingle reached the broker twice without PossDupFlag or PossResend', () => {
    expectNone(duplicateOrdersAtBroker(rig.brokerApp.seen, rig.brokerFrames(), GW), 'duplicate orders at the broker')
  })

  it('every order the client sent ends in a terminal state in Postgres', () => {
    const open = notTerminal(rig.client.sent, orders)
    const d = (id: string): string => describeOrder(id, orders, received, rig.brokerApp.seen)
    expectNone(open.map(d), `orders (of ${rig.client.sent.length}) not terminal in Postgres`, 8)
  })

  it('the client received exactly one terminal ExecutionReport per order (PossDup copies aside)', () => {
    const { missing, duplicated } = terminalErProblems(rig.client.sent, received)
    const d = (id: string): string => describeOrder(id, orders, received, rig.brokerApp.seen)
    expectNone(duplicated, 'orders with more than one terminal ER at the client', 8)
    expectNone(missing.map(d), 'orders without a terminal ER at the client', 8)
  })

  it('no sequence reset on either session and no MsgSeqNum left undelivered', () => {
    const problems = [
      ...(probeProblem == null ? [] : [probeProblem]),
      ...rig.sequenceResets()
    ]
    const holes: Array<[string, number[]]> = [
      ['gateway → client', seqNumHoles(rig.clientFrames(), GW)],
      ['client → gateway', seqNumHoles(rig.clientFrames(), CLIENT)],
      ['gateway → broker', seqNumHoles(rig.brokerFrames(), GW)],
      ['broker → gateway', seqNumHoles(rig.brokerFrames(), BROKER)]
    ]
    for (const [dir, h] of holes) if (h.length > 0) problems.push(`${dir}: MsgSeqNum ${ranges(h)} never delivered`)
    expectNone(problems, 'sequence problems', 10)
  })

  it('fixgw reconcile-positions finds every position equal to its fills (exit 0)', () => {
    expect(reconcile?.code, `${reconcile?.stdout ?? ''}${reconcile?.stderr ?? ''}`).to.equal(0)
  })
})
