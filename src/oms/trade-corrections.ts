/**
 * The broker reports that change history: trade busts (ExecType H) and corrections (G)
 * recompute the order's CumQty/AvgPx and the position from the remaining active fills,
 * in trade order, so a bust undoes exactly what its fill did; restatements (D) change
 * the order's terms; status reports (I) are compared with our state, and any difference
 * is applied as the broker event it implies (never silently ignored).
 */
import { Decimal, ZERO } from '../domain/money'
import { addFill, type FillTotals } from '../domain/fills'
import { ORD_STATUS, isTerminal } from '../domain/order-state'
import { apply } from '../domain/order-apply'
import type { Order } from '../domain/order'
import type { OrderEvent } from '../domain/order-state-machine'
import type { BrokerEvent } from './execution-normalizer'
import type { OmsContext } from './context'
import type { Effects } from './effects'
import type { ClientExecReport, OmsTx } from './ports'

/** Audit a refused event (the table event refused). */
export type Refuse = (e: OrderEvent) => Promise<void>
/** Save the order as changed and report it to the client. */
export type Report = (next: Order, r: Omit<ClientExecReport, 'order' | 'ordStatus' | 'execId'>) => Promise<void>

/** CumQty and AvgPx from the order's active fills. */
async function totalsFromFills (tx: OmsTx, orderId: string): Promise<FillTotals> {
  return (await tx.orderFills(orderId)).reduce<FillTotals>((t, f) => addFill(t, f.qty, f.px), { cumQty: ZERO, avgPx: ZERO })
}

async function refreshPosition (tx: OmsTx, order: Order): Promise<void> {
  const account = order.account ?? ''
  await tx.lockPosition(account, order.symbol) // row lock, so concurrent fills in the symbol queue behind us
  await tx.savePosition(account, order.symbol, await tx.positionFromFills(account, order.symbol))
}

/** TradeCancel / TradeCorrect on `order`; `refId`/`refClientExecId` name the execution it amends. */
export async function applyTradeAmendment (ctx: OmsContext, tx: OmsTx, order: Order, event: BrokerEvent & { kind: 'TradeCancel' | 'TradeCorrect' },
  ref: { id: string, clientExecId: string | null, lastQty: Decimal | null, lastPx: Decimal | null }, refuse: Refuse, report: Report, actor: string): Promise<void> {
  await tx.setExecutionStatus(ref.id, event.kind === 'TradeCancel' ? 'busted' : 'corrected')
  const totals = await totalsFromFills(tx, order.orderId)
  const r = apply(order, { kind: 'TradeAmended', amendment: event.kind === 'TradeCancel' ? 'bust' : 'correct', cumQty: totals.cumQty, avgPx: totals.avgPx })
  if (!r.ok) { await refuse(r.event); return }
  await refreshPosition(tx, order)
  await tx.audit({ actor, kind: event.kind === 'TradeCancel' ? 'trade_bust' : 'trade_correct', orderId: order.orderId, detail: { ref: ref.id, cumQty: totals.cumQty.toFixed(), avgPx: totals.avgPx.toFixed() } })
  ctx.deps.logger.warn({ orderId: order.orderId, kind: event.kind, cumQty: totals.cumQty.toFixed() }, 'broker amended a trade')
  await report(r.order, {
    execType: event.kind === 'TradeCancel' ? 'H' : 'G',
    execRefId: ref.clientExecId ?? undefined,
    lastQty: event.kind === 'TradeCorrect' ? event.lastQty : ref.lastQty ?? undefined,
    lastPx: event.kind === 'TradeCorrect' ? event.lastPx : ref.lastPx ?? undefined
  })
}

/** Restated: new OrderQty if the broker changed it; a GT order's next-day restatement makes it working again. */
export async function applyRestated (order: Order, event: BrokerEvent & { kind: 'Restated' }, refuse: Refuse, report: Report): Promise<void> {
  const r = apply(order, { kind: 'Restated', orderQty: event.orderQty })
  if (!r.ok) { await refuse(r.event); return }
  await report(r.order, { execType: 'D', execRestatementReason: event.reason ?? undefined })
}

/**
 * What a broker status report (after a reconnect) says that we do not know yet, as the
 * events to apply: a fill we missed (quantity and price from CumQty/AvgPx), then the
 * terminal state. Pure.
 */
export function reconcileEvents (order: Order, s: BrokerEvent & { kind: 'Status' }): BrokerEvent[] {
  const out: BrokerEvent[] = []
  if (s.cumQty != null && s.cumQty.gt(order.cumQty)) {
    const qty = s.cumQty.minus(order.cumQty)
    const brokerNotional = s.avgPx == null ? null : s.avgPx.times(s.cumQty)
    const px = brokerNotional == null ? order.price : brokerNotional.minus(order.avgPx.times(order.cumQty)).div(qty)
    // Without a price (market order, no AvgPx) the fill cannot be booked: reconcileUnresolved says so.
    if (px != null) out.push({ kind: 'Trade', lastQty: qty, lastPx: px.toDecimalPlaces(10), commission: ZERO })
  }
  const status = s.ordStatus
  if (order.state === 'PendingNew' && (status === '0' || status === '1')) out.push({ kind: 'Ack' })
  if (!isTerminal(order.state)) {
    if (status === '4') out.push({ kind: 'Canceled', text: 'canceled at the broker (found on reconnect)' })
    if (status === 'C') out.push({ kind: 'Expired' })
    if (status === '8') out.push({ kind: 'Rejected', text: 'rejected at the broker (found on reconnect)' })
    if (status === '3' && order.state !== 'DoneForDay') out.push({ kind: 'DoneForDay' })
  }
  return out
}

/**
 * What a status report says that cannot be applied as an event, for an operator: the
 * broker has less filled than we do (a bust we never heard of, or a fill counted twice),
 * or a missed fill with no price to book it at. Null when there is nothing of the kind.
 */
export function reconcileUnresolved (order: Order, s: BrokerEvent & { kind: 'Status' }): string | null {
  if (s.cumQty == null) return null
  if (s.cumQty.lt(order.cumQty)) return `broker CumQty ${s.cumQty.toFixed()} is below ours ${order.cumQty.toFixed()}: a bust we never received, or a fill counted twice`
  if (s.cumQty.gt(order.cumQty) && s.avgPx == null && order.price == null) return `broker CumQty ${s.cumQty.toFixed()} is above ours ${order.cumQty.toFixed()} but it gives no AvgPx to price the missed fill`
  return null
}

export { ORD_STATUS }
export type { Effects }
