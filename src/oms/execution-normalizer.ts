/**
 * Broker ExecutionReport → BrokerEvent. Pure: the FIX adapter extracts the fields as
 * strings, this decides what they mean. The broker's CumQty/LeavesQty/AvgPx are
 * deliberately not part of the event: we compute ours from the fills.
 */
import { Decimal, ZERO } from '../domain/money'
import { HARD_BOUNDS, parseBounded, showValue, type Bound } from '../domain/numeric-bounds'

export interface BrokerExecReport {
  readonly brokerClOrdId: string | null
  readonly origBrokerClOrdId: string | null
  readonly brokerOrderId: string | null
  readonly execId: string | null
  readonly execType: string | null
  readonly ordStatus: string | null
  readonly lastQty: string | null
  readonly lastPx: string | null
  readonly commission: string | null
  readonly execRefId: string | null
  readonly ordRejReason: string | null
  readonly text: string | null
  readonly orderQty: string | null
  readonly cumQty: string | null
  readonly avgPx: string | null
  readonly leavesQty: string | null
  readonly execRestatementReason: string | null
}

export type BrokerEvent =
  | { readonly kind: 'PendingNew' }
  | { readonly kind: 'Ack' }
  | { readonly kind: 'Trade', readonly lastQty: Decimal, readonly lastPx: Decimal, readonly commission: Decimal }
  | { readonly kind: 'Rejected', readonly text: string | null }
  | { readonly kind: 'Canceled', readonly text: string | null }
  | { readonly kind: 'PendingCancel' }
  | { readonly kind: 'PendingReplace' }
  | { readonly kind: 'Replaced' }
  | { readonly kind: 'DoneForDay' }
  | { readonly kind: 'Expired' }
  | { readonly kind: 'Status', readonly ordStatus: string | null, readonly cumQty: Decimal | null, readonly avgPx: Decimal | null }
  | { readonly kind: 'TradeCancel', readonly refExecId: string }
  | { readonly kind: 'TradeCorrect', readonly refExecId: string, readonly lastQty: Decimal, readonly lastPx: Decimal, readonly commission: Decimal }
  | { readonly kind: 'Restated', readonly orderQty: Decimal | null, readonly reason: string | null }

/** A broker's OrderCancelReject (35=9). */
export interface BrokerCancelReject {
  readonly brokerClOrdId: string | null
  readonly origBrokerClOrdId: string | null
  readonly brokerOrderId: string | null
  readonly ordStatus: string | null
  readonly responseTo: string | null
  readonly cxlRejReason: string | null
  readonly text: string | null
}

export type Normalized =
  | { readonly ok: true, readonly event: BrokerEvent }
  /** outOfBounds: a number beyond what we can compute with exactly, an anomaly for an operator */
  | { readonly ok: false, readonly problem: string, readonly outOfBounds?: true }

/**
 * What a broker's numbers may be: the widest bounds any client session may configure
 * (HARD_BOUNDS), for which money.ts's precision keeps every sum and product exact. A
 * broker value beyond them (a 1,000-digit LastQty) is refused whole, never rounded.
 */
const BROKER_QTY: Bound = { min: null, max: HARD_BOUNDS.maxQty, maxDecimals: HARD_BOUNDS.maxQtyDecimals }
const BROKER_QTY_OR_ZERO: Bound = { ...BROKER_QTY, zeroAllowed: true }
const BROKER_PRICE: Bound = { min: null, max: HARD_BOUNDS.maxPrice, maxDecimals: HARD_BOUNDS.maxPriceDecimals, zeroAllowed: true }
const BROKER_MONEY: Bound = { ...BROKER_PRICE, negativeAllowed: true }

type Num = { readonly ok: true, readonly value: Decimal | null } | { readonly ok: false, readonly problem: string, readonly outOfBounds?: true }

/**
 * An optional broker number: absent → null; not a number or of the wrong sign → `bad`
 * (a plain problem); beyond the bound → an out-of-bounds problem naming field and bound.
 */
function brokerNumber (raw: string | null, label: string, b: Bound, bad: string): Num {
  if (raw == null) return { ok: true, value: null }
  const p = parseBounded(raw, b)
  if (p.ok) return p
  if (p.kind !== 'bound') return { ok: false, problem: bad }
  return { ok: false, problem: `${label}=${showValue(raw)} ${p.text}`, outOfBounds: true }
}

