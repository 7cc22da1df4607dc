/**
 * OrderStatusRequest (H) and OrderMassCancelRequest (q) from a client.
 */
import { ORD_STATUS } from '../domain/order-state'
import { apply, mustApply } from '../domain/order-apply'
import { ORD_REJ } from '../domain/new-order'
import type { OmsContext } from './context'
import type { OpenOrderFilter } from './ports'
import { orderShell, saveOrder } from './order-ops'

export interface StatusCommand {
  readonly clOrdId: string | null
  readonly orderId: string | null
  readonly ordStatusReqId: string | null
  readonly symbol: string | null
  readonly side: string | null
}

/** ER ExecType=I with the order's current status; an unknown order gets OrdStatus=8, OrdRejReason=5. */
export async function orderStatus (ctx: OmsContext, clientSession: string, cmd: StatusCommand, fixMessage: string): Promise<void> {
  await ctx.run(async (tx, fx) => {
    const order = await tx.findClientOrder(clientSession, { clOrdId: cmd.clOrdId, orderId: cmd.orderId })
    const execId = await tx.nextClientExecId()
    await tx.audit({ actor: clientSession, kind: 'status_request', orderId: order?.orderId ?? null, detail: { clOrdId: cmd.clOrdId, found: order != null }, fixMessage })
    const ordStatusReqId = cmd.ordStatusReqId ?? undefined
    if (order == null) {
      const shell = orderShell(clientSession, cmd.clOrdId ?? '', cmd)
      await fx.er({ order: shell, execId, execType: 'I', ordStatus: '8', ordRejReason: ORD_REJ.UNKNOWN_ORDER, text: `unknown order: ClOrdID(11)=${cmd.clOrdId ?? ''}`, ordStatusReqId, clOrdId: cmd.clOrdId ?? '' })
      return
    }
    await fx.er({ order, execId, execType: 'I', ordStatus: ORD_STATUS[order.state], ordStatusReqId })
  })
}

export interface MassCancelCommand {
  readonly clOrdId: string
  /** MassCancelRequestType(530): 1 by symbol, 5 by SecurityType, 7 all orders */
  readonly requestType: string | null
  readonly symbol: string | null
  readonly securityType: string | null
}

/** MassCancelRejectReason(532). */
const MASS_REJ = { NOT_SUPPORTED: 0, INVALID_SECURITY: 1, INVALID_SECURITY_TYPE: 5, OTHER: 99 } as const

/**
 * OrderMassCancelReport first (accepted with the number of orders affected, or
 * rejected), then each affected order follows the cancel path: held orders are
 * canceled at once (ER Canceled), routed ones get a cancel to their broker and an ER
 * Canceled when the broker confirms. Orders with a cancel/replace already pending are
 * left alone.
 */
export async function massCancel (ctx: OmsContext, clientSession: string, cmd: MassCancelCommand, fixMessage: string): Promise<void> {
  await ctx.run(async (tx, fx) => {
    const type = cmd.requestType ?? ''
    const massId = `M${await tx.nextOrderId()}`
    const rejectWith = async (rejectReason: number, text: string): Promise<void> => {
      await tx.audit({ actor: clientSession, kind: 'mass_cancel_rejected', detail: { clOrdId: cmd.clOrdId, text }, fixMessage })
      await fx.massReport(clientSession, { clOrdId: cmd.clOrdId, orderId: massId, requestType: type, response: '0', rejectReason, totalAffected: 0, text })
    }
    let filter: OpenOrderFilter
    switch (type) {
      case '1':
        if (cmd.symbol == null) { await rejectWith(MASS_REJ.INVALID_SECURITY, 'MassCancelRequestType(530)=1 needs Symbol(55)'); return }
        filter = { symbol: cmd.symbol }
        break
      case '5':
        if (cmd.securityType == null) { await rejectWith(MASS_REJ.INVALID_SECURITY_TYPE, 'MassCancelRequestType(530)=5 needs SecurityType(167)'); return }
        filter = { securityType: cmd.securityType }
        break
      case '7':
        filter = {}
        break
      default:
        await rejectWith(MASS_REJ.NOT_SUPPORTED, `MassCancelRequestType(530)=${type} is not supported (1 by symbol, 5 by security type, 7 all)`)
        return
    }
    const orders = (await tx.lockOpenOrders(clientSession, filter)).filter((o) => o.pending == null && o.state !== 'DoneForDay')
    await tx.audit({ actor: clientSession, kind: 'mass_cancel', detail: { clOrdId: cmd.clOrdId, type, affected: orders.map((o) => o.orderId) }, fixMessage })
    await fx.massReport(clientSession, { clOrdId: cmd.clOrdId, orderId: massId, requestType: type, response: type, totalAffected: orders.length, symbol: cmd.symbol ?? undefined, securityType: cmd.securityType ?? undefined })
    for (const order of orders) {
      // asked first without a broker ClOrdID: allowed? confirmed by a broker, or canceled here?
      const here = apply(order, { kind: 'CancelRequested', clOrdId: null, brokerClOrdId: null })
      if (!here.ok) continue
      if (here.to === 'Canceled') {
        const done = await saveOrder(tx, order, here.order, clientSession, fixMessage)
        await fx.er({ order: done, execId: await tx.nextClientExecId(), execType: '4', ordStatus: '4' })
        continue
      }
      const broker = order.brokerSession
      if (broker == null) continue
      const brokerClOrdId = await tx.nextBrokerClOrdId()
      await tx.insertBrokerRoute(broker, brokerClOrdId, order.orderId, 'cancel')
      const saved = await saveOrder(tx, order, mustApply(order, { kind: 'CancelRequested', clOrdId: null, brokerClOrdId }).order, clientSession, fixMessage)
      const orig = order.brokerClOrdId ?? await tx.brokerClOrdIdOf(order.orderId, 'new') ?? ''
      await fx.broker({ kind: 'brokerCancel', broker, brokerClOrdId, orig, order: saved })
    }
  })
}
