import { expect } from 'chai'
import { Decimal, ZERO } from '../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../src/domain/ids'
import type { Order, PendingRequest } from '../../../src/domain/order'
import { ORD_STATES, type OrdState } from '../../../src/domain/order-state'
import type { OrderEvent } from '../../../src/domain/order-state-machine'
import { apply, mustApply, receiveOrder, type Applied, type OrderEventAny, type OrderEventKind } from '../../../src/domain/order-apply'
import type { ValidNewOrder } from '../../../src/domain/new-order'

const d = (s: string): Decimal => new Decimal(s)

/** Decimals as strings, so orders compare with deep.equal. */
function shown (o: unknown): unknown {
  if (o instanceof Decimal) return o.toFixed()
  if (o == null || typeof o !== 'object' || o instanceof Date) return o
  if (Array.isArray(o)) return o.map(shown)
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, shown(v)]))
}

const cancelPending: PendingRequest = { kind: 'cancel', clOrdId: asClOrdId('C2'), brokerClOrdId: 'FGW2', orderQty: null, price: null, stopPx: null, timeInForce: null }
const replacePending: PendingRequest = { kind: 'replace', clOrdId: asClOrdId('C2'), brokerClOrdId: 'FGW2', orderQty: d('80'), price: d('11'), stopPx: null, timeInForce: '1' }

/** A limit buy of 100 @ 10 as it stands in each state: 40 filled @ 10 once it has traded. */
function inState (state: OrdState, over: Partial<Order> = {}): Order {
  const routed = !['Received', 'PendingRisk'].includes(state)
  const acked = !['Received', 'PendingRisk', 'Held', 'PendingNew', 'Rejected'].includes(state)
  const cum = state === 'Filled' ? d('100') : acked && state !== 'New' ? d('40') : ZERO
  const done = ['Filled', 'Canceled', 'Expired', 'Rejected'].includes(state)
  const o: Order = {
    orderId: asOrderId('O1'), clientSession: 'client1', clOrdId: asClOrdId('C1'), origClOrdId: null,
    account: 'ACC1', symbol: 'IBM', securityType: null, side: '1', ordType: '2', timeInForce: '0', expireTime: null,
    orderQty: d('100'), price: d('10'), stopPx: null, handlInst: null, exDestination: null,
    state, cumQty: cum, leavesQty: done ? ZERO : d('100').minus(cum), avgPx: cum.isZero() ? ZERO : d('10'),
    brokerSession: routed ? 'broker1' : null, brokerOrderId: acked ? 'BO-1' : null, brokerClOrdId: acked ? 'FGW1' : null,
    pending: state === 'PendingCancel' ? cancelPending : state === 'PendingReplace' ? replacePending : null,
    version: 3,
    ...over
  }
  return Object.freeze(o)
}

const applied = (o: Order, e: OrderEventAny): Applied => {
  const r = apply(o, e)
  if (!r.ok) throw new Error(`${e.kind} refused in ${o.state}: ${r.event}`)
  return r
}

type Field = keyof Order
interface Case {
  readonly event: (o: Order) => OrderEventAny
  /** the table event named when it is refused */
  readonly refusedAs: OrderEvent
  /** the state each fixture order goes to; every state not listed refuses the event */
  readonly to: { readonly [S in OrdState]?: OrdState }
  /** the fields it may change besides the state: every other field must stay as it was */
  readonly changes: readonly Field[]
}

const BROKER_IDS: Field[] = ['brokerOrderId']
const CHAIN: Field[] = ['clOrdId', 'origClOrdId', 'brokerClOrdId']
const TERMS: Field[] = ['orderQty', 'price', 'stopPx', 'timeInForce']
const FILLS: Field[] = ['cumQty', 'avgPx', 'leavesQty']

/**
 * What each event does to the fixture orders, written out from FIX 4.4 (Appendix D) and
 * our choices in docs/decisions.md, not derived from the table.
 */