export function normalizeExecution (er: BrokerExecReport): Normalized {
  if (er.execId == null || er.execId === '') return { ok: false, problem: 'ExecID(17) missing' }
  switch (er.execType) {
    case 'A': return { ok: true, event: { kind: 'PendingNew' } }
    case '0': return { ok: true, event: { kind: 'Ack' } }
    case 'H': {
      if (er.execRefId == null || er.execRefId === '') return { ok: false, problem: 'trade cancel without ExecRefID(19)' }
      return { ok: true, event: { kind: 'TradeCancel', refExecId: er.execRefId } }
    }
    case 'G': {
      if (er.execRefId == null || er.execRefId === '') return { ok: false, problem: 'trade correct without ExecRefID(19)' }
      const t = trade(er)
      return t.ok ? { ok: true, event: { kind: 'TradeCorrect', refExecId: er.execRefId, lastQty: t.lastQty, lastPx: t.lastPx, commission: t.commission } } : t
    }
    case 'D': {
      const q = brokerNumber(er.orderQty, 'OrderQty(38)', BROKER_QTY, `restatement with bad OrderQty(38)=${showValue(er.orderQty)}`)
      if (!q.ok) return q
      return { ok: true, event: { kind: 'Restated', orderQty: q.value, reason: er.execRestatementReason } }
    }
    case 'F': {
      const t = trade(er)
      return t.ok ? { ok: true, event: { kind: 'Trade', lastQty: t.lastQty, lastPx: t.lastPx, commission: t.commission } } : t
    }
    case '8': return { ok: true, event: { kind: 'Rejected', text: er.text } }
    case '4': return { ok: true, event: { kind: 'Canceled', text: er.text } }
    case '6': return { ok: true, event: { kind: 'PendingCancel' } }
    case 'E': return { ok: true, event: { kind: 'PendingReplace' } }
    case '5': return { ok: true, event: { kind: 'Replaced' } }
    case '3': return { ok: true, event: { kind: 'DoneForDay' } }
    case 'C': return { ok: true, event: { kind: 'Expired' } }
    case 'I': {
      // An unreadable CumQty/AvgPx is left out (null) as before; one beyond the bounds is refused.
      const cumQty = brokerNumber(er.cumQty, 'CumQty(14)', BROKER_QTY_OR_ZERO, '')
      if (!cumQty.ok && cumQty.outOfBounds === true) return cumQty
      const avgPx = brokerNumber(er.avgPx, 'AvgPx(6)', BROKER_PRICE, '')
      if (!avgPx.ok && avgPx.outOfBounds === true) return avgPx
      return { ok: true, event: { kind: 'Status', ordStatus: er.ordStatus, cumQty: cumQty.ok ? cumQty.value : null, avgPx: avgPx.ok ? avgPx.value : null } }
    }
    default: return { ok: false, problem: `ExecType(150)=${er.execType ?? ''} not handled yet` }
  }
}

type TradeFields = { readonly ok: true, readonly lastQty: Decimal, readonly lastPx: Decimal, readonly commission: Decimal } | { readonly ok: false, readonly problem: string, readonly outOfBounds?: true }

/** LastQty(32), LastPx(31), Commission(12) of a trade or a trade correction. */
function trade (er: BrokerExecReport): TradeFields {
  const what = er.execType === 'G' ? 'trade correct' : 'trade'
  const lastQty = brokerNumber(er.lastQty ?? '', 'LastQty(32)', BROKER_QTY, `${what} with bad LastQty(32)=${showValue(er.lastQty)}`)
  if (!lastQty.ok) return lastQty
  const lastPx = brokerNumber(er.lastPx ?? '', 'LastPx(31)', BROKER_PRICE, `${what} with bad LastPx(31)=${showValue(er.lastPx)}`)
  if (!lastPx.ok) return lastPx
  const commission = brokerNumber(er.commission, 'Commission(12)', BROKER_MONEY, `${what} with bad Commission(12)=${showValue(er.commission)}`)
  if (!commission.ok) return commission
  return { ok: true, lastQty: lastQty.value as Decimal, lastPx: lastPx.value as Decimal, commission: commission.value ?? ZERO }
}
