/**
 * Broker ExecutionReports and OrderCancelRejects applied to our orders. Each one runs
 * in one transaction: execution row (deduped on broker ExecID), order state through the
 * state machine, fill and position, audit, and our own report to the client, which
 * is sent after the commit with quantities we computed.
 */
import { addFill, leavesQty } from '../domain/fills'
import { ZERO } from '../domain/money'
import { ORD_REJ } from '../domain/new-order'
import { CXL_REJ } from '../domain/replace'
import { sideSign, type Order } from '../domain/order'
import { ORD_STATUS, isTerminal, type OrdState } from '../domain/order-state'
import { transition, type OrderEvent } from '../domain/order-state-machine'
import { applyToPosition } from '../domain/position'
import type { ClOrdId } from '../domain/ids'
import { normalizeExecution, type BrokerCancelReject, type BrokerEvent, type BrokerExecReport } from './execution-normalizer'
import type { OmsContext } from './context'
import type { Effects } from './effects'
import type { ClientExecReport, ExecutionRow, OmsTx, RouteRow } from './ports'
import { applyRestated, applyTradeAmendment, reconcileEvents, reconcileUnresolved } from './trade-corrections'
import { applyReplace } from './cancel-replace-command'
import { refuseTransition, saveOrder } from './order-ops'

export async function onBrokerExecution (ctx: OmsContext, brokerSession: string, er: BrokerExecReport, fixMessage: string | null): Promise<void> {
  const n = normalizeExecution(er)
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
      await reconcile(ctx, tx, fx, brokerSession, brokerClOrdId, route, order, event, er, fixMessage)
      return
    }
    await applyToOrder(ctx, tx, fx, brokerSession, brokerClOrdId, route, order, event, er, clientExecId, fixMessage, ref)
  })
}

