/**
 * Every change to an order goes through `apply(order, event)`, as in NautilusTrader's
 * `OrderCore::apply`: guards first, then the transition table (order-state-machine.ts),
 * then a handler for the event that computes the order's other fields. Pure: the caller
 * persists the result (saveOrder: version and audit) or audits the refusal.
 *
 * Events carry their own context (the broker's OrderID, the new ClOrdID, the fill), so
 * a handler needs nothing but the order and the event. Handlers never set the state:
 * the table does, and a handler only sees where the table sent the order.
 */
import { ZERO, type Decimal } from './money'
import { addFill, leavesQty } from './fills'
import type { ClOrdId, OrderId } from './ids'
import type { Order, PendingRequest } from './order'
import { isTerminal, type OrdState } from './order-state'
import { transition, type OrderEvent } from './order-state-machine'
import type { ValidNewOrder } from './new-order'
import type { ReplaceValues } from './replace'

/**
 * What can happen to an order. Most kinds are the table's event of the same name; two
 * pick theirs from the quantities: `Fill` (PartialFill or FullFill) and `TradeAmended`
 * (FullFill, TradeBusted or PartialFill).
 *
 * `brokerOrderId` is the broker's OrderID(37) as its report gave it; null keeps ours.
 */
export type OrderEventAny =
  // our own pipeline, before the order reaches a broker
  | { readonly kind: 'Validated' }
  | { readonly kind: 'RiskAccepted', readonly brokerSession: string } // routed: sent now
  | { readonly kind: 'RiskHeld', readonly brokerSession: string } // its broker is down: held
  | { readonly kind: 'Released' } // the held order's broker logged on
  | { readonly kind: 'InternalReject' }
  // the broker's answers to the order
  | { readonly kind: 'BrokerPendingNew' }
  | { readonly kind: 'BrokerAck', readonly brokerClOrdId: string, readonly brokerOrderId: string | null }
  | { readonly kind: 'BrokerReject' }
  | { readonly kind: 'Fill', readonly lastQty: Decimal, readonly lastPx: Decimal, readonly brokerOrderId: string | null }
  // the client's requests and the broker's answers to them. A request's brokerClOrdId is
  // our ClOrdID toward the broker; null when no broker is asked (the order is held, and
  // the request takes effect at once). clOrdId is null for a mass cancel's leg.
  | { readonly kind: 'CancelRequested', readonly clOrdId: ClOrdId | null, readonly brokerClOrdId: string | null }
  | { readonly kind: 'CancelAcked', readonly brokerOrderId: string | null }
  | { readonly kind: 'CancelRejected' }
  | { readonly kind: 'ReplaceRequested', readonly clOrdId: ClOrdId, readonly brokerClOrdId: string | null, readonly values: ReplaceValues }
  | { readonly kind: 'ReplaceAcked', readonly brokerOrderId: string | null }
  | { readonly kind: 'ReplaceRejected' }
  // what the broker does on its own
  | { readonly kind: 'UnsolicitedCancel', readonly brokerOrderId: string | null }
  | { readonly kind: 'DoneForDay' }
  | { readonly kind: 'Expired' }
  | { readonly kind: 'Restated', readonly orderQty: Decimal | null } // null: quantity unchanged
  // a bust or correction: the totals recomputed from the order's remaining active fills
  | { readonly kind: 'TradeAmended', readonly amendment: 'bust' | 'correct', readonly cumQty: Decimal, readonly avgPx: Decimal }

export type OrderEventKind = OrderEventAny['kind']

export type Applied = { readonly ok: true, readonly order: Order, readonly from: OrdState, readonly to: OrdState }
export type Refused = { readonly ok: false, readonly from: OrdState, readonly event: OrderEvent, readonly code: 'INVALID_TRANSITION' }
export type ApplyResult = Applied | Refused

/**
 * `event` applied to `order`: the new order (same version: saveOrder bumps it), or the
 * refusal, naming the table event that was refused. A refused event changes nothing.
 */
