/**
 * The order service: client commands and broker events in, persisted state and
 * outbound messages out. Every command commits in ONE transaction (order, dedupe row,
 * route, execution, position, audit) and only then talks to the client or the broker:
 * nothing is acknowledged before it is committed.
 */
import type { Logger } from 'pino'
import { addFill, leavesQty } from '../domain/fills'
import { ZERO } from '../domain/money'
import { validateNewOrder, ORD_REJ, type NewOrderRequest } from '../domain/new-order'
import { sideSign, type Order } from '../domain/order'
import { ORD_STATUS, isTerminal, type OrdState } from '../domain/order-state'
import { transition, type OrderEvent } from '../domain/order-state-machine'
import { applyToPosition } from '../domain/position'
import type { ClOrdId, OrderId } from '../domain/ids'
import { normalizeExecution, type BrokerEvent, type BrokerExecReport } from './execution-normalizer'
import type { AuditEntry, BrokerGateway, ClientExecReport, ClientGateway, OmsStore, OmsTx, Router } from './ports'

export interface OrderServiceDeps {
  readonly store: OmsStore
  readonly clients: ClientGateway
  readonly brokers: BrokerGateway
  readonly router: Router
  readonly logger: Logger
}

/** Outcome of a client NewOrderSingle, for callers and tests. */
export type NewOrderOutcome =
  | { readonly kind: 'accepted', readonly order: Order }
  | { readonly kind: 'rejected', readonly ordRejReason: number, readonly text: string }

class DuplicateClOrdId extends Error {}

/** The command could not be committed (database down...): nothing was accepted. */
export class NotAcceptedError extends Error {
  constructor (override readonly cause: unknown) {
    super('command not committed')
  }
}

export class OrderService {
  constructor (private readonly deps: OrderServiceDeps) {}

  async newOrder (clientSession: string, req: NewOrderRequest, fixMessage: string): Promise<NewOrderOutcome> {
    const { store, router, brokers } = this.deps
    const v = validateNewOrder(req)
    if (!v.ok) return await this.rejectNew(clientSession, req, v.ordRejReason, v.text, fixMessage)
    const o = v.order
    const broker = router.route({ clientSession, account: o.account, symbol: o.symbol, securityType: o.securityType, exDestination: o.exDestination })
    if (broker == null) return await this.rejectNew(clientSession, req, ORD_REJ.OTHER, `no route for symbol ${o.symbol}`, fixMessage)
    if (!brokers.isUp(broker)) return await this.rejectNew(clientSession, req, ORD_REJ.EXCHANGE_CLOSED, `route ${broker} is not logged on`, fixMessage)

    let accepted: { order: Order, brokerClOrdId: string }
    try {
      accepted = await store.transaction(async (tx) => {
        const orderId = await tx.nextOrderId()
        const order: Order = {
          orderId: orderId as OrderId,
          clientSession,
          clOrdId: o.clOrdId as ClOrdId,
          origClOrdId: null,
          account: o.account,
          symbol: o.symbol,
          securityType: o.securityType,
          side: o.side,
          ordType: o.ordType,
          timeInForce: o.timeInForce,
          expireTime: o.expireTime,
          orderQty: o.orderQty,
          price: o.price,
          stopPx: o.stopPx,
          handlInst: o.handlInst,
          exDestination: o.exDestination,
          state: 'PendingNew',
          cumQty: ZERO,
          leavesQty: o.orderQty,
          avgPx: ZERO,
          brokerSession: broker,
          brokerOrderId: null,
          version: 1
        }
        await tx.insertOrder(order)
        if (!await tx.claimClOrdId(clientSession, o.clOrdId, orderId, 'new')) throw new DuplicateClOrdId()
        const brokerClOrdId = await tx.nextBrokerClOrdId()
        await tx.insertBrokerRoute(broker, brokerClOrdId, orderId, 'new')
        await tx.audit({ actor: clientSession, kind: 'fix_in', orderId, fixMessage })
        await tx.audit({ actor: clientSession, kind: 'transition', orderId, fromState: 'Received', toState: 'PendingRisk' })
        await tx.audit({ actor: 'oms', kind: 'transition', orderId, fromState: 'PendingRisk', toState: 'PendingNew', detail: { broker, brokerClOrdId } })
        return { order, brokerClOrdId }
      })
    } catch (e) {
      if (e instanceof DuplicateClOrdId) {
        return await this.rejectNew(clientSession, req, ORD_REJ.DUPLICATE_ORDER, `duplicate ClOrdID ${o.clOrdId}`, fixMessage)
      }
      throw new NotAcceptedError(e)
    }
    if (!brokers.sendNewOrder(broker, accepted.brokerClOrdId, accepted.order)) {
      // The session went down between the check and the send: the order is committed,
      // so reject it through the normal broker path to keep state and client in step.
      await this.applyEvent(broker, accepted.brokerClOrdId, { kind: 'Rejected', text: `route ${broker} went down before the order was sent` }, null, null)
    }
    return { kind: 'accepted', order: accepted.order }
  }

