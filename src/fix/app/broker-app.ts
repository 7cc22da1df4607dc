/**
 * The initiator side: broker sessions. Our orders → FIX out; broker ERs → OMS events.
 * Implements the OMS's BrokerGateway port.
 */
import type { Logger } from 'pino'
import type { MsgView } from '../jspurefix'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import type { OrderService } from '../../oms/order-service'
import type { BrokerGateway } from '../../oms/ports'
import type { Order } from '../../domain/order'
import { brokerCancelRequest, brokerNewOrderSingle, brokerReplaceRequest, readBrokerCancelReject, readBrokerExecutionReport } from './messages'
import { SessionDirectory } from './session-directory'
import { SessionQueues } from './serial-queue'

export class BrokerFixApp implements FixApp, BrokerGateway {
  readonly directory = new SessionDirectory()
  private readonly queues: SessionQueues
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {
    this.queues = new SessionQueues((session, e) => this.logger.error({ err: e, session }, 'broker message processing failed'))
  }

  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    const text = s.currentMessageText
    switch (msgType) {
      case '8': {
        const er = readBrokerExecutionReport(view)
        this.queues.push(s.name, async () => {
          await this.requireOms().onBrokerExecution(s.name, er, text)
        })
        break
      }
      case '9': {
        const rej = readBrokerCancelReject(view)
        this.queues.push(s.name, async () => {
          await this.requireOms().onBrokerCancelReject(s.name, rej, text)
        })
        break
      }
      default:
        this.logger.warn({ session: s.name, msgType }, 'broker message type not handled')
    }
  }

  isUp (brokerSession: string): boolean { return this.directory.get(brokerSession) != null }

  sendNewOrder (brokerSession: string, brokerClOrdId: string, order: Order): boolean {
    const s = this.directory.get(brokerSession)
    return s != null && s.sendMessage('D', brokerNewOrderSingle(brokerClOrdId, order))
  }

  sendCancel (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    return this.directory.get(brokerSession)?.sendMessage('F', brokerCancelRequest(brokerClOrdId, orig, order)) ?? false
  }

  sendReplace (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    return this.directory.get(brokerSession)?.sendMessage('G', brokerReplaceRequest(brokerClOrdId, orig, order)) ?? false
  }

  async drain (): Promise<void> { await this.queues.drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('BrokerFixApp used before attach()')
    return this.oms
  }
}