export function apply (order: Order, event: OrderEventAny): ApplyResult {
  const from = order.state
  const refused = guard(order, event)
  if (refused != null) return { ok: false, from, event: refused, code: 'INVALID_TRANSITION' }
  let to = from
  for (const [e, hasFills] of steps(order, event)) {
    const t = transition(to, e, hasFills)
    if (!t.ok) return { ok: false, from, event: e, code: 'INVALID_TRANSITION' }
    to = t.to
  }
  return { ok: true, order: { ...order, ...patch(order, event, to), state: to }, from, to }
}

/** apply() where a refusal would be a bug (the caller has checked): throws instead. */
export function mustApply (order: Order, event: OrderEventAny): Applied {
  const r = apply(order, event)
  if (!r.ok) throw new Error(`order ${order.orderId}: ${r.event} refused in state ${r.from}`)
  return r
}

/** A client's validated NewOrderSingle as an order: Received, not routed, nothing filled. */
export function receiveOrder (orderId: OrderId, clientSession: string, o: ValidNewOrder): Order {
  return {
    orderId,
    clientSession,
    clOrdId: o.clOrdId as ClOrdId,
    origClOrdId: null,
    account: o.account,
    symbol: o.symbol,
    securityType: o.securityType,
    side: o.side,
    ordType: o.ordType,
    timeInForce: o.timeInForce,
    expireTime: o.expireTime,
    orderQty: o.orderQty,
    price: o.price,
    stopPx: o.stopPx,
    handlInst: o.handlInst,
    exDestination: o.exDestination,
    state: 'Received',
    cumQty: ZERO,
    leavesQty: o.orderQty,
    avgPx: ZERO,
    brokerSession: null,
    brokerOrderId: null,
    brokerClOrdId: null,
    pending: null,
    version: 1
  }
}

/** Guards: what the table cannot see. The refused table event, or null when the event may go on. */
function guard (o: Order, e: OrderEventAny): OrderEvent | null {
  const p = o.pending
  switch (e.kind) {
    case 'CancelRequested':
    case 'ReplaceRequested':
      return p == null ? null : e.kind // one request in flight at a time
    case 'CancelAcked':
    case 'CancelRejected':
      return p?.kind === 'cancel' ? null : e.kind
    case 'ReplaceAcked':
      return p?.kind === 'replace' && p.clOrdId != null && p.orderQty != null && p.timeInForce != null ? null : e.kind
    case 'ReplaceRejected':
      return p?.kind === 'replace' ? null : e.kind
    default:
      return null
  }
}

type Step = readonly [OrderEvent, boolean] // the table event and whether the order has fills ('Working')

/** The table steps the event takes, in order. */
function steps (o: Order, e: OrderEventAny): readonly Step[] {
  const filled = o.cumQty.gt(0)
  switch (e.kind) {
    case 'Fill':
      return [[addFill(o, e.lastQty, e.lastPx).cumQty.gte(o.orderQty) ? 'FullFill' : 'PartialFill', true]]
    case 'TradeAmended':
      if (e.cumQty.gte(o.orderQty)) return [['FullFill', true]]
      // a bust, or a correction that un-fills a Filled order; any other correction is a fill
      if (e.amendment === 'bust' || o.state === 'Filled') return [['TradeBusted', e.cumQty.gt(0)]]
      return [['PartialFill', true]]
    case 'ReplaceRequested':
      // A held order never reached a broker: its replace takes effect here at once and it
      // stays Held. The table has no (Held, ReplaceRequested) row: this is the one change
      // made without one (docs/decisions.md, State machine).
      return o.state === 'Held' ? [] : [['ReplaceRequested', filled]]
    case 'ReplaceAcked': {
      // A replace down to CumQty leaves nothing to fill: the order is Filled by its fills.
      const q = (o.pending as PendingRequest).orderQty as Decimal
      return o.cumQty.gte(q) ? [['ReplaceAcked', filled], ['FullFill', true]] : [['ReplaceAcked', filled]]
    }
    default:
      return [[e.kind, filled]]
  }
}

type Patch = Partial<Omit<Order, 'state' | 'orderId' | 'version'>>

