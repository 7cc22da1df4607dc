/**
 * The acceptor side: client sessions. FIX in → OMS commands; OMS reports → FIX out.
 * Implements the OMS's ClientGateway port.
 */
import type { Logger } from 'pino'
import type { MsgView } from '../jspurefix'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import { NotAcceptedError, type OrderService } from '../../oms/order-service'
import type { ClientExecReport, ClientGateway } from '../../oms/ports'
import { clientExecutionReport, readNewOrderSingle } from './messages'
import { SessionDirectory } from './session-directory'
import { SessionQueues } from './serial-queue'

export class ClientFixApp implements FixApp, ClientGateway {
  readonly directory = new SessionDirectory()
  private readonly queues: SessionQueues
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {
    this.queues = new SessionQueues((session, e) => this.logger.error({ err: e, session }, 'client message processing failed'))
  }

  /** Wired after construction: the OMS and this gateway need each other. */
  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    const text = s.currentMessageText
    switch (msgType) {
      case 'D': {
        const req = readNewOrderSingle(view) // copy out of the view before any await
        const refSeqNum = view.getTyped(34) as number
        this.queues.push(s.name, async () => {
          try {
            await this.requireOms().newOrder(s.name, req, text)
          } catch (e) {
            if (!(e instanceof NotAcceptedError)) throw e
            // Nothing was committed, so nothing was accepted: say so instead of going quiet.
            this.logger.error({ err: e.cause, session: s.name, clOrdId: req.clOrdId }, 'order not accepted: could not commit')
            s.sendMessage('j', {
              RefSeqNum: refSeqNum, RefMsgType: 'D', BusinessRejectRefID: req.clOrdId,
              BusinessRejectReason: 4, Text: 'order not accepted: gateway storage unavailable, please retry'
            })
          }
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
  async drain (): Promise<void> { await this.queues.drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('ClientFixApp used before attach()')
    return this.oms
  }
}
