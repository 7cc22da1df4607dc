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
import { brokerNewOrderSingle, readBrokerExecutionReport } from './messages'
import { SessionDirectory } from './session-directory'
import { SerialQueue } from './serial-queue'

export class BrokerFixApp implements FixApp, BrokerGateway {
  readonly directory = new SessionDirectory()
  private readonly queues = new Map<string, SerialQueue>()
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {}

  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    const text = s.currentMessageText
    switch (msgType) {
      case '8': {
        const er = readBrokerExecutionReport(view)
        this.queue(s).push(async () => {
          await this.requireOms().onBrokerExecution(s.name, er, text)
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

  async drain (): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => await q.drain()))
  }

  private queue (s: FixgwSession): SerialQueue {
    let q = this.queues.get(s.name)
    if (q == null) {
      q = new SerialQueue((e) => this.logger.error({ err: e, session: s.name }, 'broker message processing failed'))
      this.queues.set(s.name, q)
    }
    return q
  }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('BrokerFixApp used before attach()')
    return this.oms
  }
}
