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
import { brokerCancelRequest, brokerNewOrderSingle, brokerReplaceRequest, brokerStatusRequest, readBrokerCancelReject, readBrokerExecutionReport } from './messages'
import { setTag, stripTag, tagPath, UnknownTagError } from './tag-object'
import type { FieldMap } from '../../config/routing-config'
import type { FixDefinitions, ILooseObject } from '../jspurefix'
import { SessionDirectory } from './session-directory'
import { SessionQueues } from './keyed-queue'

export class BrokerFixApp implements FixApp, BrokerGateway {
  readonly directory = new SessionDirectory()
  private readonly queues = new SessionQueues((session, e) => this.logger.error({ err: e, session }, 'broker message processing failed'))
  /** our broker ClOrdIDs → order: ERs of one order apply in order, others in parallel */
  private readonly orderOf = new Map<string, string>()
  private oms: OrderService | null = null

  /**
   * @param fieldMaps per broker session: tags set or stripped on our orders toward it (sessions/*.json fieldMap)
   * @param definitions the FIX 4.4 dictionary, to find where a mapped tag goes in a message
   */
  constructor (private readonly logger: Logger, private readonly fieldMaps: ReadonlyMap<string, FieldMap> = new Map(),
    private readonly definitions: FixDefinitions | null = null) {}

  /** Send to the broker with its field mapping applied. */
  private sendMapped (brokerSession: string, msgType: string, body: ILooseObject): boolean {
    const s = this.directory.get(brokerSession)
    if (s == null) return false
    const fm = this.fieldMaps.get(brokerSession)
    const defs = this.definitions
    if (fm != null && defs != null) {
      // A mapping applies where the message type has the field (Account is on D/F/G,
      // ExDestination only on D/G); elsewhere there is nothing to set or strip.
      const has = (tag: number): boolean => { try { tagPath(defs, msgType, tag); return true } catch (e) { if (e instanceof UnknownTagError) return false; throw e } }
      for (const tag of fm.strip) if (has(tag)) stripTag(defs, msgType, body, tag)
      for (const [tag, value] of Object.entries(fm.set)) if (has(Number(tag))) setTag(defs, msgType, body, Number(tag), value)
    }
    return s.sendMessage(msgType, body)
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

  onReady (s: FixgwSession): void {
    this.directory.add(s)
    // Release held orders and reconcile open ones, in this session's lane so ERs that
    // answer the status requests are applied after it.
    this.queues.of(s.name).push('all', async () => { await this.requireOms().onBrokerLogon(s.name) })
  }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  /** Returns when the report is applied, so the session persists its sequence number only then. */
  onMessage (s: FixgwSession, msgType: string, view: MsgView): Promise<void> | undefined {
    const text = s.currentMessageText
    switch (msgType) {
      case '8': {
        const er = readBrokerExecutionReport(view)
        return this.queues.of(s.name).push(this.keys(er.brokerClOrdId, er.origBrokerClOrdId), async () => {
          await this.requireOms().onBrokerExecution(s.name, er, text)
        })
      }
      case '9': {
        const rej = readBrokerCancelReject(view)
        return this.queues.of(s.name).push(this.keys(rej.brokerClOrdId, rej.origBrokerClOrdId), async () => {
          await this.requireOms().onBrokerCancelReject(s.name, rej, text)
        })
      }
      default:
        this.logger.warn({ session: s.name, msgType }, 'broker message type not handled')
    }
  }

  isUp (brokerSession: string): boolean { return this.directory.get(brokerSession) != null }

  sendNewOrder (brokerSession: string, brokerClOrdId: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.sendMapped(brokerSession, 'D', brokerNewOrderSingle(brokerClOrdId, order))
  }

  sendStatusRequest (brokerSession: string, brokerClOrdId: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.sendMapped(brokerSession, 'H', brokerStatusRequest(brokerClOrdId, order))
  }

  sendCancel (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.sendMapped(brokerSession, 'F', brokerCancelRequest(brokerClOrdId, orig, order))
  }

  sendReplace (brokerSession: string, brokerClOrdId: string, orig: string, order: Order): boolean {
    this.remember(brokerClOrdId, order)
    return this.sendMapped(brokerSession, 'G', brokerReplaceRequest(brokerClOrdId, orig, order))
  }

  async drain (): Promise<void> { await this.queues.drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('BrokerFixApp used before attach()')
    return this.oms
  }
}
