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
import { KeyedQueue } from './keyed-queue'

export class BrokerFixApp implements FixApp, BrokerGateway {
  readonly directory = new SessionDirectory()
  private readonly queues = new Map<string, KeyedQueue>()
  /** our broker ClOrdIDs → order: ERs of one order apply in order, others in parallel */
  private readonly orderOf = new Map<string, string>()
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {}

  private queue (session: string): KeyedQueue {
    let q = this.queues.get(session)
    if (q == null) {
      q = new KeyedQueue((e) => this.logger.error({ err: e, session }, 'broker message processing failed'))
      this.queues.set(session, q)
    }
    return q
  }

  /** Ordering keys of a broker message naming ClOrdID / OrigClOrdID. */
  private keys (clOrdId: string | null, origClOrdId: string | null): string[] {
    const key = (id: string): string => { const o = this.orderOf.get(id); return o == null ? `b:${id}` : `o:${o}` }
    return [...new Set([clOrdId, origClOrdId].filter((x): x is string => x != null).map(key))]
  }

  private remember (brokerClOrdId: string, order: Order): void {
    if (this.orderOf.size >= 200_000) this.orderOf.clear() // bounded; the DB lock still orders the rest
    this.orderOf.set(brokerClOrdId, order.orderId)
  }

  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    const text = s.currentMessageText
    switch (msgType) {
      case '8': {
        const er = readBrokerExecutionReport(view)
        this.queue(s.name).push(this.keys(er.brokerClOrdId, er.origBrokerClOrdId), async () => {
          await this.requireOms().onBrokerExecution(s.name, er, text)
        })
        break
      }
      case '9': {
        const rej = readBrokerCancelReject(view)
        this.queue(s.name).push(this.keys(rej.brokerClOrdId, rej.origBrokerClOrdId), async () => {
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
    this.remember(brokerClOrdId, order)
    return s != null && s.sendMessage('D', brokerNewOrderSingle(brokerClOrdId, order))
  }

  sendCancel (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.directory.get(brokerSession)?.sendMessage('F', brokerCancelRequest(brokerClOrdId, orig, order)) ?? false
  }

  sendReplace (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.directory.get(brokerSession)?.sendMessage('G', brokerReplaceRequest(brokerClOrdId, orig, order)) ?? false
  }

  async drain (): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => await q.drain()))
  }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('BrokerFixApp used before attach()')
    return this.oms
  }
}
