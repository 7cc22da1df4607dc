/**
 * The acceptor side: client sessions. FIX in → OMS commands; OMS reports → FIX out.
 * Implements the OMS's ClientGateway port.
 */
import type { Logger } from 'pino'
import type { MsgView } from '../jspurefix'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import type { OrderService } from '../../oms/order-service'
import type { ClientExecReport, ClientGateway } from '../../oms/ports'
import { clientExecutionReport, readNewOrderSingle } from './messages'
import { SessionDirectory } from './session-directory'
import { SerialQueue } from './serial-queue'

export class ClientFixApp implements FixApp, ClientGateway {
  readonly directory = new SessionDirectory()
  private readonly queues = new Map<string, SerialQueue>()
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {}

  /** Wired after construction: the OMS and this gateway need each other. */
  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    const text = s.currentMessageText
    switch (msgType) {
      case 'D': {
        const req = readNewOrderSingle(view) // copy out of the view before any await
        this.queue(s).push(async () => {
          await this.requireOms().newOrder(s.name, req, text)
        })
        break
      }
      default: {
        // Application messages we do not support yet: BusinessMessageReject, 380=3.
        const refSeqNum = view.getTyped(34) as number
        s.sendMessage('j', {
          RefSeqNum: refSeqNum,
          RefMsgType: msgType,
          BusinessRejectReason: 3,
          Text: `unsupported message type ${msgType}`
        })
      }
    }
  }

  sendExecutionReport (clientSession: string, er: ClientExecReport): boolean {
    const s = this.directory.get(clientSession)
    if (s == null) return false
    return s.sendMessage('8', clientExecutionReport(er))
  }

  /** Wait until every message received so far has been applied (tests, shutdown). */
  async drain (): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => await q.drain()))
  }

  private queue (s: FixgwSession): SerialQueue {
    let q = this.queues.get(s.name)
    if (q == null) {
      q = new SerialQueue((e) => this.logger.error({ err: e, session: s.name }, 'client message processing failed'))
      this.queues.set(s.name, q)
    }
    return q
  }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('ClientFixApp used before attach()')
    return this.oms
  }
}
