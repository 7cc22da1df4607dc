/** What the application side of a session implements (client OMS adapter, broker adapter, simulated broker, echo app, test peers). */
import type { MessageView } from './message-view'
import type { FixgwSession } from './fixgw-session'
import type { StoredMessage } from '../store/session-store'

export interface FixApp {
  /**
   * The peer's Logon (acceptor: its request; initiator: its reply). Return false to
   * refuse it: a Logout with a reason is sent and the connection dropped.
   */
  onLogon?: (session: FixgwSession, view: MessageView) => boolean | Promise<boolean>
  /** Logged on both ways: the session may send application messages. */
  onReady: (session: FixgwSession) => void
  /**
   * One application message, in sequence, exactly once per connection (a PossDupFlag=Y
   * resend of a message not yet processed does arrive). The view is only valid during
   * the call's turn: values are the received bytes, validated by the session.
   *
   * Return a promise when the message is handled asynchronously: the session then counts
   * it as received (the next expected number is persisted) only once it settles, so
   * after a crash the peer is asked to send it again instead of it being lost.
   */
  onMessage: (session: FixgwSession, msgType: string, view: MessageView) => void | Promise<unknown>
  onStopped: (session: FixgwSession, error?: Error) => void
  /** The peer rejected one of our messages at the session level (35=3); it is logged either way. */
  onReject?: (session: FixgwSession, view: MessageView) => void
  /**
   * Application message types this application handles. The session answers any other
   * with a BusinessMessageReject (380=3, "Unsupported Message Type") and never calls
   * onMessage for it. Default: every type is passed on.
   */
  supportsMsgType?: (msgType: string) => boolean
  /**
   * Stored application messages the peer asked for again that were gap-filled instead
   * of resent (settings.staleOrderSeconds): they never reached the peer.
   */
  onNotResent?: (session: FixgwSession, messages: readonly StoredMessage[]) => void
}
