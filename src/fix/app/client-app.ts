/**
 * The acceptor side: client sessions. FIX in → OMS commands; OMS reports → FIX out.
 * Implements the OMS's ClientGateway port.
 */
import type { Logger } from 'pino'
import type { MsgView } from '../jspurefix'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import { NotAcceptedError, type OrderService } from '../../oms/order-service'
import type { ClientCancelReject, ClientExecReport, ClientGateway, ClientMassCancelReport } from '../../oms/ports'
import { clientCancelReject, clientExecutionReport, clientMassCancelReport, readCancelRequest, readMassCancelRequest, readNewOrderSingle, readReplaceRequest, readStatusRequest } from './messages'
import { SessionDirectory } from './session-directory'
import { ChainKeys, SessionQueues } from './keyed-queue'

export class ClientFixApp implements FixApp, ClientGateway {
  readonly directory = new SessionDirectory()
  private readonly queues = new SessionQueues((session, e) => this.logger.error({ err: e, session }, 'client message processing failed'))
  private readonly chainKeys = new Map<string, ChainKeys>()
  private oms: OrderService | null = null

  constructor (private readonly logger: Logger) {}

  private chains (session: string): ChainKeys {
    let c = this.chainKeys.get(session)
    if (c == null) { c = new ChainKeys(); this.chainKeys.set(session, c) }
    return c
  }

  /** Wired after construction: the OMS and this gateway need each other. */
  attach (oms: OrderService): void { this.oms = oms }

  onReady (s: FixgwSession): void { this.directory.add(s) }

  onStopped (s: FixgwSession): void { this.directory.remove(s) }

  /** Returns when the request is handled (committed), so the session persists its sequence number only then. */
  onMessage (s: FixgwSession, msgType: string, view: MsgView): Promise<void> | undefined {
    const text = s.currentMessageText
    const refSeqNum = view.getTyped(34) as number
    // Copy what the command needs out of the view now: it is recycled after this call.
    // Ordering keys: a request waits for earlier ones on the same order (its ClOrdID
    // chain); new orders and replaces also share the '@risk' lane, so the risk checks
    // see them in the order the client sent them; a mass cancel waits for everything.
    const chains = this.chains(s.name)
    let work: ((oms: OrderService) => Promise<unknown>) | null = null
    let keys: readonly string[] | 'all'
    let refId: string | null = null
    switch (msgType) {
      case 'D': {
        const req = readNewOrderSingle(view)
        // PossResend(97), or a PossDupFlag(43) resend the session let through: it may have been handled already
        const possResend = view.getString(97) === 'Y' || view.getString(43) === 'Y'
        refId = req.clOrdId
        keys = ['@risk', chains.of(req.clOrdId)]
        work = async (oms) => await oms.newOrder(s.name, req, text, possResend)
        break
      }
      case 'F': {
        const cmd = readCancelRequest(view)
        refId = cmd.clOrdId
        keys = [chains.of(cmd.origClOrdId, cmd.orderId)]
        if (cmd.origClOrdId != null) chains.link(cmd.clOrdId, cmd.origClOrdId)
        work = async (oms) => { await oms.cancelOrder(s.name, cmd, text) }
        break
      }
      case 'G': {
        const cmd = readReplaceRequest(view)
        refId = cmd.clOrdId
        keys = ['@risk', chains.of(cmd.origClOrdId, cmd.orderId)]
        if (cmd.origClOrdId != null) chains.link(cmd.clOrdId, cmd.origClOrdId)
        work = async (oms) => { await oms.replaceOrder(s.name, cmd, text) }
        break
      }
      case 'H': {
        const cmd = readStatusRequest(view)
        refId = cmd.clOrdId
        keys = [chains.of(cmd.clOrdId, cmd.orderId)]
        work = async (oms) => { await oms.orderStatus(s.name, cmd, text) }
        break
      }
      case 'q': {
        const cmd = readMassCancelRequest(view)
        refId = cmd.clOrdId
        keys = 'all'
        work = async (oms) => { await oms.massCancel(s.name, cmd, text) }
        break
      }
      default:
        // Application messages we do not support: BusinessMessageReject, 380=3.
        s.sendMessage('j', { RefSeqNum: refSeqNum, RefMsgType: msgType, BusinessRejectReason: 3, Text: `unsupported message type ${msgType}` })
        return
    }
    const run = work
    return this.queues.of(s.name).push(keys, async () => {
      try {
        await run(this.requireOms())
      } catch (e) {
        if (!(e instanceof NotAcceptedError)) throw e
        // Nothing was committed, so nothing was accepted: say so instead of going quiet.
        this.logger.error({ err: e.cause, session: s.name, msgType, refId }, 'client request not accepted: could not commit')
        s.sendMessage('j', {
          RefSeqNum: refSeqNum, RefMsgType: msgType, BusinessRejectRefID: refId ?? undefined,
          BusinessRejectReason: 4, Text: 'not accepted: gateway storage unavailable, please retry'
        })
      }
    })
  }

  sendExecutionReport (clientSession: string, er: ClientExecReport): boolean {
    const s = this.directory.get(clientSession)
    if (s == null) return false
    return s.sendMessage('8', clientExecutionReport(er))
  }

  sendCancelReject (clientSession: string, rej: ClientCancelReject): boolean {
    return this.directory.get(clientSession)?.sendMessage('9', clientCancelReject(rej)) ?? false
  }

  sendMassCancelReport (clientSession: string, r: ClientMassCancelReport): boolean {
    return this.directory.get(clientSession)?.sendMessage('r', clientMassCancelReport(r)) ?? false
  }

  /** Wait until every message received so far has been applied (tests, shutdown). */
  async drain (): Promise<void> { await this.queues.drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('ClientFixApp used before attach()')
    return this.oms
  }
}