const CASES: { readonly [label: string]: Case } = {
  Validated: { event: () => ({ kind: 'Validated' }), refusedAs: 'Validated', to: { Received: 'PendingRisk' }, changes: [] },
  RiskAccepted: { event: () => ({ kind: 'RiskAccepted', brokerSession: 'broker2' }), refusedAs: 'RiskAccepted', to: { PendingRisk: 'PendingNew' }, changes: ['brokerSession'] },
  RiskHeld: { event: () => ({ kind: 'RiskHeld', brokerSession: 'broker2' }), refusedAs: 'RiskHeld', to: { PendingRisk: 'Held' }, changes: ['brokerSession'] },
  Released: { event: () => ({ kind: 'Released' }), refusedAs: 'Released', to: { Held: 'PendingNew' }, changes: [] },
  InternalReject: {
    event: () => ({ kind: 'InternalReject' }),
    refusedAs: 'InternalReject',
    to: { Received: 'Rejected', PendingRisk: 'Rejected', Held: 'Rejected' },
    changes: ['leavesQty', 'pending']
  },
  BrokerPendingNew: { event: () => ({ kind: 'BrokerPendingNew' }), refusedAs: 'BrokerPendingNew', to: { PendingNew: 'PendingNew', PendingCancel: 'PendingCancel' }, changes: [] },
  BrokerAck: {
    event: () => ({ kind: 'BrokerAck', brokerClOrdId: 'FGW7', brokerOrderId: 'BO-7' }),
    refusedAs: 'BrokerAck',
    to: { PendingNew: 'New', New: 'New', PartiallyFilled: 'PartiallyFilled', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace' },
    changes: ['brokerOrderId', 'brokerClOrdId']
  },
  BrokerReject: {
    event: () => ({ kind: 'BrokerReject' }),
    refusedAs: 'BrokerReject',
    to: { PendingNew: 'Rejected', PendingCancel: 'Rejected' },
    changes: ['leavesQty', 'pending']
  },
  'Fill (partial)': {
    event: () => ({ kind: 'Fill', lastQty: d('10'), lastPx: d('12'), brokerOrderId: 'BO-7' }),
    refusedAs: 'PartialFill',
    to: {
      PendingNew: 'PartiallyFilled', New: 'PartiallyFilled', PartiallyFilled: 'PartiallyFilled', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace',
      Filled: 'Filled', // an overfill: kept, never lost
      Canceled: 'Canceled', DoneForDay: 'DoneForDay', Expired: 'Expired', Rejected: 'Rejected'
    },
    changes: [...FILLS, 'pending', ...BROKER_IDS]
  },
  'Fill (completing)': {
    event: (o) => ({ kind: 'Fill', lastQty: o.cumQty.lt(o.orderQty) ? o.orderQty.minus(o.cumQty) : d('10'), lastPx: d('12'), brokerOrderId: null }),
    refusedAs: 'FullFill',
    to: {
      PendingNew: 'Filled', New: 'Filled', PartiallyFilled: 'Filled', PendingCancel: 'Filled', PendingReplace: 'Filled',
      Filled: 'Filled', Canceled: 'Filled', DoneForDay: 'Filled', Expired: 'Filled', Rejected: 'Rejected'
    },
    changes: [...FILLS, 'pending', ...BROKER_IDS]
  },
  CancelRequested: {
    event: () => ({ kind: 'CancelRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9' }),
    refusedAs: 'CancelRequested',
    to: { Held: 'Canceled', PendingNew: 'PendingCancel', New: 'PendingCancel', PartiallyFilled: 'PendingCancel' },
    changes: ['pending', 'leavesQty', 'clOrdId', 'origClOrdId']
  },
  CancelAcked: { event: () => ({ kind: 'CancelAcked', brokerOrderId: 'BO-7' }), refusedAs: 'CancelAcked', to: { PendingCancel: 'Canceled' }, changes: [...CHAIN, 'leavesQty', 'pending', ...BROKER_IDS] },
  CancelRejected: { event: () => ({ kind: 'CancelRejected' }), refusedAs: 'CancelRejected', to: { PendingCancel: 'PartiallyFilled' }, changes: ['pending'] },
  ReplaceRequested: {
    event: () => ({ kind: 'ReplaceRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9', values: { orderQty: d('80'), price: d('11'), stopPx: null, timeInForce: '1' } }),
    refusedAs: 'ReplaceRequested',
    to: { Held: 'Held', New: 'PendingReplace', PartiallyFilled: 'PendingReplace' },
    changes: ['pending', ...CHAIN, ...TERMS, 'leavesQty']
  },
  ReplaceAcked: { event: () => ({ kind: 'ReplaceAcked', brokerOrderId: 'BO-7' }), refusedAs: 'ReplaceAcked', to: { PendingReplace: 'PartiallyFilled' }, changes: [...CHAIN, ...TERMS, 'leavesQty', 'pending', ...BROKER_IDS] },
  ReplaceRejected: { event: () => ({ kind: 'ReplaceRejected' }), refusedAs: 'ReplaceRejected', to: { PendingReplace: 'PartiallyFilled' }, changes: ['pending'] },
  UnsolicitedCancel: {
    event: () => ({ kind: 'UnsolicitedCancel', brokerOrderId: null }),
    refusedAs: 'UnsolicitedCancel',
    to: { PendingNew: 'Canceled', New: 'Canceled', PartiallyFilled: 'Canceled', PendingCancel: 'Canceled', PendingReplace: 'Canceled' },
    changes: ['leavesQty', 'pending', ...BROKER_IDS]
  },
  DoneForDay: {
    event: () => ({ kind: 'DoneForDay' }),
    refusedAs: 'DoneForDay',
    to: { PendingNew: 'DoneForDay', New: 'DoneForDay', PartiallyFilled: 'DoneForDay', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace' },
    changes: ['leavesQty']
  },
  Expired: {
    event: () => ({ kind: 'Expired' }),
    refusedAs: 'Expired',
    to: { PendingNew: 'Expired', New: 'Expired', PartiallyFilled: 'Expired', PendingCancel: 'Expired', PendingReplace: 'Expired', DoneForDay: 'Expired' },
    changes: ['leavesQty', 'pending']
  },
  Restated: {
    event: () => ({ kind: 'Restated', orderQty: d('90') }),
    refusedAs: 'Restated',
    to: {
      PendingNew: 'PendingNew', New: 'New', PartiallyFilled: 'PartiallyFilled', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace',
      Filled: 'Filled', Canceled: 'Canceled', Expired: 'Expired',
      DoneForDay: 'PartiallyFilled' // a GT order's next-day restatement: working again
    },
    changes: ['orderQty', 'leavesQty']
  },
  'TradeAmended (bust, some fills left)': {
    event: () => ({ kind: 'TradeAmended', amendment: 'bust', cumQty: d('30'), avgPx: d('10') }),
    refusedAs: 'TradeBusted',
    to: {
      PendingNew: 'PendingNew', New: 'PartiallyFilled', PartiallyFilled: 'PartiallyFilled', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace',
      Filled: 'PartiallyFilled', Canceled: 'Canceled', DoneForDay: 'DoneForDay', Expired: 'Expired'
    },
    changes: FILLS
  },
  'TradeAmended (bust, no fills left)': {
    event: () => ({ kind: 'TradeAmended', amendment: 'bust', cumQty: ZERO, avgPx: ZERO }),
    refusedAs: 'TradeBusted',
    to: {
      PendingNew: 'PendingNew', New: 'New', PartiallyFilled: 'New', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace',
      Filled: 'New', Canceled: 'Canceled', DoneForDay: 'DoneForDay', Expired: 'Expired'
    },
    changes: FILLS
  },
  'TradeAmended (correction, below OrderQty)': {
    event: () => ({ kind: 'TradeAmended', amendment: 'correct', cumQty: d('30'), avgPx: d('10.5') }),
    refusedAs: 'PartialFill',
    to: {
      PendingNew: 'PartiallyFilled', New: 'PartiallyFilled', PartiallyFilled: 'PartiallyFilled', PendingCancel: 'PendingCancel', PendingReplace: 'PendingReplace',
      Filled: 'PartiallyFilled', // un-filled by the correction
      Canceled: 'Canceled', DoneForDay: 'DoneForDay', Expired: 'Expired', Rejected: 'Rejected'
    },
    changes: FILLS
  },
  'TradeAmended (covering OrderQty)': {
    event: () => ({ kind: 'TradeAmended', amendment: 'correct', cumQty: d('100'), avgPx: d('10.5') }),
    refusedAs: 'FullFill',
    to: {
      PendingNew: 'Filled', New: 'Filled', PartiallyFilled: 'Filled', PendingCancel: 'Filled', PendingReplace: 'Filled',
      Filled: 'Filled', Canceled: 'Filled', DoneForDay: 'Filled', Expired: 'Filled', Rejected: 'Rejected'
    },
    changes: FILLS
  }
}

const KINDS: { readonly [K in OrderEventKind]: true } = {
  Validated: true, RiskAccepted: true, RiskHeld: true, Released: true, InternalReject: true, BrokerPendingNew: true, BrokerAck: true,
  BrokerReject: true, Fill: true, CancelRequested: true, CancelAcked: true, CancelRejected: true, ReplaceRequested: true, ReplaceAcked: true,
  ReplaceRejected: true, UnsolicitedCancel: true, DoneForDay: true, Expired: true, Restated: true, TradeAmended: true
}

const ALL_FIELDS = Object.keys(inState('New')) as Field[]

describe('domain/order-apply', () => {
  it('has a case for every kind of event', () => {
    const covered = new Set(Object.values(CASES).map((c) => c.event(inState('New')).kind))
    expect([...covered].sort()).to.deep.equal(Object.keys(KINDS).sort())
  })

  describe('each event from each state (table-driven)', () => {
    for (const [label, c] of Object.entries(CASES)) {
      describe(label, () => {
        for (const state of ORD_STATES) {
          const to = c.to[state]
          if (to === undefined) {
            it(`${state}: refused, the order unchanged`, () => {
              const o = inState(state)
              const before = shown(o)
              const r = apply(o, c.event(o))
              expect(r).to.deep.equal({ ok: false, from: state, event: c.refusedAs, code: 'INVALID_TRANSITION' })
              expect(shown(o)).to.deep.equal(before)
            })
            continue
          }
          it(`${state} → ${to}, changing only ${c.changes.length === 0 ? 'the state' : c.changes.join(', ')}`, () => {
            const o = inState(state)
            const before = shown(o)
            const r = applied(o, c.event(o))
            expect([r.from, r.to, r.order.state]).to.deep.equal([state, to, to])
            const kept = ALL_FIELDS.filter((f) => f !== 'state' && !c.changes.includes(f))
            expect(shown(Object.fromEntries(kept.map((f) => [f, r.order[f]])))).to.deep.equal(shown(Object.fromEntries(kept.map((f) => [f, o[f]]))))
            expect(shown(o), 'the input order is not changed').to.deep.equal(before)
          })
        }
      })
    }
  })

  describe('a new order', () => {
    const valid: ValidNewOrder = {
      clOrdId: 'C1', account: 'ACC1', symbol: 'IBM', securityType: 'CS', side: '2', ordType: '4', timeInForce: '1',
      orderQty: d('250'), price: d('10'), stopPx: d('9.5'), handlInst: '1', exDestination: 'XNYS', expireTime: null
    }

    it('is created Received, unrouted, with nothing filled and all its quantity left', () => {
      const o = receiveOrder(asOrderId('O7'), 'client1', valid)
      expect(shown(o)).to.deep.equal(shown({
        orderId: 'O7', clientSession: 'client1', clOrdId: 'C1', origClOrdId: null, account: 'ACC1', symbol: 'IBM', securityType: 'CS',
        side: '2', ordType: '4', timeInForce: '1', expireTime: null, orderQty: d('250'), price: d('10'), stopPx: d('9.5'), handlInst: '1',
        exDestination: 'XNYS', state: 'Received', cumQty: ZERO, leavesQty: d('250'), avgPx: ZERO, brokerSession: null, brokerOrderId: null,
        brokerClOrdId: null, pending: null, version: 1
      }))
    })

    it('moves Received → PendingRisk → PendingNew when routed, taking its broker session', () => {
      const v = applied(receiveOrder(asOrderId('O7'), 'client1', valid), { kind: 'Validated' })
      const a = applied(v.order, { kind: 'RiskAccepted', brokerSession: 'broker1' })
      expect([v.from, v.to, a.from, a.to, a.order.brokerSession]).to.deep.equal(['Received', 'PendingRisk', 'PendingRisk', 'PendingNew', 'broker1'])
    })

    it('is Held when its broker is down, and PendingNew once released', () => {
      const v = applied(receiveOrder(asOrderId('O7'), 'client1', valid), { kind: 'Validated' })
      const h = applied(v.order, { kind: 'RiskHeld', brokerSession: 'broker2' })
      expect([h.to, h.order.brokerSession]).to.deep.equal(['Held', 'broker2'])
      expect(applied(h.order, { kind: 'Released' }).to).to.equal('PendingNew')
    })

    it('cannot skip validation or risk', () => {
      const o = receiveOrder(asOrderId('O7'), 'client1', valid)
      expect(apply(o, { kind: 'RiskAccepted', brokerSession: 'broker1' })).to.deep.equal({ ok: false, from: 'Received', event: 'RiskAccepted', code: 'INVALID_TRANSITION' })
      expect(apply(o, { kind: 'Released' }).ok).to.equal(false)
    })

    it('InternalReject leaves nothing to fill', () => {
      expect(shown(applied(inState('Held'), { kind: 'InternalReject' }).order.leavesQty)).to.equal('0')
    })
  })

  describe('BrokerAck', () => {
    it('records the broker\'s OrderID and the ClOrdID it accepted on the first ack', () => {
      const r = applied(inState('PendingNew'), { kind: 'BrokerAck', brokerClOrdId: 'FGW1', brokerOrderId: 'BO-9' })
      expect([r.order.brokerOrderId, r.order.brokerClOrdId]).to.deep.equal(['BO-9', 'FGW1'])
    })

    it('keeps our broker ClOrdID and OrderID when a later ack quotes another or none', () => {
      const r = applied(inState('New'), { kind: 'BrokerAck', brokerClOrdId: 'FGW5', brokerOrderId: null })
      expect([r.to, r.order.brokerOrderId, r.order.brokerClOrdId]).to.deep.equal(['New', 'BO-1', 'FGW1'])
    })
  })

  describe('BrokerReject', () => {
    it('ends a pending cancel with the order: nothing is left or pending', () => {
      const r = applied(inState('PendingCancel', { cumQty: ZERO, avgPx: ZERO, leavesQty: d('100') }), { kind: 'BrokerReject' })
      expect(shown([r.to, r.order.leavesQty, r.order.pending])).to.deep.equal(['Rejected', '0', null])
    })
  })

  describe('Fill', () => {
    it('adds to CumQty at the average price and takes it off LeavesQty', () => {
      const r = applied(inState('PartiallyFilled'), { kind: 'Fill', lastQty: d('20'), lastPx: d('13'), brokerOrderId: null })
      // 40 @ 10 + 20 @ 13 = 660 / 60 = 11
      expect(shown([r.to, r.order.cumQty, r.order.avgPx, r.order.leavesQty, r.order.brokerOrderId])).to.deep.equal(['PartiallyFilled', '60', '11', '40', 'BO-1'])
    })

    it('the first fill can come before the ack, and carries the broker\'s OrderID', () => {
      const r = applied(inState('PendingNew'), { kind: 'Fill', lastQty: d('100'), lastPx: d('10'), brokerOrderId: 'BO-9' })
      expect(shown([r.to, r.order.cumQty, r.order.leavesQty, r.order.brokerOrderId])).to.deep.equal(['Filled', '100', '0', 'BO-9'])
    })

    it('a partial fill while a cancel is pending keeps the request; the completing fill ends it', () => {
      const o = inState('PendingCancel')
      const partial = applied(o, { kind: 'Fill', lastQty: d('10'), lastPx: d('10'), brokerOrderId: null })
      expect(shown([partial.to, partial.order.pending, partial.order.leavesQty])).to.deep.equal(['PendingCancel', shown(cancelPending), '50'])
      const full = applied(o, { kind: 'Fill', lastQty: d('60'), lastPx: d('10'), brokerOrderId: null })
      expect(shown([full.to, full.order.pending, full.order.leavesQty])).to.deep.equal(['Filled', null, '0'])
    })

    it('an overfill is applied: CumQty above OrderQty, nothing left', () => {
      const r = applied(inState('Filled'), { kind: 'Fill', lastQty: d('10'), lastPx: d('10'), brokerOrderId: null })
      expect(shown([r.to, r.order.cumQty, r.order.leavesQty])).to.deep.equal(['Filled', '110', '0'])
    })

    it('a late fill after a cancel is applied; the order stays canceled with nothing left', () => {
      const r = applied(inState('Canceled'), { kind: 'Fill', lastQty: d('10'), lastPx: d('10'), brokerOrderId: null })
      expect(shown([r.to, r.order.cumQty, r.order.leavesQty])).to.deep.equal(['Canceled', '50', '0'])
    })
  })

  describe('CancelRequested', () => {
    it('records the request for the broker to confirm', () => {
      const r = applied(inState('PartiallyFilled'), { kind: 'CancelRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9' })
      expect(shown([r.to, r.order.pending, r.order.clOrdId, r.order.leavesQty])).to.deep.equal(['PendingCancel', {
        kind: 'cancel', clOrdId: 'C9', brokerClOrdId: 'FGW9', orderQty: null, price: null, stopPx: null, timeInForce: null
      }, 'C1', '60'])
    })

    it('a mass cancel\'s leg names no ClOrdID', () => {
      const r = applied(inState('New'), { kind: 'CancelRequested', clOrdId: null, brokerClOrdId: 'FGW9' })
      expect(r.order.pending?.clOrdId).to.equal(null)
    })

    it('a held order is canceled here: the ClOrdID chain moves, nothing is left', () => {
      const r = applied(inState('Held'), { kind: 'CancelRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: null })
      expect(shown([r.to, r.order.clOrdId, r.order.origClOrdId, r.order.leavesQty, r.order.pending])).to.deep.equal(['Canceled', 'C9', 'C1', '0', null])
    })

    it('a held order canceled by a mass cancel keeps its ClOrdID', () => {
      const r = applied(inState('Held'), { kind: 'CancelRequested', clOrdId: null, brokerClOrdId: null })
      expect(shown([r.to, r.order.clOrdId, r.order.origClOrdId, r.order.leavesQty])).to.deep.equal(['Canceled', 'C1', null, '0'])
    })

    it('guard: one request in flight at a time', () => {
      const o = inState('New', { pending: replacePending })
      expect(apply(o, { kind: 'CancelRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9' })).to.deep.equal({ ok: false, from: 'New', event: 'CancelRequested', code: 'INVALID_TRANSITION' })
      expect(apply(o, { kind: 'ReplaceRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9', values: { orderQty: d('50'), price: null, stopPx: null, timeInForce: '0' } }))
        .to.deep.equal({ ok: false, from: 'New', event: 'ReplaceRequested', code: 'INVALID_TRANSITION' })
    })
  })

  describe('CancelAcked', () => {
    it('moves the ClOrdID chain to the cancel\'s and the broker ClOrdID to ours for it; nothing is left', () => {
      const r = applied(inState('PendingCancel'), { kind: 'CancelAcked', brokerOrderId: null })
      expect(shown([r.to, r.order.clOrdId, r.order.origClOrdId, r.order.brokerClOrdId, r.order.brokerOrderId, r.order.leavesQty, r.order.pending]))
        .to.deep.equal(['Canceled', 'C2', 'C1', 'FGW2', 'BO-1', '0', null])
    })

    it('a mass cancel\'s leg leaves the client\'s ClOrdIDs as they were', () => {
      const o = inState('PendingCancel', { origClOrdId: asClOrdId('C0'), pending: { ...cancelPending, clOrdId: null } })
      const r = applied(o, { kind: 'CancelAcked', brokerOrderId: 'BO-9' })
      expect([r.order.clOrdId, r.order.origClOrdId, r.order.brokerClOrdId, r.order.brokerOrderId]).to.deep.equal(['C1', 'C0', 'FGW2', 'BO-9'])
    })

    it('guard: only a pending cancel can be acknowledged', () => {
      expect(apply(inState('PendingCancel', { pending: replacePending }), { kind: 'CancelAcked', brokerOrderId: null }).ok).to.equal(false)
      expect(apply(inState('PendingCancel', { pending: null }), { kind: 'CancelAcked', brokerOrderId: null }).ok).to.equal(false)
    })
  })

  describe('CancelRejected / ReplaceRejected', () => {
    it('the order is working again (New when nothing is filled) and nothing is pending', () => {
      const r = applied(inState('PendingCancel', { cumQty: ZERO, avgPx: ZERO, leavesQty: d('100') }), { kind: 'CancelRejected' })
      expect([r.to, r.order.pending]).to.deep.equal(['New', null])
      const s = applied(inState('PendingReplace'), { kind: 'ReplaceRejected' })
      expect(shown([s.to, s.order.pending, s.order.orderQty])).to.deep.equal(['PartiallyFilled', null, '100'])
    })

    it('"too late": a request still pending on an order its fills completed ends, the order stays Filled', () => {
      expect(applied(inState('Filled', { pending: cancelPending }), { kind: 'CancelRejected' }).order.pending).to.equal(null)
      const r = applied(inState('Filled', { pending: replacePending }), { kind: 'ReplaceRejected' })
      expect([r.to, r.order.pending]).to.deep.equal(['Filled', null])
    })

    it('guard: the answer must match the pending request', () => {
      expect(apply(inState('Filled', { pending: replacePending }), { kind: 'CancelRejected' })).to.deep.equal({ ok: false, from: 'Filled', event: 'CancelRejected', code: 'INVALID_TRANSITION' })
      expect(apply(inState('Filled', { pending: cancelPending }), { kind: 'ReplaceRejected' })).to.deep.equal({ ok: false, from: 'Filled', event: 'ReplaceRejected', code: 'INVALID_TRANSITION' })
    })
  })

  describe('ReplaceRequested', () => {
    const values = { orderQty: d('80'), price: d('11'), stopPx: null, timeInForce: '1' } as const

    it('records the new terms for the broker to confirm; the order keeps its own meanwhile', () => {
      const r = applied(inState('New'), { kind: 'ReplaceRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: 'FGW9', values })
      expect(shown([r.to, r.order.pending, r.order.orderQty, r.order.price, r.order.clOrdId])).to.deep.equal(['PendingReplace', {
        kind: 'replace', clOrdId: 'C9', brokerClOrdId: 'FGW9', orderQty: '80', price: '11', stopPx: null, timeInForce: '1'
      }, '100', '10', 'C1'])
    })

    it('a held order (no broker to ask) is replaced at once and stays Held', () => {
      const r = applied(inState('Held'), { kind: 'ReplaceRequested', clOrdId: asClOrdId('C9'), brokerClOrdId: null, values })
      expect(shown([r.from, r.to, r.order.clOrdId, r.order.origClOrdId, r.order.orderQty, r.order.price, r.order.timeInForce, r.order.leavesQty, r.order.brokerClOrdId, r.order.pending]))
        .to.deep.equal(['Held', 'Held', 'C9', 'C1', '80', '11', '1', '80', null, null])
    })
  })

  describe('ReplaceAcked', () => {
    it('the new terms take effect, the ClOrdID chain moves, LeavesQty follows', () => {
      const r = applied(inState('PendingReplace'), { kind: 'ReplaceAcked', brokerOrderId: null })
      expect(shown([r.to, r.order.clOrdId, r.order.origClOrdId, r.order.brokerClOrdId, r.order.orderQty, r.order.price, r.order.timeInForce, r.order.leavesQty, r.order.pending, r.order.brokerOrderId]))
        .to.deep.equal(['PartiallyFilled', 'C2', 'C1', 'FGW2', '80', '11', '1', '40', null, 'BO-1'])
    })

    it('New when nothing is filled; takes the broker\'s new OrderID', () => {
      const r = applied(inState('PendingReplace', { cumQty: ZERO, avgPx: ZERO, leavesQty: d('100') }), { kind: 'ReplaceAcked', brokerOrderId: 'BO-9' })
      expect(shown([r.to, r.order.leavesQty, r.order.brokerOrderId])).to.deep.equal(['New', '80', 'BO-9'])
    })

    it('a replace down to CumQty leaves nothing to fill: Filled', () => {
      const r = applied(inState('PendingReplace', { pending: { ...replacePending, orderQty: d('40') } }), { kind: 'ReplaceAcked', brokerOrderId: null })
      expect(shown([r.from, r.to, r.order.orderQty, r.order.leavesQty])).to.deep.equal(['PendingReplace', 'Filled', '40', '0'])
    })

    for (const [what, pending] of [
      ['no request pending', null],
      ['a cancel pending', cancelPending],
      ['a replace without its ClOrdID', { ...replacePending, clOrdId: null }],
      ['a replace without its OrderQty', { ...replacePending, orderQty: null }],
      ['a replace without its TimeInForce', { ...replacePending, timeInForce: null }]
    ] as const) {
      it(`guard: refused with ${what}`, () => {
        const o = inState('PendingReplace', { pending })
        expect(apply(o, { kind: 'ReplaceAcked', brokerOrderId: null })).to.deep.equal({ ok: false, from: 'PendingReplace', event: 'ReplaceAcked', code: 'INVALID_TRANSITION' })
      })
    }
  })

  describe('UnsolicitedCancel, DoneForDay, Expired', () => {
    it('an unsolicited cancel ends any request and leaves nothing', () => {
      const r = applied(inState('PendingReplace'), { kind: 'UnsolicitedCancel', brokerOrderId: 'BO-9' })
      expect(shown([r.to, r.order.pending, r.order.leavesQty, r.order.brokerOrderId])).to.deep.equal(['Canceled', null, '0', 'BO-9'])
    })

    it('DoneForDay keeps what is left for the next day, and a pending request', () => {
      expect(shown(applied(inState('PartiallyFilled'), { kind: 'DoneForDay' }).order.leavesQty)).to.equal('60')
      expect(applied(inState('PendingCancel'), { kind: 'DoneForDay' }).order.pending).to.equal(cancelPending)
    })

    it('Expired ends any request and leaves nothing', () => {
      const r = applied(inState('PendingCancel'), { kind: 'Expired' })
      expect(shown([r.to, r.order.pending, r.order.leavesQty])).to.deep.equal(['Expired', null, '0'])
    })
  })

  describe('Restated', () => {
    it('a new OrderQty: LeavesQty follows', () => {
      const r = applied(inState('PartiallyFilled'), { kind: 'Restated', orderQty: d('70') })
      expect(shown([r.to, r.order.orderQty, r.order.leavesQty])).to.deep.equal(['PartiallyFilled', '70', '30'])
    })

    it('no OrderQty: the terms stay; a done-for-day order works again', () => {
      const r = applied(inState('DoneForDay'), { kind: 'Restated', orderQty: null })
      expect(shown([r.to, r.order.orderQty, r.order.leavesQty])).to.deep.equal(['PartiallyFilled', '100', '60'])
    })

    it('a finished order keeps nothing to fill', () => {
      expect(shown(applied(inState('Canceled'), { kind: 'Restated', orderQty: d('200') }).order.leavesQty)).to.equal('0')
    })
  })

  describe('TradeAmended', () => {
    it('takes the totals recomputed from the remaining fills', () => {
      const r = applied(inState('Filled'), { kind: 'TradeAmended', amendment: 'bust', cumQty: d('60'), avgPx: d('9.75') })
      expect(shown([r.to, r.order.cumQty, r.order.avgPx, r.order.leavesQty])).to.deep.equal(['PartiallyFilled', '60', '9.75', '40'])
    })

    it('a finished order keeps nothing to fill', () => {
      const r = applied(inState('Canceled'), { kind: 'TradeAmended', amendment: 'bust', cumQty: d('10'), avgPx: d('10') })
      expect(shown([r.to, r.order.cumQty, r.order.leavesQty])).to.deep.equal(['Canceled', '10', '0'])
    })

    it('a correction that completes an order with a cancel pending fills it and keeps the request for the broker\'s answer', () => {
      const r = applied(inState('PendingCancel'), { kind: 'TradeAmended', amendment: 'correct', cumQty: d('100'), avgPx: d('10') })
      expect(shown([r.to, r.order.leavesQty, r.order.pending])).to.deep.equal(['Filled', '0', shown(cancelPending)])
    })

    it('a bust on a rejected order is refused (a fill on it is kept, not undone)', () => {
      const o = inState('Rejected', { cumQty: d('10'), avgPx: d('10') })
      expect(apply(o, { kind: 'TradeAmended', amendment: 'bust', cumQty: ZERO, avgPx: ZERO })).to.deep.equal({ ok: false, from: 'Rejected', event: 'TradeBusted', code: 'INVALID_TRANSITION' })
    })
  })

  describe('mustApply', () => {
    it('returns what apply returns', () => {
      expect(mustApply(inState('Held'), { kind: 'Released' }).to).to.equal('PendingNew')
    })

    it('throws where apply refuses', () => {
      expect(() => mustApply(inState('Filled'), { kind: 'Released' })).to.throw('order O1: Released refused in state Filled')
    })
  })
})
