/**
 * Broker ExecutionReports and OrderCancelRejects applied to our orders. Each one runs
 * in one transaction: execution row (deduped on broker ExecID), order state through the
 * state machine, fill and position, audit, and our own report to the client, which
 * is sent after the commit with quantities we computed.
 */
import { ORD_REJ } from '../domain/new-order'
import { CXL_REJ } from '../domain/replace'
import { sideSign, type Order } from '../domain/order'
import { ORD_STATUS } from '../domain/order-state'
import { apply } from '../domain/order-apply'
import { applyToPosition } from '../domain/position'
import type { ClOrdId } from '../domain/ids'
import { normalizeExecution, type BrokerCancelReject, type BrokerEvent, type BrokerExecReport } from './execution-normalizer'
import type { OmsContext } from './context'
import type { Effects } from './effects'
import type { ExecutionRow, OmsTx, RouteRow } from './ports'
import { applyRestated, applyTradeAmendment, reconcileEvents, reconcileUnresolved, type Refuse, type Report } from './trade-corrections'
import { refuseTransition, saveOrder } from './order-ops'

export async function onBrokerExecution (ctx: OmsContext, brokerSession: string, er: BrokerExecReport, fixMessage: string | null): Promise<void> {
  const n = normalizeExecution(er)
  if (!n.ok && n.outOfBounds === true) {
    // A number beyond what we compute with exactly (a 1,000-digit LastQty): never applied,
    // never rounded; an anomaly for an operator, like an overfill.
    ctx.deps.logger.error({ broker: brokerSession, problem: n.problem, execId: er.execId }, 'broker execution report with a number out of bounds: not applied')
    await ctx.run(async (tx) => { await tx.audit({ actor: brokerSession, kind: 'broker_er_out_of_bounds', detail: { problem: n.problem, execId: er.execId, brokerClOrdId: er.brokerClOrdId }, fixMessage }) })
    return
  }
  if (!n.ok) {
    ctx.deps.logger.warn({ broker: brokerSession, problem: n.problem, execId: er.execId }, 'broker execution report not applied')
    await ctx.run(async (tx) => { await tx.audit({ actor: brokerSession, kind: 'broker_er_unhandled', detail: { problem: n.problem }, fixMessage }) })
    return
  }
  await applyBrokerEvent(ctx, brokerSession, er.brokerClOrdId ?? '', n.event, er, fixMessage)
}

export async function applyBrokerEvent (ctx: OmsContext, brokerSession: string, brokerClOrdId: string, event: BrokerEvent,
  er: BrokerExecReport | null, fixMessage: string | null): Promise<void> {
  await ctx.run(async (tx, fx) => {
    const found = await findOrder(ctx, tx, brokerSession, brokerClOrdId, fixMessage)
    if (found == null) return
    const { route, order } = found
    const clientExecId = await tx.nextClientExecId()
    // A bust or correction must name a live fill of this order; otherwise it changes nothing.
    let ref: ExecutionRow | null = null
    if (event.kind === 'TradeCancel' || event.kind === 'TradeCorrect') {
      ref = await tx.findExecution(brokerSession, event.refExecId)
      if (ref == null || ref.orderId !== order.orderId || ref.status !== 'active' || !['F', 'G'].includes(ref.execType)) {
        ctx.deps.logger.error({ broker: brokerSession, orderId: order.orderId, refExecId: event.refExecId }, 'trade bust/correction names no live fill of this order: not applied')
        await tx.audit({ actor: brokerSession, kind: 'trade_amend_unmatched', orderId: order.orderId, detail: { refExecId: event.refExecId, found: ref?.status ?? null }, fixMessage })
        return
      }
    }
    if (er != null) {
      const fill = event.kind === 'Trade' || event.kind === 'TradeCorrect' ? event : null
      const fresh = await tx.insertExecution({
        brokerSession,
        execId: er.execId ?? '',
        orderId: order.orderId,
        account: order.account ?? '',
        symbol: order.symbol,
        side: order.side,
        execType: er.execType ?? '',
        lastQty: fill?.lastQty ?? null,
        lastPx: fill?.lastPx ?? null,
        commission: fill?.commission ?? null,
        correctsId: event.kind === 'TradeCorrect' ? ref?.id : undefined,
        clientExecId
      })
      if (!fresh) {
        ctx.deps.logger.info({ broker: brokerSession, execId: er.execId }, 'duplicate broker ExecID ignored')
        await tx.audit({ actor: brokerSession, kind: 'duplicate_execution', orderId: order.orderId, detail: { execId: er.execId } })
        return
      }
    }
    if (event.kind === 'Status') {
      await reconcile(ctx, tx, fx, { brokerSession, brokerClOrdId, route, er, fixMessage }, order, event)
      return
    }
    await applyToOrder(ctx, tx, fx, { brokerSession, brokerClOrdId, route, er, fixMessage }, order, event, clientExecId, ref)
  })
}