  /** A broker ExecutionReport on session `brokerSession`. */
  async onBrokerExecution (brokerSession: string, er: BrokerExecReport, fixMessage: string): Promise<void> {
    const n = normalizeExecution(er)
    if (!n.ok) {
      this.deps.logger.warn({ broker: brokerSession, problem: n.problem, execId: er.execId }, 'broker execution report not applied')
      await this.deps.store.transaction(async (tx) => {
        await tx.audit({ actor: brokerSession, kind: 'broker_er_unhandled', detail: { problem: n.problem }, fixMessage })
      })
      return
    }
    await this.applyEvent(brokerSession, er.brokerClOrdId ?? '', n.event, er, fixMessage)
  }

  private async applyEvent (brokerSession: string, brokerClOrdId: string, event: BrokerEvent,
    er: BrokerExecReport | null, fixMessage: string | null): Promise<void> {
    const { store, clients, logger } = this.deps
    const out = await store.transaction(async (tx): Promise<ClientExecReport | null> => {
      const route = await tx.findRoute(brokerSession, brokerClOrdId)
      if (route == null) {
        logger.warn({ broker: brokerSession, brokerClOrdId }, 'execution report for an unknown ClOrdID')
        await tx.audit({ actor: brokerSession, kind: 'broker_er_unknown_order', detail: { brokerClOrdId }, fixMessage })
        return null
      }
      const order = await tx.lockOrder(route.orderId)
      if (order == null) throw new Error(`route ${brokerClOrdId} points at missing order ${route.orderId}`)
      await tx.audit({ actor: brokerSession, kind: 'fix_in', orderId: order.orderId, fixMessage })
      const clientExecId = await tx.nextClientExecId()
      if (er != null) {
        const fresh = await tx.insertExecution({
          brokerSession,
          execId: er.execId ?? '',
          orderId: order.orderId,
          execType: er.execType ?? '',
          lastQty: event.kind === 'Trade' ? event.lastQty : null,
          lastPx: event.kind === 'Trade' ? event.lastPx : null,
          commission: event.kind === 'Trade' ? event.commission : null,
          clientExecId
        })
        if (!fresh) {
          logger.info({ broker: brokerSession, execId: er.execId }, 'duplicate broker ExecID ignored')
          await tx.audit({ actor: brokerSession, kind: 'duplicate_execution', orderId: order.orderId, detail: { execId: er.execId } })
          return null
        }
      }
      const report = await this.applyToOrder(tx, brokerSession, brokerClOrdId, order, event, er, clientExecId)
      if (report != null) await tx.audit(outboundAudit(report))
      return report
    })
    if (out != null && !clients.sendExecutionReport(out.order.clientSession, out)) {
      logger.warn({ client: out.order.clientSession, orderId: out.order.orderId, execId: out.execId }, 'client not logged on: execution report not delivered')
    }
  }

  private async applyToOrder (tx: OmsTx, brokerSession: string, brokerClOrdId: string, order: Order,
    event: BrokerEvent, er: BrokerExecReport | null, execId: string): Promise<ClientExecReport | null> {
    const step = (e: OrderEvent, hasFills: boolean): OrdState | null => {
      const t = transition(order.state, e, hasFills)
      return t.ok ? t.to : null
    }
    let next: Order
    let report: Omit<ClientExecReport, 'order' | 'ordStatus' | 'execId'>
    switch (event.kind) {
      case 'PendingNew':
      case 'Status':
        return null
      case 'Ack': {
        const to = step('BrokerAck', order.cumQty.gt(0))
        if (to == null) return await this.invalid(tx, order, 'BrokerAck')
        await tx.markRoute(brokerSession, brokerClOrdId, 'accepted', er?.brokerOrderId ?? null)
        next = { ...order, state: to, brokerOrderId: er?.brokerOrderId ?? order.brokerOrderId }
        if (to === order.state) { await this.save(tx, order, next); return null }
        report = { execType: '0' }
        break
      }
      case 'Trade': {
        const totals = addFill(order, event.lastQty, event.lastPx)
        const full = totals.cumQty.gte(order.orderQty)
        const to = step(full ? 'FullFill' : 'PartialFill', true)
        if (to == null) return await this.invalid(tx, order, full ? 'FullFill' : 'PartialFill')
        if (totals.cumQty.gt(order.orderQty)) {
          this.deps.logger.error({ orderId: order.orderId, cumQty: totals.cumQty.toFixed(), orderQty: order.orderQty.toFixed() }, 'OVERFILL')
          await tx.audit({ actor: brokerSession, kind: 'overfill', orderId: order.orderId, detail: { cumQty: totals.cumQty.toFixed(), orderQty: order.orderQty.toFixed() } })
        }
        next = { ...order, state: to, cumQty: totals.cumQty, avgPx: totals.avgPx, leavesQty: leavesQty(order.orderQty, totals.cumQty, isTerminal(to)) }
        const account = order.account ?? ''
        const pos = await tx.lockPosition(account, order.symbol)
        await tx.savePosition(account, order.symbol, applyToPosition(pos, event.lastQty.times(sideSign(order.side)), event.lastPx, event.commission))
        report = { execType: 'F', lastQty: event.lastQty, lastPx: event.lastPx }
        break
      }
      case 'Rejected': {
        const to = step('BrokerReject', false)
        if (to == null) return await this.invalid(tx, order, 'BrokerReject')
        await tx.markRoute(brokerSession, brokerClOrdId, 'rejected', er?.brokerOrderId ?? null)
        next = { ...order, state: to, leavesQty: ZERO }
        report = { execType: '8', ordRejReason: ORD_REJ.BROKER_OPTION, text: event.text ?? 'rejected by broker' }
        break
      }
      case 'Canceled':
      case 'DoneForDay':
      case 'Expired': {
        const e: OrderEvent = event.kind === 'Canceled' ? 'UnsolicitedCancel' : event.kind
        const to = step(e, order.cumQty.gt(0))
        if (to == null) return await this.invalid(tx, order, e)
        next = { ...order, state: to, leavesQty: leavesQty(order.orderQty, order.cumQty, isTerminal(to)) }
        report = { execType: event.kind === 'Canceled' ? '4' : event.kind === 'DoneForDay' ? '3' : 'C', text: event.kind === 'Canceled' ? event.text ?? undefined : undefined }
        break
      }
    }
    await this.save(tx, order, next)
    return { ...report, order: next, execId, ordStatus: ORD_STATUS[next.state] }
  }