/** A broker status report: apply whatever it says that we did not know, as broker events. */
async function reconcile (ctx: OmsContext, tx: OmsTx, fx: Effects, brokerSession: string, brokerClOrdId: string, route: RouteRow,
  order: Order, status: BrokerEvent & { kind: 'Status' }, er: BrokerExecReport | null, fixMessage: string | null): Promise<void> {
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
    await applyToOrder(ctx, tx, fx, brokerSession, brokerClOrdId, route, current, e, er, execId, fixMessage, null)
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

async function applyToOrder (ctx: OmsContext, tx: OmsTx, fx: Effects, brokerSession: string, brokerClOrdId: string, route: RouteRow,
  order: Order, event: BrokerEvent, er: BrokerExecReport | null, execId: string, fixMessage: string | null, ref: ExecutionRow | null): Promise<void> {
  const step = async (e: OrderEvent, hasFills: boolean): Promise<OrdState | null> => {
    const t = transition(order.state, e, hasFills)
    if (t.ok) return t.to
    await refuseTransition(tx, ctx.deps.logger, order, e, brokerSession, fixMessage)
    return null
  }
  const report = async (next: Order, r: Omit<ClientExecReport, 'order' | 'ordStatus' | 'execId'>): Promise<void> => {
    const saved = await saveOrder(tx, order, next, brokerSession, fixMessage)
    await fx.er({ ...r, order: saved, execId, ordStatus: ORD_STATUS[saved.state] })
  }
  const brokerOrderId = er?.brokerOrderId ?? order.brokerOrderId
  switch (event.kind) {
    case 'PendingNew':
    case 'PendingCancel':
    case 'PendingReplace':
    case 'Status':
      return // we answered the client's pending state ourselves; nothing changes
    case 'TradeCancel':
    case 'TradeCorrect':
      if (ref != null) await applyTradeAmendment(ctx, tx, order, event, ref, step, report, brokerSession)
      return
    case 'Restated':
      await applyRestated(order, event, step, report)
      return
    case 'Ack': {
      const to = await step('BrokerAck', order.cumQty.gt(0))
      if (to == null) return
      await tx.markRoute(brokerSession, brokerClOrdId, 'accepted', er?.brokerOrderId ?? null)
      const next = { ...order, state: to, brokerOrderId, brokerClOrdId: order.brokerClOrdId ?? brokerClOrdId }
      if (to === order.state) { await saveOrder(tx, order, next, brokerSession, fixMessage); return }
      await report(next, { execType: '0' })
      return
    }
    case 'Trade': {
      const totals = addFill(order, event.lastQty, event.lastPx)
      const full = totals.cumQty.gte(order.orderQty)
      const to = await step(full ? 'FullFill' : 'PartialFill', true)
      if (to == null) return
      if (totals.cumQty.gt(order.orderQty)) {
        ctx.deps.logger.error({ orderId: order.orderId, cumQty: totals.cumQty.toFixed(), orderQty: order.orderQty.toFixed() }, 'OVERFILL')
        await tx.audit({ actor: brokerSession, kind: 'overfill', orderId: order.orderId, detail: { cumQty: totals.cumQty.toFixed(), orderQty: order.orderQty.toFixed() } })
      }
      const account = order.account ?? ''
      const pos = await tx.lockPosition(account, order.symbol)
      await tx.savePosition(account, order.symbol, applyToPosition(pos, event.lastQty.times(sideSign(order.side)), event.lastPx, event.commission))
      // A fill that completes the order ends any pending request: it can no longer apply.
      const pending = to === 'Filled' ? null : order.pending
      await report({ ...order, state: to, pending, brokerOrderId, cumQty: totals.cumQty, avgPx: totals.avgPx, leavesQty: leavesQty(order.orderQty, totals.cumQty, isTerminal(to)) },
        { execType: 'F', lastQty: event.lastQty, lastPx: event.lastPx })
      return
    }
    case 'Rejected': {
      const to = await step('BrokerReject', false)
      if (to == null) return
      await tx.markRoute(brokerSession, brokerClOrdId, 'rejected', er?.brokerOrderId ?? null)
      await report({ ...order, state: to, pending: null, leavesQty: ZERO }, { execType: '8', ordRejReason: ORD_REJ.BROKER_OPTION, text: event.text ?? 'rejected by broker' })
      return
    }
    case 'Canceled': {
      const p = order.pending
      if (p?.kind === 'cancel') { // our cancel, confirmed (whichever of the chain's ClOrdIDs the broker quotes)
        const to = await step('CancelAcked', order.cumQty.gt(0))
        if (to == null) return
        await tx.markRoute(brokerSession, p.brokerClOrdId ?? brokerClOrdId, 'accepted', er?.brokerOrderId ?? null)
        const clOrdId = p.clOrdId ?? order.clOrdId
        await report({ ...order, state: to, pending: null, brokerOrderId, clOrdId, origClOrdId: p.clOrdId == null ? order.origClOrdId : order.clOrdId, brokerClOrdId: p.brokerClOrdId, leavesQty: ZERO },
          { execType: '4', origClOrdId: p.clOrdId == null ? undefined : order.clOrdId })
        return
      }
      const to = await step('UnsolicitedCancel', order.cumQty.gt(0))
      if (to == null) return
      await report({ ...order, state: to, pending: null, brokerOrderId, leavesQty: ZERO }, { execType: '4', text: event.text ?? (route.kind === 'new' ? 'canceled by broker' : undefined) })
      return
    }
    case 'Replaced': {
      const p = order.pending
      if (p?.kind !== 'replace' || p.clOrdId == null || p.orderQty == null || p.timeInForce == null) {
        await refuseTransition(tx, ctx.deps.logger, order, 'ReplaceAcked', brokerSession, fixMessage)
        return
      }
      const to = await step('ReplaceAcked', order.cumQty.gt(0))
      if (to == null) return
      await tx.markRoute(brokerSession, p.brokerClOrdId ?? brokerClOrdId, 'accepted', er?.brokerOrderId ?? null)
      const replaced = applyReplace(order, p.clOrdId, { orderQty: p.orderQty, price: p.price, stopPx: p.stopPx, timeInForce: p.timeInForce }, p.brokerClOrdId)
      await report({ ...replaced, brokerOrderId }, { execType: '5', origClOrdId: order.clOrdId })
      return
    }
    case 'DoneForDay':
    case 'Expired': {
      const to = await step(event.kind, order.cumQty.gt(0))
      if (to == null) return
      await report({ ...order, state: to, pending: to === 'Expired' ? null : order.pending, leavesQty: leavesQty(order.orderQty, order.cumQty, isTerminal(to)) },
        { execType: event.kind === 'DoneForDay' ? '3' : 'C' })
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
  const e: OrderEvent = p.kind === 'cancel' ? 'CancelRejected' : 'ReplaceRejected'
  const t = transition(order.state, e, order.cumQty.gt(0))
  if (!t.ok) { await refuseTransition(tx, ctx.deps.logger, order, e, actor, fixMessage); return }
  if (p.brokerClOrdId != null && order.brokerSession != null) await tx.markRoute(order.brokerSession, p.brokerClOrdId, 'rejected', null)
  const saved = await saveOrder(tx, order, { ...order, state: t.to, pending: null }, actor, fixMessage)
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
