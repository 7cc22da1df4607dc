import { expect } from 'chai'
import { Decimal, ZERO } from '../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../src/domain/ids'
import type { Order } from '../../../src/domain/order'
import type { OrdState } from '../../../src/domain/order-state'
import type { BrokerEvent } from '../../../src/oms/execution-normalizer'
import { reconcileEvents, reconcileUnresolved } from '../../../src/oms/trade-corrections'

const d = (s: string): Decimal => new Decimal(s)

/** A limit buy of 100 @ 10, acknowledged, nothing filled: change what a test needs. */
function order (over: Partial<Order> = {}): Order {
  const o: Order = {
    orderId: asOrderId('O1'), clientSession: 'client', clOrdId: asClOrdId('C1'), origClOrdId: null,
    account: 'ACC1', symbol: 'AAPL', securityType: null, side: '1', ordType: '2', timeInForce: '0', expireTime: null,
    orderQty: d('100'), price: d('10'), stopPx: null, handlInst: null, exDestination: null,
    state: 'New', cumQty: ZERO, leavesQty: d('100'), avgPx: ZERO,
    brokerSession: 'broker', brokerOrderId: 'BO-1', brokerClOrdId: 'FGW-1', pending: null, version: 1,
    ...over
  }
  return o
}

/** The broker's answer to our OrderStatusRequest. */
function status (ordStatus: string | null, cumQty: string | null = null, avgPx: string | null = null): BrokerEvent & { kind: 'Status' } {
  return { kind: 'Status', ordStatus, cumQty: cumQty == null ? null : d(cumQty), avgPx: avgPx == null ? null : d(avgPx) }
}

/** Events with Decimals as plain strings, for deep.equal. */
function shown (events: BrokerEvent[]): unknown[] {
  return events.map((e) => Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v])))
}

const OPEN: OrdState[] = ['PendingNew', 'New', 'PartiallyFilled', 'PendingCancel', 'PendingReplace', 'DoneForDay']
const TERMINAL: OrdState[] = ['Filled', 'Canceled', 'Rejected', 'Expired']

