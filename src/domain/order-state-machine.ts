/**
 * The order state machine: one table, (state, event) → target. Everything not in the
 * table is an invalid transition, which is refused (never applied) and reported to the
 * caller so it can audit it and answer on the wire.
 *
 * Targets that depend on the fills rather than on the event alone are symbolic:
 *   'Working' — New when nothing is filled yet, PartiallyFilled otherwise
 *   'Same'    — the state does not change (a fill while a cancel is pending, say)
 */
import type { OrdState } from './order-state'

export const ORDER_EVENTS = [
  'Validated', // Received → PendingRisk
  'RiskAccepted', // → PendingNew (routed)
  'RiskHeld', // → Held (route down, hold configured)
  'Released', // Held → PendingNew
  'InternalReject', // validation / risk / routing refused it
  'BrokerPendingNew',
  'BrokerAck',
  'BrokerReject',
  'PartialFill',
  'FullFill',
  'CancelRequested',
  'CancelAcked',
  'CancelRejected',
  'ReplaceRequested',
  'ReplaceAcked',
  'ReplaceRejected',
  'UnsolicitedCancel',
  'DoneForDay',
  'Expired',
  'Restated',
  'TradeBusted'
] as const
export type OrderEvent = typeof ORDER_EVENTS[number]

export type Target = OrdState | 'Working' | 'Same'
type Row = { readonly [E in OrderEvent]?: Target }

// Open states in which the broker may still execute against the order.
const LIVE: Row = {
  PartialFill: 'PartiallyFilled',
  FullFill: 'Filled',
  UnsolicitedCancel: 'Canceled',
  DoneForDay: 'DoneForDay',
  Expired: 'Expired',
  Restated: 'Same',
  TradeBusted: 'Working'
}

/* eslint-disable key-spacing */
export const TRANSITIONS: { readonly [S in OrdState]: Row } = {
  Received:        { Validated: 'PendingRisk', InternalReject: 'Rejected' },
  PendingRisk:     { RiskAccepted: 'PendingNew', RiskHeld: 'Held', InternalReject: 'Rejected' },
  Held:            { Released: 'PendingNew', InternalReject: 'Rejected', CancelRequested: 'Canceled' },
  PendingNew:      { ...LIVE, BrokerPendingNew: 'Same', BrokerAck: 'New', BrokerReject: 'Rejected',
                     CancelRequested: 'PendingCancel', TradeBusted: 'Same' },
  New:             { ...LIVE, BrokerAck: 'Same', CancelRequested: 'PendingCancel', ReplaceRequested: 'PendingReplace' },
  PartiallyFilled: { ...LIVE, BrokerAck: 'Same', CancelRequested: 'PendingCancel', ReplaceRequested: 'PendingReplace' },
  // While a cancel or replace is pending, fills and busts are reported against the
  // original order and the pending status stays until the broker answers (FIX 4.4
  // Appendix D; Pending Cancel/Replace outrank Done for Day in OrdStatus precedence).
  // The original NewOrderSingle's PendingNew/ack/reject may still cross our request.
  PendingCancel:   { ...LIVE, PartialFill: 'Same', TradeBusted: 'Same', DoneForDay: 'Same', CancelAcked: 'Canceled',
                     CancelRejected: 'Working', BrokerAck: 'Same', BrokerPendingNew: 'Same', BrokerReject: 'Rejected' },
  PendingReplace:  { ...LIVE, PartialFill: 'Same', TradeBusted: 'Same', DoneForDay: 'Same', ReplaceAcked: 'Working',
                     ReplaceRejected: 'Working', BrokerAck: 'Same' },
  // Terminal and done-for-day states still accept what real venues send late: a fill
  // after a cancel or expiry, a bust after a fill, the "too late to cancel" reject that
  // follows the final fill (Appendix D D5), a GT order's next-day restatement (D27).
  // A fill on a Filled order is an overfill: kept (never lose a fill) and flagged by the OMS.
  Filled:          { PartialFill: 'Same', FullFill: 'Same', TradeBusted: 'Working', Restated: 'Same', CancelRejected: 'Same', ReplaceRejected: 'Same' },
  Canceled:        { PartialFill: 'Same', FullFill: 'Filled', TradeBusted: 'Same', Restated: 'Same' },
  DoneForDay:      { PartialFill: 'Same', FullFill: 'Filled', TradeBusted: 'Same', Restated: 'Working', Expired: 'Expired' },
  Expired:         { PartialFill: 'Same', FullFill: 'Filled', TradeBusted: 'Same', Restated: 'Same' },
  // A fill for an order the broker rejected is the broker's error, but it happened: it is
  // applied (position, CumQty) and the order stays Rejected.
  Rejected:        { PartialFill: 'Same', FullFill: 'Same' }
}
/* eslint-enable key-spacing */

export type TransitionResult =
  | { readonly ok: true, readonly from: OrdState, readonly to: OrdState }
  | { readonly ok: false, readonly from: OrdState, readonly event: OrderEvent, readonly code: 'INVALID_TRANSITION' }

/**
 * Apply `event` to `from`. `hasFills` resolves the 'Working' target; 'Same' keeps `from`.
 * Pure: the caller persists the result, or audits the refusal.
 */
export function transition (from: OrdState, event: OrderEvent, hasFills: boolean): TransitionResult {
  const target = TRANSITIONS[from][event]
  if (target === undefined) return { ok: false, from, event, code: 'INVALID_TRANSITION' }
  if (target === 'Same') return { ok: true, from, to: from }
  if (target === 'Working') return { ok: true, from, to: hasFills ? 'PartiallyFilled' : 'New' }
  return { ok: true, from, to: target }
}
