/**
 * The order service: client commands and broker events in, persisted state and
 * outbound messages out. Every command commits in ONE transaction (order, dedupe row,
 * route, execution, position, audit, outbound intents) and only then talks to the
 * client or the broker: nothing is acknowledged before it is committed.
 *
 * Commands for one order never interleave: each client and broker session is applied
 * in order by its adapter, and the order row is locked (SELECT ... FOR UPDATE, plus an
 * optimistic version check) for the length of the transaction. Commands for different
 * orders share nothing but the commit.
 */
import type { NewOrderRequest } from '../domain/new-order'
import { CXL_REJ } from '../domain/replace'
import type { BrokerCancelReject, BrokerExecReport } from './execution-normalizer'
import type { OmsContext, OrderServiceDeps } from './context'
import type { OmsTx } from './ports'
import { Effects, type Effect } from './effects'
import { newOrder, type NewOrderOutcome } from './new-order-command'
import { cancelOrder, replaceOrder, type CancelCommand, type ReplaceCommand } from './cancel-replace-command'
import { massCancel, orderStatus, type MassCancelCommand, type StatusCommand } from './status-mass-cancel-command'
import { applyBrokerEvent, onBrokerCancelReject, onBrokerExecution, rejectPending } from './broker-event-handler'
import { onBrokerLogon } from './broker-logon-command'

export type { OrderServiceDeps, ClientRiskConfig } from './context'
export type { NewOrderOutcome } from './new-order-command'

/** The command could not be committed (database down...): nothing was accepted. */
export class NotAcceptedError extends Error {
  constructor (override readonly cause: unknown) {
    super('command not committed')
  }
}

export class OrderService {
  private readonly ctx: OmsContext

  constructor (private readonly deps: OrderServiceDeps) {
    this.ctx = { deps, run: async (fn) => await this.run(fn) }
  }

  async newOrder (clientSession: string, req: NewOrderRequest, fixMessage: string, possResend = false): Promise<NewOrderOutcome> {
    return await this.accepting(async () => await newOrder(this.ctx, clientSession, req, fixMessage, possResend))
  }

  async cancelOrder (clientSession: string, cmd: CancelCommand, fixMessage: string): Promise<void> {
    await this.accepting(async () => { await cancelOrder(this.ctx, clientSession, cmd, fixMessage) })
  }

  async replaceOrder (clientSession: string, cmd: ReplaceCommand, fixMessage: string): Promise<void> {
    await this.accepting(async () => { await replaceOrder(this.ctx, clientSession, cmd, fixMessage) })
  }

  async orderStatus (clientSession: string, cmd: StatusCommand, fixMessage: string): Promise<void> {
    await this.accepting(async () => { await orderStatus(this.ctx, clientSession, cmd, fixMessage) })
  }

  async massCancel (clientSession: string, cmd: MassCancelCommand, fixMessage: string): Promise<void> {
    await this.accepting(async () => { await massCancel(this.ctx, clientSession, cmd, fixMessage) })
  }

  async onBrokerExecution (brokerSession: string, er: BrokerExecReport, fixMessage: string): Promise<void> {
    await onBrokerExecution(this.ctx, brokerSession, er, fixMessage)
  }

  async onBrokerCancelReject (brokerSession: string, rej: BrokerCancelReject, fixMessage: string): Promise<void> {
    await onBrokerCancelReject(this.ctx, brokerSession, rej, fixMessage)
  }

  /** A broker session logged on: release its held orders, ask for the status of the others. */
  async onBrokerLogon (brokerSession: string): Promise<{ released: number, checked: number }> {
    return await onBrokerLogon(this.ctx, brokerSession)
  }

  /** Client commands: a failure to commit means nothing was accepted, and the adapter says so. */
  private async accepting<T> (fn: () => Promise<T>): Promise<T> {
    try {
      return await fn()
    } catch (e) {
      throw new NotAcceptedError(e)
    }
  }

  private async run<T> (fn: (tx: OmsTx, fx: Effects) => Promise<T>): Promise<T> {
    let effects: Effect[] = []
    const result = await this.deps.store.transaction(async (tx) => {
      const fx = new Effects(tx)
      const r = await fn(tx, fx)
      effects = fx.list
      return r
    })
    await this.dispatch(effects)
    return result
  }

  /** After the commit: say it. A broker session that dropped meanwhile turns into a reject. */
  private async dispatch (effects: readonly Effect[]): Promise<void> {
    const { clients, brokers, logger } = this.deps
    for (const e of effects) {
      switch (e.kind) {
        case 'er':
          if (!clients.sendExecutionReport(e.session, e.er)) logger.warn({ client: e.session, execId: e.er.execId }, 'client not logged on: execution report not delivered')
          break
        case 'cancelReject':
          if (!clients.sendCancelReject(e.session, e.rej)) logger.warn({ client: e.session, orderId: e.rej.orderId }, 'client not logged on: cancel reject not delivered')
          break
        case 'massReport':
          if (!clients.sendMassCancelReport(e.session, e.report)) logger.warn({ client: e.session }, 'client not logged on: mass cancel report not delivered')
          break
        case 'brokerNew':
          if (!brokers.sendNewOrder(e.broker, e.brokerClOrdId, e.order)) {
            await applyBrokerEvent(this.ctx, e.broker, e.brokerClOrdId, { kind: 'Rejected', text: `route ${e.broker} went down before the order was sent` }, null, null)
          }
          break
        case 'brokerCancel':
        case 'brokerReplace': {
          const sent = e.kind === 'brokerCancel'
            ? brokers.sendCancel(e.broker, e.brokerClOrdId, e.orig, e.order)
            : brokers.sendReplace(e.broker, e.brokerClOrdId, e.orig, e.order)
          if (!sent) await this.unsent(e.order.orderId, e.broker)
          break
        }
        case 'brokerStatus':
          if (!brokers.sendStatusRequest(e.broker, e.brokerClOrdId, e.order)) logger.warn({ broker: e.broker, orderId: e.order.orderId }, 'broker session down: status request not sent')
      }
    }
  }

  private async unsent (orderId: string, broker: string): Promise<void> {
    await this.run(async (tx, fx) => {
      const order = await tx.lockOrder(orderId)
      if (order == null) return
      await rejectPending(this.ctx, tx, fx, order, 'oms', CXL_REJ.BROKER_OPTION, `route ${broker} is not logged on: request not sent`, null)
    })
  }
}
