/**
 * OrderCancelRequest (F) and OrderCancelReplaceRequest (G) from a client.
 * The order is found by OrigClOrdID (any ClOrdID of its chain) or OrderID, within the
 * client's own session only. Refusals are OrderCancelReject (35=9) with
 * CxlRejResponseTo(434) and CxlRejReason(102); accepted requests answer PendingCancel /
 * PendingReplace and go to the broker with our ClOrdID, OrigClOrdID = the last ClOrdID
 * the broker accepted. A held order (never sent) is canceled or replaced at once.
 */
import { CXL_REJ, validateReplace, type ReplaceRequest } from '../domain/replace'
import { DEFAULT_RULES } from '../domain/new-order'
import { ORD_STATUS, isTerminal } from '../domain/order-state'
import { apply, mustApply, type OrderEventAny } from '../domain/order-apply'
import type { Order } from '../domain/order'
import type { ClOrdId } from '../domain/ids'
import type { OmsContext } from './context'
import type { Effects } from './effects'
import type { OmsTx, OrderRef } from './ports'
import { saveOrder } from './order-ops'
import { runRisk } from './new-order-command'

export interface CancelCommand {
  readonly clOrdId: string
  readonly origClOrdId: string | null
  readonly orderId: string | null
  readonly symbol: string | null
  readonly side: string | null
}

export type ReplaceCommand = CancelCommand & ReplaceRequest

type Kind = 'cancel' | 'replace'

export async function cancelOrder (ctx: OmsContext, clientSession: string, cmd: CancelCommand, fixMessage: string): Promise<void> {
  await request(ctx, clientSession, 'cancel', cmd, fixMessage)
}

export async function replaceOrder (ctx: OmsContext, clientSession: string, cmd: ReplaceCommand, fixMessage: string): Promise<void> {
  await request(ctx, clientSession, 'replace', cmd, fixMessage)
}

async function request (ctx: OmsContext, clientSession: string, kind: Kind, cmd: CancelCommand | ReplaceCommand, fixMessage: string): Promise<void> {
  await ctx.run(async (tx, fx) => {
    const responseTo = kind === 'cancel' ? 1 : 2
    const ref: OrderRef = { clOrdId: cmd.origClOrdId, orderId: cmd.orderId }
    const order = await tx.findClientOrder(clientSession, ref)
    const refuse = async (o: Order | null, cxlRejReason: number, text: string): Promise<void> => {
      await tx.audit({ actor: clientSession, kind: `${kind}_refused`, orderId: o?.orderId ?? null, detail: { clOrdId: cmd.clOrdId, cxlRejReason, text }, fixMessage })
      await fx.cancelReject(clientSession, {
        orderId: o?.orderId ?? 'NONE',
        clOrdId: cmd.clOrdId,
        origClOrdId: o?.clOrdId ?? cmd.origClOrdId ?? '',
        ordStatus: o == null ? '8' : ORD_STATUS[o.state],
        responseTo,
        cxlRejReason,
        text
      })
    }
    if (order == null) {
      await refuse(null, CXL_REJ.UNKNOWN_ORDER, `unknown order: OrigClOrdID(41)=${cmd.origClOrdId ?? ''}${cmd.orderId != null ? ` OrderID(37)=${cmd.orderId}` : ''}`)
      return
    }
    // The new ClOrdID must be unused in this session (savepoint: a duplicate must not abort the transaction).
    const fresh = await tx.savepoint(async () => await tx.claimClOrdId(clientSession, cmd.clOrdId, order.orderId, kind))
    if (!fresh) { await refuse(order, CXL_REJ.DUPLICATE_CLORDID, `duplicate ClOrdID(11)=${cmd.clOrdId}`); return }
    if (order.pending != null) { await refuse(order, CXL_REJ.ALREADY_PENDING, `a ${order.pending.kind} is already pending for this order`); return }
    if (isTerminal(order.state) || order.state === 'DoneForDay') {
      await refuse(order, CXL_REJ.TOO_LATE, `too late to ${kind}: order is ${order.state}`); return
    }
    await tx.audit({ actor: clientSession, kind: 'fix_in', orderId: order.orderId, fixMessage })
    if (kind === 'cancel') await cancel(ctx, tx, fx, order, cmd.clOrdId as ClOrdId, refuse, fixMessage)
    else await replace(ctx, tx, fx, clientSession, order, cmd as ReplaceCommand, refuse, fixMessage)
  })
}

