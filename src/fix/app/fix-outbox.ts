/**
 * The engine's Outbox on our FIX sessions: each effect of a command becomes a FIX
 * message (messages.ts; the broker's field mapping for orders toward a broker), encoded,
 * then given its session's next MsgSeqNum. The engine stores them in its batch; once the
 * batch has committed, `release` lets each session write its bytes, in MsgSeqNum order.
 * A session that is not logged on gets them by resend when it logs on again.
 */
import type { Logger } from 'pino'
import type { ILooseObject } from '../jspurefix'
import type { Effect } from '../../oms/effects'
import type { Outbox, PreparedSend } from '../../oms/engine/engine'
import type { FixgwSession } from '../session/fixgw-session'
import type { Outgoing } from '../session/admin-messages'
import type { SessionDirectory } from './session-directory'
import type { BrokerFixApp } from './broker-app'
import {
  brokerCancelRequest, brokerNewOrderSingle, brokerReplaceRequest, brokerStatusRequest, clientCancelReject, clientExecutionReport, clientMassCancelReport
} from './messages'

export class FixOutbox implements Outbox {
  constructor (private readonly directory: SessionDirectory, private readonly brokers: BrokerFixApp, private readonly logger: Logger) {}

  private message (e: Effect): { session: string, msgType: string, body: ILooseObject } {
    switch (e.kind) {
      case 'er': return { session: e.session, msgType: '8', body: clientExecutionReport(e.er) }
      case 'cancelReject': return { session: e.session, msgType: '9', body: clientCancelReject(e.rej) }
      case 'massReport': return { session: e.session, msgType: 'r', body: clientMassCancelReport(e.report) }
      case 'brokerNew': return { session: e.broker, msgType: 'D', body: this.brokers.mapped(e.broker, 'D', brokerNewOrderSingle(e.brokerClOrdId, e.order)) }
      case 'brokerCancel': return { session: e.broker, msgType: 'F', body: this.brokers.mapped(e.broker, 'F', brokerCancelRequest(e.brokerClOrdId, e.orig, e.order)) }
      case 'brokerReplace': return { session: e.broker, msgType: 'G', body: this.brokers.mapped(e.broker, 'G', brokerReplaceRequest(e.brokerClOrdId, e.orig, e.order)) }
      case 'brokerStatus': return { session: e.broker, msgType: 'H', body: this.brokers.mapped(e.broker, 'H', brokerStatusRequest(e.brokerClOrdId, e.order)) }
    }
  }

  prepare (effects: readonly Effect[]): PreparedSend[] {
    // Encode everything first: a message that cannot be encoded fails the command before
    // any MsgSeqNum is taken.
    const encoded: Array<{ session: FixgwSession, out: Outgoing }> = []
    for (const e of effects) {
      const m = this.message(e)
      const session = this.directory.named(m.session)
      if (session == null) {
        this.logger.error({ session: m.session, msgType: m.msgType }, 'no such FIX session: message not sent')
        continue
      }
      encoded.push({ session, out: session.encodeApplication(m.msgType, m.body) })
    }
    return encoded.map(({ session, out }) => {
      const p = session.prepareJournaled(out)
      return { message: { sessionKey: session.sessionKey, ...p.message }, release: p.release, drop: p.drop }
    })
  }

  committed (sessionKey: string, nextSender: number | null, nextTarget: number | null): void {
    this.directory.keyed(sessionKey)?.journalCommitted(nextSender, nextTarget)
  }
}