/** What the event changes besides the state, given where the table sent the order. */
function patch (o: Order, e: OrderEventAny, to: OrdState): Patch {
  switch (e.kind) {
    case 'Validated':
    case 'Released':
    case 'BrokerPendingNew':
      return {}
    case 'RiskAccepted':
    case 'RiskHeld':
      return { brokerSession: e.brokerSession }
    case 'InternalReject':
    case 'BrokerReject':
      return { pending: null, leavesQty: ZERO }
    case 'BrokerAck':
      return { brokerOrderId: e.brokerOrderId ?? o.brokerOrderId, brokerClOrdId: o.brokerClOrdId ?? e.brokerClOrdId }
    case 'Fill': {
      const t = addFill(o, e.lastQty, e.lastPx)
      return {
        cumQty: t.cumQty,
        avgPx: t.avgPx,
        leavesQty: leavesQty(o.orderQty, t.cumQty, isTerminal(to)),
        // a fill that completes the order ends any pending request: it can no longer apply
        pending: to === 'Filled' ? null : o.pending,
        brokerOrderId: e.brokerOrderId ?? o.brokerOrderId
      }
    }
    case 'CancelRequested':
      if (to === 'PendingCancel') {
        return { pending: { kind: 'cancel', clOrdId: e.clOrdId, brokerClOrdId: e.brokerClOrdId, orderQty: null, price: null, stopPx: null, timeInForce: null } }
      }
      // canceled here (held): the ClOrdID chain moves, unless a mass cancel named none
      return e.clOrdId == null ? { leavesQty: ZERO } : { leavesQty: ZERO, clOrdId: e.clOrdId, origClOrdId: o.clOrdId }
    case 'CancelAcked': {
      const p = o.pending as PendingRequest
      return {
        pending: null,
        brokerOrderId: e.brokerOrderId ?? o.brokerOrderId,
        clOrdId: p.clOrdId ?? o.clOrdId,
        origClOrdId: p.clOrdId == null ? o.origClOrdId : o.clOrdId,
        brokerClOrdId: p.brokerClOrdId,
        leavesQty: ZERO
      }
    }
    case 'CancelRejected':
    case 'ReplaceRejected':
      return { pending: null }
    case 'ReplaceRequested':
      if (to === 'PendingReplace') return { pending: { kind: 'replace', clOrdId: e.clOrdId, brokerClOrdId: e.brokerClOrdId, ...e.values } }
      return replaced(o, e.clOrdId, e.values, o.brokerClOrdId, to) // held: at once
    case 'ReplaceAcked': {
      const p = o.pending as PendingRequest
      const values = { orderQty: p.orderQty as Decimal, price: p.price, stopPx: p.stopPx, timeInForce: p.timeInForce as ReplaceValues['timeInForce'] }
      return { ...replaced(o, p.clOrdId as ClOrdId, values, p.brokerClOrdId, to), brokerOrderId: e.brokerOrderId ?? o.brokerOrderId }
    }
    case 'UnsolicitedCancel':
      return { pending: null, brokerOrderId: e.brokerOrderId ?? o.brokerOrderId, leavesQty: ZERO }
    case 'DoneForDay':
      return { leavesQty: leavesQty(o.orderQty, o.cumQty, isTerminal(to)) }
    case 'Expired':
      return { pending: null, leavesQty: ZERO }
    case 'Restated': {
      const orderQty = e.orderQty ?? o.orderQty
      return { orderQty, leavesQty: leavesQty(orderQty, o.cumQty, isTerminal(to)) }
    }
    case 'TradeAmended':
      return { cumQty: e.cumQty, avgPx: e.avgPx, leavesQty: leavesQty(o.orderQty, e.cumQty, isTerminal(to)) }
  }
}

/** A replace taking effect: the ClOrdID chain moves, the new terms apply, nothing is pending. */
function replaced (o: Order, clOrdId: ClOrdId, v: ReplaceValues, brokerClOrdId: string | null, to: OrdState): Patch {
  return {
    clOrdId,
    origClOrdId: o.clOrdId,
    orderQty: v.orderQty,
    price: v.price,
    stopPx: v.stopPx,
    timeInForce: v.timeInForce,
    leavesQty: leavesQty(v.orderQty, o.cumQty, isTerminal(to)),
    brokerClOrdId,
    pending: null
  }
}
