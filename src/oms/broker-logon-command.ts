/**
 * When a broker session logs on: held orders for it are released (sent now), and every
 * other open order on it gets an OrderStatusRequest, whose answer is reconciled
 * (trade-corrections.ts) so nothing that happened while we were apart is missed.
 */
import { apply } from '../domain/order-apply'
import type { OmsContext } from './context'
import { saveOrder } from './order-ops'

export async function onBrokerLogon (ctx: OmsContext, broker: string): Promise<{ released: number, checked: number }> {
  return await ctx.run(async (tx, fx) => {
    const orders = await tx.lockBrokerOrders(broker)
    let released = 0
    let checked = 0
    for (const order of orders) {
      if (order.state === 'Held') {
        const r = apply(order, { kind: 'Released' })
        if (!r.ok) continue
        const brokerClOrdId = await tx.brokerClOrdIdOf(order.orderId, 'new')
        if (brokerClOrdId == null) continue
        const saved = await saveOrder(tx, order, r.order, 'oms')
        await fx.broker({ kind: 'brokerNew', broker, brokerClOrdId, order: saved })
        released++
        continue
      }
      // The latest ClOrdID the broker knows: a pending request's, else the last accepted one, else the NOS's.
      const id = order.pending?.brokerClOrdId ?? order.brokerClOrdId ?? await tx.brokerClOrdIdOf(order.orderId, 'new')
      if (id == null) continue
      await fx.broker({ kind: 'brokerStatus', broker, brokerClOrdId: id, order })
      checked++
    }
    if (released + checked > 0) {
      await tx.audit({ actor: broker, kind: 'broker_logon', detail: { released, checked } })
      ctx.deps.logger.info({ broker, released, checked }, 'broker logged on: held orders released, open orders sent for status')
    }
    return { released, checked }
  })
}