type Refuse = (o: Order | null, cxlRejReason: number, text: string) => Promise<void>
type Request = Extract<OrderEventAny, { kind: 'CancelRequested' | 'ReplaceRequested' }>

async function cancel (ctx: OmsContext, tx: OmsTx, fx: Effects, order: Order, clOrdId: ClOrdId, refuse: Refuse, fixMessage: string): Promise<void> {
  // apply is pure: asked first without a broker ClOrdID, it says whether the cancel is
  // allowed and whether a broker must confirm it, before a broker ClOrdID is spent on it.
  const request: Request = { kind: 'CancelRequested', clOrdId, brokerClOrdId: null }
  const here = apply(order, request)
  if (!here.ok) { await refuse(order, CXL_REJ.TOO_LATE, `cannot cancel an order in state ${order.state}`); return }
  if (here.to === 'Canceled') { // held: never reached a broker, canceled here
    const done = await saveOrder(tx, order, here.order, order.clientSession, fixMessage)
    await fx.er({ order: done, execId: await tx.nextClientExecId(), execType: '4', ordStatus: '4', origClOrdId: order.clOrdId })
    return
  }
  await sendToBroker(tx, fx, order, request, fixMessage)
}

async function replace (ctx: OmsContext, tx: OmsTx, fx: Effects, clientSession: string, order: Order, cmd: ReplaceCommand, refuse: Refuse, fixMessage: string): Promise<void> {
  // The session's number bounds apply to a replace's OrderQty, Price and StopPx as to a new order's.
  const v = validateReplace(order, cmd, ctx.deps.riskConfig?.(clientSession)?.rules ?? DEFAULT_RULES)
  if (!v.ok) { await refuse(order, v.cxlRejReason, v.text); return }
  const risk = await runRisk(ctx, tx, clientSession, { account: order.account, symbol: order.symbol, side: order.side, orderQty: v.values.orderQty, price: v.values.price }, order, fixMessage)
  if (risk != null) { await refuse(order, CXL_REJ.OTHER, risk.text); return }
  const request: Request = { kind: 'ReplaceRequested', clOrdId: cmd.clOrdId as ClOrdId, brokerClOrdId: null, values: v.values }
  const here = apply(order, request)
  if (!here.ok) { await refuse(order, CXL_REJ.TOO_LATE, `cannot replace an order in state ${order.state}`); return }
  if (here.to === 'Held') { // never reached a broker: replaced here
    const saved = await saveOrder(tx, order, here.order, clientSession, fixMessage)
    await fx.er({ order: saved, execId: await tx.nextClientExecId(), execType: '5', ordStatus: ORD_STATUS[saved.state], origClOrdId: order.clOrdId })
    return
  }
  await sendToBroker(tx, fx, order, request, fixMessage)
}

/** Record the pending request, tell the client it is pending, and queue it for the broker. */
async function sendToBroker (tx: OmsTx, fx: Effects, order: Order, request: Request, fixMessage: string): Promise<void> {
  const broker = order.brokerSession
  if (broker == null) throw new Error(`order ${order.orderId} has no broker route`)
  const kind = request.kind === 'CancelRequested' ? 'cancel' : 'replace'
  const brokerClOrdId = await tx.nextBrokerClOrdId()
  await tx.insertBrokerRoute(broker, brokerClOrdId, order.orderId, kind)
  const saved = await saveOrder(tx, order, mustApply(order, { ...request, brokerClOrdId }).order, order.clientSession, fixMessage)
  const pendingType = kind === 'cancel' ? '6' : 'E'
  if (request.clOrdId != null) {
    await fx.er({ order: saved, execId: await tx.nextClientExecId(), execType: pendingType, ordStatus: pendingType, clOrdId: request.clOrdId, origClOrdId: order.clOrdId })
  }
  // Before the broker has acked the order, its only ClOrdID is the one the NOS carried.
  const orig = order.brokerClOrdId ?? await firstBrokerClOrdId(tx, order)
  await fx.broker({ kind: kind === 'cancel' ? 'brokerCancel' : 'brokerReplace', broker, brokerClOrdId, orig, order: saved })
}

async function firstBrokerClOrdId (tx: OmsTx, order: Order): Promise<string> {
  const id = await tx.brokerClOrdIdOf(order.orderId, 'new')
  if (id == null) throw new Error(`order ${order.orderId} has no broker ClOrdID`)
  return id
}
