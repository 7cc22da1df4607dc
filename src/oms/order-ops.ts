/** Small steps every OMS command shares: versioned save with its audit, refusals. */
import type { Logger } from 'pino'
import type { Order } from '../domain/order'
import type { OrderEvent } from '../domain/order-state-machine'
import { ZERO } from '../domain/money'
import type { OrderId, ClOrdId } from '../domain/ids'
import type { OmsTx } from './ports'

/** Persist `after` over `before` (optimistic version check) and audit a state change. */
export async function saveOrder (tx: OmsTx, before: Order, after: Order, actor = 'oms', fixMessage: string | null = null): Promise<Order> {
  const saved = { ...after, version: before.version + 1 }
  await tx.updateOrder(saved)
  if (before.state !== after.state) {
    await tx.audit({ actor, kind: 'transition', orderId: after.orderId, fromState: before.state, toState: after.state, fixMessage })
  }
  return saved
}

/** An invalid transition is refused: nothing changes, the refusal is audited and logged. */
export async function refuseTransition (tx: OmsTx, logger: Logger, order: Order, event: OrderEvent, actor: string, fixMessage: string | null): Promise<void> {
  logger.warn({ orderId: order.orderId, state: order.state, event }, 'invalid order transition refused')
  await tx.audit({ actor, kind: 'invalid_transition', orderId: order.orderId, fromState: order.state, detail: { event }, fixMessage })
}

/** The order fields an answer echoes when no order exists (OrderID=NONE). */
export function orderShell (clientSession: string, clOrdId: string, f: { symbol?: string | null, side?: string | null, account?: string | null }): Order {
  return {
    orderId: 'NONE' as OrderId,
    clientSession,
    clOrdId: clOrdId as ClOrdId,
    origClOrdId: null,
    account: f.account ?? null,
    symbol: f.symbol ?? '',
    securityType: null,
    side: (f.side ?? '1') as Order['side'],
    ordType: '2',
    timeInForce: '0',
    expireTime: null,
    orderQty: ZERO,
    price: null,
    stopPx: null,
    handlInst: null,
    exDestination: null,
    state: 'Rejected',
    cumQty: ZERO,
    leavesQty: ZERO,
    avgPx: ZERO,
    brokerSession: null,
    brokerOrderId: null,
    brokerClOrdId: null,
    pending: null,
    version: 0
  }
}