describe('oms/trade-corrections reconcileEvents (broker status after a reconnect)', () => {
  describe('a fill we missed', () => {
    it('nothing filled on our side: the broker\'s CumQty @ AvgPx', () => {
      expect(shown(reconcileEvents(order(), status('1', '40', '10.25')))).to.deep.equal([
        { kind: 'Trade', lastQty: '40', lastPx: '10.25', commission: '0' }
      ])
    })

    it('on top of our fills: the difference in quantity at the price that makes the broker\'s AvgPx', () => {
      // ours 100 @ 10, broker 150 @ 10.2: 1530 − 1000 = 530 for the missing 50 → 10.6
      const o = order({ orderQty: d('300'), state: 'PartiallyFilled', cumQty: d('100'), avgPx: d('10'), leavesQty: d('200') })
      expect(shown(reconcileEvents(o, status('1', '150', '10.2')))).to.deep.equal([
        { kind: 'Trade', lastQty: '50', lastPx: '10.6', commission: '0' }
      ])
    })

    it('exact decimals, never binary floats (0.1 / 0.2 / 0.3 stay exact)', () => {
      // ours 10 @ 0.1, broker 30 @ 0.2: 6 − 1 = 5 for 20 → 0.25; fractional quantities too
      const o = order({ state: 'PartiallyFilled', cumQty: d('10'), avgPx: d('0.1') })
      expect(shown(reconcileEvents(o, status('1', '30', '0.2')))).to.deep.equal([{ kind: 'Trade', lastQty: '20', lastPx: '0.25', commission: '0' }])
      const frac = order({ state: 'PartiallyFilled', cumQty: d('0.1'), avgPx: d('0.3') })
      expect(shown(reconcileEvents(frac, status('1', '0.3', '0.3')))).to.deep.equal([{ kind: 'Trade', lastQty: '0.2', lastPx: '0.3', commission: '0' }])
    })

    it('a price that does not divide exactly is rounded to 10 decimal places (half even), and re-adds to the broker\'s AvgPx', () => {
      // ours 30 @ 10.1, broker 100 @ 10.123: (1012.3 − 303) / 70 = 10.13285714285714…
      const o = order({ state: 'PartiallyFilled', cumQty: d('30'), avgPx: d('10.1') })
      const [trade] = reconcileEvents(o, status('1', '100', '10.123'))
      expect(shown([trade])).to.deep.equal([{ kind: 'Trade', lastQty: '70', lastPx: '10.1328571429', commission: '0' }])
      const px = (trade as { lastPx: Decimal }).lastPx
      const avg = d('30').times('10.1').plus(d('70').times(px)).div(100)
      expect(avg.minus('10.123').abs().lte('1e-10')).to.equal(true)
    })

    it('the broker gives no AvgPx: the missing quantity at the order\'s limit price', () => {
      const o = order({ state: 'PartiallyFilled', cumQty: d('10'), avgPx: d('9.9'), price: d('10') })
      expect(shown(reconcileEvents(o, status('1', '25')))).to.deep.equal([{ kind: 'Trade', lastQty: '15', lastPx: '10', commission: '0' }])
    })

    it('no event when the broker\'s CumQty equals ours, or when it gives none', () => {
      const o = order({ state: 'PartiallyFilled', cumQty: d('40'), avgPx: d('10') })
      expect(reconcileEvents(o, status('1', '40', '10'))).to.deep.equal([])
      expect(reconcileEvents(o, status('1', '40.000', '10.00'))).to.deep.equal([])
      expect(reconcileEvents(o, status('1'))).to.deep.equal([])
    })

    // Regression: a broker CumQty below ours used to yield nothing at all, silently. It cannot be
    // applied as an event (which fill?), so it is reported for an operator (logged, audited).
    it('a broker CumQty below ours is not silently ignored: no event, but an unresolved difference', () => {
      const o = order({ state: 'PartiallyFilled', cumQty: d('60'), avgPx: d('10') })
      expect(reconcileEvents(o, status('1', '40', '10'))).to.deep.equal([])
      expect(reconcileUnresolved(o, status('1', '40', '10'))).to.match(/broker CumQty 40 is below ours 60/)
      expect(reconcileUnresolved(o, status('1', '60', '10'))).to.equal(null)
    })

    it('a missed fill with no AvgPx and no limit price is not booked at 0 but reported', () => {
      const o = order({ ordType: '1', price: null, state: 'New' })
      expect(reconcileEvents(o, status('1', '10'))).to.deep.equal([])
      expect(reconcileUnresolved(o, status('1', '10'))).to.match(/gives no AvgPx/)
    })

    it('a missed fill on a terminal order is still applied (a fill is never lost)', () => {
      const o = order({ state: 'Canceled', cumQty: d('40'), avgPx: d('10'), leavesQty: ZERO })
      expect(shown(reconcileEvents(o, status('4', '50', '10')))).to.deep.equal([{ kind: 'Trade', lastQty: '10', lastPx: '10', commission: '0' }])
    })
  })

  describe('the broker says the order is done', () => {
    const done: Array<[string, BrokerEvent]> = [
      ['4', { kind: 'Canceled', text: 'canceled at the broker (found on reconnect)' }],
      ['C', { kind: 'Expired' }],
      ['8', { kind: 'Rejected', text: 'rejected at the broker (found on reconnect)' }],
      ['3', { kind: 'DoneForDay' }]
    ]
    for (const [ordStatus, event] of done) {
      for (const state of OPEN) {
        if (ordStatus === '3' && state === 'DoneForDay') continue
        it(`OrdStatus ${ordStatus} on a ${state} order → ${event.kind}`, () => {
          const events = reconcileEvents(order({ state }), status(ordStatus, '0', '0'))
          // a PendingNew order is not acknowledged by a terminal status: only the terminal event
          expect(events).to.deep.equal([event])
        })
      }
    }

    it('OrdStatus 3 on an order already DoneForDay: nothing', () => {
      expect(reconcileEvents(order({ state: 'DoneForDay' }), status('3', '0', '0'))).to.deep.equal([])
    })

    for (const state of TERMINAL) {
      it(`nothing for a ${state} order, whatever the broker's OrdStatus`, () => {
        for (const s of ['0', '1', '2', '3', '4', '6', '8', 'A', 'C', 'E', null]) {
          expect(reconcileEvents(order({ state, leavesQty: ZERO }), status(s, '0', '0')), `OrdStatus ${String(s)}`).to.deep.equal([])
        }
      })
    }

    it('the missed fill comes first, then the terminal state (the fill happened before the cancel)', () => {
      const o = order({ state: 'PartiallyFilled', cumQty: d('20'), avgPx: d('10') })
      expect(shown(reconcileEvents(o, status('4', '30', '10')))).to.deep.equal([
        { kind: 'Trade', lastQty: '10', lastPx: '10', commission: '0' },
        { kind: 'Canceled', text: 'canceled at the broker (found on reconnect)' }
      ])
    })

    it('working statuses (0, 1, 2, 6, E, A) add no state event on an acknowledged order', () => {
      for (const s of ['0', '1', '2', '6', 'E', 'A', null]) {
        expect(reconcileEvents(order({ state: 'New' }), status(s, '0', '0')), `OrdStatus ${String(s)}`).to.deep.equal([])
      }
    })
  })

  describe('an order still PendingNew on our side', () => {
    it('the broker says New (0) or PartiallyFilled (1): Ack', () => {
      expect(reconcileEvents(order({ state: 'PendingNew' }), status('0', '0', '0'))).to.deep.equal([{ kind: 'Ack' }])
      expect(reconcileEvents(order({ state: 'PendingNew' }), status('1', '0', '0'))).to.deep.equal([{ kind: 'Ack' }])
    })

    it('with a missed fill: the fill, then the Ack', () => {
      expect(shown(reconcileEvents(order({ state: 'PendingNew' }), status('1', '30', '10')))).to.deep.equal([
        { kind: 'Trade', lastQty: '30', lastPx: '10', commission: '0' },
        { kind: 'Ack' }
      ])
    })

    it('the broker still says PendingNew (A), or says nothing: no event', () => {
      expect(reconcileEvents(order({ state: 'PendingNew' }), status('A', '0', '0'))).to.deep.equal([])
      expect(reconcileEvents(order({ state: 'PendingNew' }), status(null))).to.deep.equal([])
    })

    it('no Ack for an order that is not PendingNew', () => {
      for (const state of ['New', 'PartiallyFilled', 'PendingCancel', 'PendingReplace', 'Held'] as OrdState[]) {
        expect(reconcileEvents(order({ state }), status('0', '0', '0')), state).to.deep.equal([])
      }
    })
  })

  it('does not modify the order or the status it is given', () => {
    const o = order({ state: 'PartiallyFilled', cumQty: d('10'), avgPx: d('10') })
    const s = status('4', '20', '10.5')
    const before = JSON.stringify([o, s])
    reconcileEvents(o, s)
    expect(JSON.stringify([o, s])).to.equal(before)
  })
})