/** A broker status report: apply whatever it says that we did not know, as broker events. */
async function reconcile (ctx: OmsContext, tx: OmsTx, fx: Effects, src: Source, order: Order, status: BrokerEvent & { kind: 'Status' }): Promise<void> {
  const { brokerSession, er, fixMessage } = src
  const events = reconcileEvents(order, status)
  const unresolved = reconcileUnresolved(order, status)
  if (unresolved != null) {
    // Never silently ignored: logged at error level and audited for an operator to resolve.
    ctx.deps.logger.error({ broker: brokerSession, orderId: order.orderId, problem: unresolved }, 'broker status differs from ours and cannot be applied')
    await tx.audit({ actor: brokerSession, kind: 'reconcile_unresolved', orderId: order.orderId, detail: { problem: unresolved }, fixMessage })
  }
  if (events.length === 0) return
  ctx.deps.logger.warn({ broker: brokerSession, orderId: order.orderId, ours: { state: order.state, cumQty: order.cumQty.toFixed() }, theirs: { ordStatus: status.ordStatus, cumQty: status.cumQty?.toFixed() } }, 'broker status differs from ours: applying the difference')
  await tx.audit({ actor: brokerSession, kind: 'reconcile_difference', orderId: order.orderId, detail: { events: events.map((e) => e.kind), brokerOrdStatus: status.ordStatus, brokerCumQty: status.cumQty?.toFixed(), ourCumQty: order.cumQty.toFixed(), ourState: order.state }, fixMessage })
  let current = order
  for (const [i, e] of events.entries()) {
    const execId = await tx.nextClientExecId()
    if (e.kind === 'Trade') {
      // the missed fill gets an execution row of its own, so positions and busts see it
      await tx.insertExecution({
        brokerSession, execId: `${er?.execId ?? 'status'}:reconciled-${i}`, orderId: current.orderId, account: current.account ?? '', symbol: current.symbol, side: current.side,
        execType: 'F', lastQty: e.lastQty, lastPx: e.lastPx, commission: e.commission, clientExecId: execId
      })
    }
    await applyToOrder(ctx, tx, fx, src, current, e, execId, null)
    current = await tx.lockOrder(current.orderId) ?? current
  }
}

async function findOrder (ctx: OmsContext, tx: OmsTx, brokerSession: string, brokerClOrdId: string, fixMessage: string | null): Promise<{ route: RouteRow, order: Order } | null> {
  const route = await tx.findRoute(brokerSession, brokerClOrdId)
  if (route == null) {
    ctx.deps.logger.warn({ broker: brokerSession, brokerClOrdId }, 'broker message for an unknown ClOrdID')
    await tx.audit({ actor: brokerSession, kind: 'broker_unknown_order', detail: { brokerClOrdId }, fixMessage })
    return null
  }
  const order = await tx.lockOrder(route.orderId)
  if (order == null) throw new Error(`route ${brokerClOrdId} points at missing order ${route.orderId}`)
  await tx.audit({ actor: brokerSession, kind: 'fix_in', orderId: order.orderId, fixMessage })
  return { route, order }
}

