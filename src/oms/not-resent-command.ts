/**
 * An order message the broker never got, and will not get: it asked for it again after
 * an outage, and it was older than the broker session's `staleOrderSeconds`, so the
 * session gap-filled it instead of resending it. The client is told: a NewOrderSingle
 * becomes a rejected order (ER 150=8), a cancel or replace an OrderCancelReject.
 */
import { CXL_REJ } from '../domain/replace'
import type { OmsContext } from './context'
import { applyBrokerEvent, rejectPending } from './broker-event-handler'

export async function onBrokerNotResent (ctx: OmsContext, brokerSession: string, brokerClOrdId: string, msgType: string, staleSeconds: number | null): Promise<void> {
  const text = `not sent to ${brokerSession}: more than ${staleSeconds ?? '?'} s old when the broker asked for it again`
  if (msgType === 'D') {
    await applyBrokerEvent(ctx, brokerSession, brokerClOrdId, { kind: 'Rejected', text }, null, null)
    return
  }
  await ctx.run(async (tx, fx) => {
    const route = await tx.findRoute(brokerSession, brokerClOrdId)
    if (route == null) return
    const order = await tx.lockOrder(route.orderId)
    // answered meanwhile (the broker's reconcile, a later fill): nothing pending to refuse
    if (order == null || order.pending?.brokerClOrdId !== brokerClOrdId) return
    await rejectPending(ctx, tx, fx, order, brokerSession, CXL_REJ.BROKER_OPTION, text, null)
  })
}
