/**
 * The acceptor side: client sessions. FIX in → OMS commands. What the OMS says back
 * goes out through the engine's outbox (fix-outbox.ts), after its batch has committed.
 *
 * Each command carries its message's MsgSeqNum, so the session's next expected number
 * commits with the command's effects, and the connection it came on: a command whose
 * connection has gone is not run (the peer is asked for it again at its next logon).
 */
import type { Logger } from 'pino'
import type { MessageView } from '../session/message-view'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import { NotAcceptedError, NotCommittedError, type OrderService, type Origin } from '../../oms/order-service'
import { readCancelRequest, readMassCancelRequest, readNewOrderSingle, readReplaceRequest, readStatusRequest } from './messages'

/** An application message's place in its session: for the engine's Command. */
export function originOf (s: FixgwSession, view: MessageView): Origin {
  const seq = view.getInt(34) ?? 0
  const connection = s.connectionId
  return { inbound: { sessionKey: s.sessionKey, next: seq + 1 }, stillWanted: () => s.connectionId === connection }
}

export class ClientFixApp implements FixApp {
  private oms: OrderService | null = null

  /** @param available whether the engine can take orders now (logons are refused while it cannot) */
  constructor (private readonly logger: Logger, private readonly available: () => boolean = () => true) {}

  /** Wired after construction: the OMS and this adapter need each other. */
  attach (oms: OrderService): void { this.oms = oms }

  onLogon (s: FixgwSession): boolean {
    if (this.available()) return true
    this.logger.warn({ session: s.name }, 'logon refused: the order engine cannot commit (Postgres unavailable)')
    return false
  }

  onReady (): void {}

  onStopped (): void {}

  /** Resolves when the request is handled and committed, so the session counts the message only then. */
  onMessage (s: FixgwSession, msgType: string, view: MessageView): Promise<void> | undefined {
    const text = s.currentMessageText
    const refSeqNum = view.getInt(34) ?? undefined
    const origin = originOf(s, view)
    const oms = this.requireOms()
    let work: Promise<unknown>
    let refId: string | null
    switch (msgType) {
      case 'D': {
        const req = readNewOrderSingle(view)
        // PossResend(97), or a PossDupFlag(43) resend the session let through: it may have been handled already
        const possResend = view.getString(97) === 'Y' || view.getString(43) === 'Y'
        refId = req.clOrdId
        work = oms.newOrder(s.name, req, text, possResend, origin)
        break
      }
      case 'F': {
        const cmd = readCancelRequest(view)
        refId = cmd.clOrdId
        work = oms.cancelOrder(s.name, cmd, text, origin)
        break
      }
      case 'G': {
        const cmd = readReplaceRequest(view)
        refId = cmd.clOrdId
        work = oms.replaceOrder(s.name, cmd, text, origin)
        break
      }
      case 'H': {
        const cmd = readStatusRequest(view)
        refId = cmd.clOrdId
        work = oms.orderStatus(s.name, cmd, text, origin)
        break
      }
      case 'q': {
        const cmd = readMassCancelRequest(view)
        refId = cmd.clOrdId
        work = oms.massCancel(s.name, cmd, text, origin)
        break
      }
      default:
        // Application messages we do not support: BusinessMessageReject, 380=3.
        s.sendMessage('j', { RefSeqNum: refSeqNum, RefMsgType: msgType, BusinessRejectReason: 3, Text: `unsupported message type ${msgType}` })
        return
    }
    return work.then(() => {}, (e: unknown) => {
      // Not run at all (its connection went): the session must not count it.
      if (e instanceof NotAcceptedError) throw e
      if (e instanceof NotCommittedError) {
        // Nothing was committed, so nothing was accepted: say so instead of going quiet.
        this.logger.error({ err: e.cause, session: s.name, msgType, refId }, 'client request not accepted: could not commit')
        s.sendMessage('j', {
          RefSeqNum: refSeqNum, RefMsgType: msgType, BusinessRejectRefID: refId ?? undefined,
          BusinessRejectReason: 4, Text: 'not accepted: gateway storage unavailable, please retry'
        })
        return
      }
      // A defect while handling it: nothing of it was kept; say so instead of going quiet.
      this.logger.error({ err: e, session: s.name, msgType, refId }, 'client request failed: not accepted')
      s.sendMessage('j', {
        RefSeqNum: refSeqNum, RefMsgType: msgType, BusinessRejectRefID: refId ?? undefined,
        BusinessRejectReason: 0, Text: 'not accepted: internal error while handling the request'
      })
    })
  }

  /** Wait until every message received so far has been applied (tests, shutdown). */
  async drain (): Promise<void> { await this.requireOms().drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('ClientFixApp used before attach()')
    return this.oms
  }
}