/** Where a broker event came from: the session, the ClOrdID it quoted and its route, the report itself. */
interface Source {
  readonly brokerSession: string
  readonly brokerClOrdId: string
  readonly route: RouteRow
  readonly er: BrokerExecReport | null
  readonly fixMessage: string | null
}

/** One broker event applied to the order (through apply), then its side effects and our report to the client. */
async function applyToOrder (ctx: OmsContext, tx: OmsTx, fx: Effects, src: Source, order: Order, event: BrokerEvent, execId: string, ref: ExecutionRow | null): Promise<void> {
  const { brokerSession, brokerClOrdId, route, er, fixMessage } = src
  const refuse: Refuse = async (e) => { await refuseTransition(tx, ctx.deps.logger, order, e, brokerSession, fixMessage) }
  const report: Report = async (next, r) => {
    const saved = await saveOrder(tx, order, next, brokerSession, fixMessage)
    await fx.er({ ...r, order: saved, execId, ordStatus: ORD_STATUS[saved.state] })
  }
  const brokerOrderId = er?.brokerOrderId ?? null
  switch (event.kind) {
    case 'PendingNew':
    case 'PendingCancel':
    case 'PendingReplace':
    case 'Status':
      return // we answered the client's pending state ourselves; nothing changes
    case 'TradeCancel':
    case 'TradeCorrect':
      if (ref != null) await applyTradeAmendment(ctx, tx, order, event, ref, refuse, report, brokerSession)
      return
    case 'Restated':
      await applyRestated(order, event, refuse, report)
      return
    case 'Ack': {
      const r = apply(order, { kind: 'BrokerAck', brokerClOrdId, brokerOrderId })
      if (!r.ok) { await refuse(r.event); return }
      await tx.markRoute(brokerSession, brokerClOrdId, 'accepted', brokerOrderId)
      if (r.to === r.from) { await saveOrder(tx, order, r.order, brokerSession, fixMessage); return }
      await report(r.order, { execType: '0' })
      return
    }
    case 'Trade': {
      const r = apply(order, { kind: 'Fill', lastQty: event.lastQty, lastPx: event.lastPx, brokerOrderId })
      if (!r.ok) { await refuse(r.event); return }
      const { cumQty, orderQty } = r.order
      if (cumQty.gt(orderQty)) {
        ctx.deps.logger.error({ orderId: order.orderId, cumQty: cumQty.toFixed(), orderQty: orderQty.toFixed() }, 'OVERFILL')
        await tx.audit({ actor: brokerSession, kind: 'overfill', orderId: order.orderId, detail: { cumQty: cumQty.toFixed(), orderQty: orderQty.toFixed() } })
      }
      const account = order.account ?? ''
      const pos = await tx.lockPosition(account, order.symbol)
      await tx.savePosition(account, order.symbol, applyToPosition(pos, event.lastQty.times(sideSign(order.side)), event.lastPx, event.commission))
      await report(r.order, { execType: 'F', lastQty: event.lastQty, lastPx: event.lastPx })
      return
    }
    case 'Rejected': {
      const r = apply(order, { kind: 'BrokerReject' })
      if (!r.ok) { await refuse(r.event); return }
      await tx.markRoute(brokerSession, brokerClOrdId, 'rejected', brokerOrderId)
      await report(r.order, { execType: '8', ordRejReason: ORD_REJ.BROKER_OPTION, text: event.text ?? 'rejected by broker' })
      return
    }
    case 'Canceled': {
      const p = order.pending
      if (p?.kind === 'cancel') { // our cancel, confirmed (whichever of the chain's ClOrdIDs the broker quotes)
        const r = apply(order, { kind: 'CancelAcked', brokerOrderId })
        if (!r.ok) { await refuse(r.event); return }
        await tx.markRoute(brokerSession, p.brokerClOrdId ?? brokerClOrdId, 'accepted', brokerOrderId)
        await report(r.order, { execType: '4', origClOrdId: p.clOrdId == null ? undefined : order.clOrdId })
        return
      }
      const r = apply(order, { kind: 'UnsolicitedCancel', brokerOrderId })
      if (!r.ok) { await refuse(r.event); return }
      await report(r.order, { execType: '4', text: event.text ?? (route.kind === 'new' ? 'canceled by broker' : undefined) })
      return
    }
    case 'Replaced': {
      const r = apply(order, { kind: 'ReplaceAcked', brokerOrderId })
      if (!r.ok) { await refuse(r.event); return }
      await tx.markRoute(brokerSession, order.pending?.brokerClOrdId ?? brokerClOrdId, 'accepted', brokerOrderId)
      await report(r.order, { execType: '5', origClOrdId: order.clOrdId })
      return
    }
    case 'DoneForDay':
    case 'Expired': {
      const r = apply(order, { kind: event.kind })
      if (!r.ok) { await refuse(r.event); return }
      await report(r.order, { execType: event.kind === 'DoneForDay' ? '3' : 'C' })
    }
  }
}

