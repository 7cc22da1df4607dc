/**
 * The order service: client commands and broker events in, state changes and outbound
 * messages out. Each call is one command of the order engine (engine/engine.ts): it runs
 * alone against the in-memory state, its changes and its outbound messages are
 * journaled, and they commit with the rest of their batch in ONE Postgres transaction
 * before anything is said to a client or a broker. The promise resolves after that
 * commit: nothing is acknowledged before it is durable.
 *
 * Where a command comes from an inbound FIX message, `origin` carries that session's
 * next expected MsgSeqNum (committed in the same transaction as the command's effects:
 * exactly once) and whether the message's connection is still there.
 */
import type { NewOrderRequest } from '../domain/new-order'
import type { BrokerCancelReject, BrokerExecReport } from './execution-normalizer'
import type { OmsContext, OrderServiceDeps } from './context'
import type { OmsEngine, Command } from './engine/engine'
import { newOrder, type NewOrderOutcome } from './new-order-command'
import { cancelOrder, replaceOrder, type CancelCommand, type ReplaceCommand } from './cancel-replace-command'
import { massCancel, orderStatus, type MassCancelCommand, type StatusCommand } from './status-mass-cancel-command'
import { onBrokerCancelReject, onBrokerExecution } from './broker-event-handler'
import { onBrokerLogon } from './broker-logon-command'
import { onBrokerNotResent } from './not-resent-command'

export type { OrderServiceDeps, ClientRiskConfig } from './context'
export type { NewOrderOutcome } from './new-order-command'
export { NotAcceptedError, NotCommittedError } from './engine/engine'

/** Where a command comes from: the inbound message's progress and liveness. */
export type Origin = Pick<Command<unknown>, 'inbound' | 'stillWanted'>

export class OrderService {
  constructor (private readonly deps: OrderServiceDeps, private readonly engine: OmsEngine) {}

  private ctx (origin: Origin | undefined): OmsContext {
    return { deps: this.deps, run: async (run) => await this.engine.submit({ run, ...origin }) }
  }

  async newOrder (clientSession: string, req: NewOrderRequest, fixMessage: string, possResend = false, origin?: Origin): Promise<NewOrderOutcome> {
    return await newOrder(this.ctx(origin), clientSession, req, fixMessage, possResend)
  }

  async cancelOrder (clientSession: string, cmd: CancelCommand, fixMessage: string, origin?: Origin): Promise<void> {
    await cancelOrder(this.ctx(origin), clientSession, cmd, fixMessage)
  }

  async replaceOrder (clientSession: string, cmd: ReplaceCommand, fixMessage: string, origin?: Origin): Promise<void> {
    await replaceOrder(this.ctx(origin), clientSession, cmd, fixMessage)
  }

  async orderStatus (clientSession: string, cmd: StatusCommand, fixMessage: string, origin?: Origin): Promise<void> {
    await orderStatus(this.ctx(origin), clientSession, cmd, fixMessage)
  }

  async massCancel (clientSession: string, cmd: MassCancelCommand, fixMessage: string, origin?: Origin): Promise<void> {
    await massCancel(this.ctx(origin), clientSession, cmd, fixMessage)
  }

  async onBrokerExecution (brokerSession: string, er: BrokerExecReport, fixMessage: string, origin?: Origin): Promise<void> {
    await onBrokerExecution(this.ctx(origin), brokerSession, er, fixMessage)
  }

  async onBrokerCancelReject (brokerSession: string, rej: BrokerCancelReject, fixMessage: string, origin?: Origin): Promise<void> {
    await onBrokerCancelReject(this.ctx(origin), brokerSession, rej, fixMessage)
  }

  /** An order message to a broker was gap-filled instead of resent (too old): the client hears it was not sent. */
  async onBrokerNotResent (brokerSession: string, brokerClOrdId: string, msgType: string, staleSeconds: number | null): Promise<void> {
    await onBrokerNotResent(this.ctx(undefined), brokerSession, brokerClOrdId, msgType, staleSeconds)
  }

  /** Resolves when every command submitted so far has run and committed. */
  async drain (): Promise<void> { await this.engine.drain() }

  /** A broker session logged on: release its held orders, ask for the status of the others. */
  async onBrokerLogon (brokerSession: string): Promise<{ released: number, checked: number }> {
    return await onBrokerLogon(this.ctx(undefined), brokerSession)
  }
}
