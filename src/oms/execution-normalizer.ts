/**
 * Broker ExecutionReport → BrokerEvent. Pure: the FIX adapter extracts the fields as
 * strings, this decides what they mean. The broker's CumQty/LeavesQty/AvgPx are
 * deliberately not part of the event: we compute ours from the fills.
 */
import { Decimal, parseDecimal, ZERO } from '../domain/money'

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
  | { readonly ok: false, readonly problem: string }

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
      const orderQty = er.orderQty == null ? null : parseDecimal(er.orderQty)
      if (er.orderQty != null && (orderQty == null || !orderQty.isPositive() || orderQty.isZero())) return { ok: false, problem: `restatement with bad OrderQty(38)=${er.orderQty}` }
      return { ok: true, event: { kind: 'Restated', orderQty, reason: er.execRestatementReason } }
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
    case 'I': return { ok: true, event: { kind: 'Status', ordStatus: er.ordStatus, cumQty: parseDecimal(er.cumQty), avgPx: parseDecimal(er.avgPx) } }
    default: return { ok: false, problem: `ExecType(150)=${er.execType ?? ''} not handled yet` }
  }
}

type TradeFields = { readonly ok: true, readonly lastQty: Decimal, readonly lastPx: Decimal, readonly commission: Decimal } | { readonly ok: false, readonly problem: string }

/** LastQty(32), LastPx(31), Commission(12) of a trade or a trade correction. */
function trade (er: BrokerExecReport): TradeFields {
  const what = er.execType === 'G' ? 'trade correct' : 'trade'
  const lastQty = parseDecimal(er.lastQty)
  const lastPx = parseDecimal(er.lastPx)
  if (lastQty == null || !lastQty.isPositive() || lastQty.isZero()) return { ok: false, problem: `${what} with bad LastQty(32)=${er.lastQty ?? ''}` }
  if (lastPx == null || lastPx.isNegative()) return { ok: false, problem: `${what} with bad LastPx(31)=${er.lastPx ?? ''}` }
  const commission = er.commission == null ? ZERO : parseDecimal(er.commission)
  if (commission == null) return { ok: false, problem: `${what} with bad Commission(12)=${er.commission ?? ''}` }
  return { ok: true, lastQty, lastPx, commission }
}