  private async save (tx: OmsTx, before: Order, after: Order): Promise<void> {
    const saved = { ...after, version: before.version + 1 }
    await tx.updateOrder(saved)
    if (before.state !== after.state) {
      await tx.audit({ actor: 'oms', kind: 'transition', orderId: after.orderId, fromState: before.state, toState: after.state })
    }
  }

  private async invalid (tx: OmsTx, order: Order, event: OrderEvent): Promise<null> {
    this.deps.logger.warn({ orderId: order.orderId, state: order.state, event }, 'invalid order transition refused')
    await tx.audit({ actor: 'oms', kind: 'invalid_transition', orderId: order.orderId, fromState: order.state, detail: { event } })
    return null
  }

  /** Reject a NewOrderSingle that did not become an order: audited, then answered. */
  private async rejectNew (clientSession: string, req: NewOrderRequest, ordRejReason: number, text: string, fixMessage: string): Promise<NewOrderOutcome> {
    let execId: string
    try {
      execId = await this.deps.store.transaction(async (tx) => {
        const id = await tx.nextClientExecId()
        await tx.audit({ actor: clientSession, kind: 'reject', detail: { clOrdId: req.clOrdId, execId: id, ordRejReason, text }, fixMessage })
        return id
      })
    } catch (e) {
      throw new NotAcceptedError(e)
    }
    const order = rejectedShell(clientSession, req)
    this.deps.clients.sendExecutionReport(clientSession, { order, execId, execType: '8', ordStatus: '8', ordRejReason, text, clOrdId: req.clOrdId })
    return { kind: 'rejected', ordRejReason, text }
  }
}

/** The audit record of an ExecutionReport we are about to send, committed before it goes out. */
function outboundAudit (er: ClientExecReport): AuditEntry {
  const o = er.order
  return {
    actor: 'oms',
    kind: 'er_out',
    orderId: o.orderId,
    detail: {
      client: o.clientSession, clOrdId: er.clOrdId ?? o.clOrdId, execId: er.execId, execType: er.execType, ordStatus: er.ordStatus,
      lastQty: er.lastQty?.toFixed(), lastPx: er.lastPx?.toFixed(), cumQty: o.cumQty.toFixed(), leavesQty: o.leavesQty.toFixed(), avgPx: o.avgPx.toFixed()
    }
  }
}

/** The order fields an ER Rejected echoes when the order never existed (OrderID=NONE). */
function rejectedShell (clientSession: string, req: NewOrderRequest): Order {
  return {
    orderId: 'NONE' as OrderId,
    clientSession,
    clOrdId: req.clOrdId as ClOrdId,
    origClOrdId: null,
    account: req.account,
    symbol: req.symbol ?? '',
    securityType: req.securityType,
    side: (req.side ?? '1') as Order['side'],
    ordType: (req.ordType ?? '2') as Order['ordType'],
    timeInForce: (req.timeInForce ?? '0') as Order['timeInForce'],
    expireTime: null,
    orderQty: ZERO,
    price: null,
    stopPx: null,
    handlInst: req.handlInst,
    exDestination: req.exDestination,
    state: 'Rejected',
    cumQty: ZERO,
    leavesQty: ZERO,
    avgPx: ZERO,
    brokerSession: null,
    brokerOrderId: null,
    version: 0
  }
}
