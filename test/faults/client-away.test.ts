/**
 * Fault test 2: the client goes away (a Logout, or its connection dropped by the
 * network) while its orders are being filled, then logs on again. Every
 * ExecutionReport it missed must reach it, in order, by resend (PossDupFlag=Y) or as
 * new messages after its expected number: an ack and a fill for every order, no gap
 * in the MsgSeqNums it received, one terminal report per order.
 */
import { expect } from 'chai'
import { FaultRig, BROKER, CLIENT, GW } from '../support/faults/rig'
import { pick, FULL } from '../support/faults/params'
import { settle, sleep, until } from '../support/faults/wait'
import type { OrderRow } from '../support/faults/pg'
import type { ClientMessage } from '../support/faults/fault-client'
import {
  deliveryOrderProblems, describeOrder, expectNone, histogram, notTerminal, outOfOrder, ranges, seqNumHoles, sequenceResetProblems, terminalErProblems
} from '../support/faults/checks'

const RATE = 40
const BEFORE = pick(20, 60) // orders sent just before going away
const AFTER = pick(5, 20) // orders sent once back
const FILL_DELAY_MS = pick(800, 1500) // so that most fills are due while the client is away
const AWAY_MS = pick(2000, 5000)
const SETTLE_MS = pick(10000, 30000)

for (const how of ['logout', 'drop'] as const) {
  describe(`faults: the client goes away (${how}) while its orders are filled (${FULL ? 'full' : 'short'})`, function () {
    this.timeout(60000 + AWAY_MS + SETTLE_MS)
    const rig = new FaultRig({ prefix: `CA${how[0]}${Date.now().toString(36)}`, broker: { ackDelayMs: 10, fillDelayMs: FILL_DELAY_MS, whileAway: 'queue' } })
    let away = { from: 0, to: 0 }
    let received: ClientMessage[] = []
    let orders = new Map<string, OrderRow>()
    let probeProblem: string | null = null
    let wasLoggedOut = false

    before(async () => {
      await rig.start()
      const client = rig.client
      client.startSending(RATE, BEFORE)
      await until(() => client.sentCount >= BEFORE, 20000, `${BEFORE} orders to be sent`)
      await client.stopSending()

      away = { from: Date.now(), to: 0 }
      let back: Promise<void> | null = null
      if (how === 'drop') {
        rig.clientTap.block() // both sockets cut: no Logout; reconnects refused until unblock
      } else {
        rig.clientTap.refuse() // the Logout goes through, the reconnect is refused until unblock
        back = client.peer.reconnect(AWAY_MS + 20000)
      }
      await until(() => !client.isLoggedOn, 5000, 'the client to be logged out')
      await sleep(AWAY_MS)
      wasLoggedOut = !client.isLoggedOn
      rig.clientTap.unblock()
      away.to = Date.now()
      await until(() => client.isLoggedOn, 15000, 'the client to log on again')
      await back

      client.startSending(RATE, AFTER)
      await until(() => client.sentCount >= BEFORE + AFTER, 20000, `${AFTER} more orders to be sent`)
      await client.stopSending()
      const sent = client.sent
      await settle(() => {
        const r = client.received()
        return sent.every((o) => r.some((m) => m.clOrdId === o.clOrdId && m.execType === 'F'))
      }, SETTLE_MS)
      try { await rig.probe(10000) } catch (e) { probeProblem = (e as Error).message }
      received = client.received()
      orders = await rig.orders()

      const afterBack = received.filter((m) => m.msgType === '8' && rig.clientTap.frames.some((f) => f.from === GW && f.seq === m.seq && f.at >= away.to))
      console.log([
        `    client-away (${how}) summary: away ${away.to - away.from} ms, ${fillsWhileAway()} broker fills while away, ${sent.length} orders sent`,
        `      client: ERs ${histogram(received.filter((m) => m.msgType === '8').map((m) => `150=${m.execType ?? ''}`))}; after logging on again: ${afterBack.filter((m) => m.possDup).length} resent (43=Y), ${afterBack.filter((m) => !m.possDup).length} new`,
        `      postgres: states ${histogram([...orders.values()].map((o) => o.state))}`
      ].join('\n'))
    })

    after(async () => { await rig.teardown() })

    /** Fills the broker sent the gateway while the client was away. */
    function fillsWhileAway (): number {
      return rig.brokerFrames().filter((f) => f.from === BROKER && f.msgType === '8' && f.get(150) === 'F' && f.at >= away.from && f.at <= away.to).length
    }

    it('(scenario) the client was logged out while the broker filled some of its orders', () => {
      expect(wasLoggedOut, 'the client stayed logged out for the whole time away').to.equal(true)
      expect(fillsWhileAway(), 'fills the broker sent while the client was away').to.be.greaterThan(0)
    })

    it('the client received an ack and a fill for every order, the ack first', () => {
      const missing: string[] = []
      for (const o of rig.client.sent) {
        const ers = received.filter((m) => m.clOrdId === o.clOrdId)
        if (!ers.some((m) => m.execType === '0') || !ers.some((m) => m.execType === 'F')) missing.push(describeOrder(o.clOrdId, orders, received, rig.brokerApp.seen))
      }
      expectNone(missing, `orders (of ${rig.client.sent.length}) without both an ack and a fill at the client`, 8)
      expectNone(outOfOrder(received), 'fills delivered before their ack')
    })

    it('the client application got every message in MsgSeqNum order, with no MsgSeqNum missing', () => {
      const problems = [...(probeProblem == null ? [] : [probeProblem]), ...deliveryOrderProblems(received)]
      const holes = seqNumHoles(rig.clientFrames(), GW)
      if (holes.length > 0) problems.push(`gateway → client: MsgSeqNum ${ranges(holes)} never delivered`)
      expectNone(problems, 'delivery problems')
    })

    it('exactly one terminal ExecutionReport per order', () => {
      const { missing, duplicated } = terminalErProblems(rig.client.sent, received)
      expectNone(duplicated, 'orders with more than one terminal ER', 8)
      expectNone(missing, 'orders without a terminal ER')
    })

    it('no sequence reset on the client session', () => {
      const problems = [...sequenceResetProblems(rig.clientFrames(), CLIENT), ...sequenceResetProblems(rig.clientFrames(), GW)]
      expectNone(problems, 'sequence resets')
    })

    it('every order is terminal in Postgres', () => {
      const open = notTerminal(rig.client.sent, orders)
      expectNone(open.map((id) => describeOrder(id, orders, received, rig.brokerApp.seen)), 'orders not terminal in Postgres', 8)
    })
  })
}