/** The broker refused our cancel or replace: the order leaves its pending state; the client hears why. */
export async function onBrokerCancelReject (ctx: OmsContext, brokerSession: string, rej: BrokerCancelReject, fixMessage: string | null): Promise<void> {
  await ctx.run(async (tx, fx) => {
    const found = await findOrder(ctx, tx, brokerSession, rej.brokerClOrdId ?? '', fixMessage)
    if (found == null) return
    const { order } = found
    const p = order.pending
    if (p == null || (p.brokerClOrdId != null && rej.brokerClOrdId != null && p.brokerClOrdId !== rej.brokerClOrdId)) {
      ctx.deps.logger.warn({ orderId: order.orderId, brokerClOrdId: rej.brokerClOrdId }, 'broker cancel reject matches no pending request')
      await tx.audit({ actor: brokerSession, kind: 'cancel_reject_unmatched', orderId: order.orderId, fixMessage })
      return
    }
    await rejectPending(ctx, tx, fx, order, brokerSession, parseReason(rej.cxlRejReason), rej.text ?? `${p.kind} rejected by broker`, fixMessage)
  })
}

/** Leave PendingCancel/PendingReplace after a refusal and tell the client (if it asked). */
export async function rejectPending (ctx: OmsContext, tx: OmsTx, fx: Effects, order: Order, actor: string, cxlRejReason: number, text: string, fixMessage: string | null): Promise<void> {
  const p = order.pending
  if (p == null) return
  const r = apply(order, { kind: p.kind === 'cancel' ? 'CancelRejected' : 'ReplaceRejected' })
  if (!r.ok) { await refuseTransition(tx, ctx.deps.logger, order, r.event, actor, fixMessage); return }
  if (p.brokerClOrdId != null && order.brokerSession != null) await tx.markRoute(order.brokerSession, p.brokerClOrdId, 'rejected', null)
  const saved = await saveOrder(tx, order, r.order, actor, fixMessage)
  if (p.clOrdId == null) return // a mass cancel's leg: the client asked for no single answer
  await fx.cancelReject(order.clientSession, {
    orderId: order.orderId,
    clOrdId: p.clOrdId as ClOrdId,
    origClOrdId: order.clOrdId,
    ordStatus: ORD_STATUS[saved.state],
    responseTo: p.kind === 'cancel' ? 1 : 2,
    cxlRejReason,
    text
  })
}

function parseReason (raw: string | null): number {
  const n = raw == null ? NaN : Number(raw)
  return Number.isInteger(n) && [0, 1, 2, 3, 4, 5, 6, 99].includes(n) ? n : CXL_REJ.OTHER
}
