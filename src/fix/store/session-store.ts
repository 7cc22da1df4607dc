/**
 * The message store port of our session layer (shaped like QuickFIX/J's MessageStore):
 * both sequence numbers and every message we sent, per FIX session.
 *
 *  - The sequence getters are synchronous and serve a cache loaded by initialize() /
 *    refresh(); they always show what is durable, never more.
 *  - appendOutbound() persists messages and moves the next sender number past them in
 *    one step; the session writes bytes to the socket only after it resolves.
 *  - The order engine stores application messages and inbound progress in its own
 *    journal transaction; numbers therefore only ever move up here (GREATEST), except
 *    by reset() and the operator's set-seqnum, and noteDurable() keeps the cache in step.
 *  - Every write returns a promise that rejects on failure; the session then stops
 *    (Logout if it can, disconnect, error log). Nothing here swallows an error.
 */

export interface StoredMessage {
  readonly seqNum: number
  readonly msgType: string
  /** the message as sent, SOH-delimited, one char per byte (latin1) */
  readonly raw: string
  readonly sentAt: Date
}

/** What the `fixgw sessions` command shows as a session's state. */
export type SessionStoreState = 'disconnected' | 'connected' | 'logged_on' | 'logging_out'

export interface SessionStore {
  /** FIX.4.4:SENDER->TARGET */
  readonly sessionKey: string
  readonly nextSenderMsgSeqNum: number
  readonly nextTargetMsgSeqNum: number
  readonly creationTime: Date
  /** create the session's row if needed and load the cache */
  initialize: () => Promise<void>
  /** re-read the durable state (an operator may have set sequence numbers); optionally record a state at the same time */
  refresh: (state?: SessionStoreState) => Promise<void>
  /** store messages; the next sender number moves past them (never back) */
  appendOutbound: (messages: readonly StoredMessage[]) => Promise<void>
  setNextSenderSeqNum: (next: number) => Promise<void>
  /** the next expected number moves to `next` unless it is already further (never back) */
  setNextTargetSeqNum: (next: number) => Promise<void>
  /**
   * Another writer (the order engine's journal) has committed messages or inbound
   * progress for this session: move the cached numbers up to these durable values.
   */
  noteDurable: (nextSender: number | null, nextTarget: number | null) => void
  /** stored messages with begin <= seqNum <= end, ascending, at most chunkSize per step */
  readRange: (begin: number, end: number, chunkSize: number) => AsyncIterable<StoredMessage[]>
  /** both numbers back to 1, stored messages dropped, new creation time */
  reset: () => Promise<void>
  recordState: (state: SessionStoreState) => Promise<void>
  dispose: () => Promise<void>
}

export interface SessionIdentity {
  readonly beginString: string
  readonly senderCompId: string
  readonly targetCompId: string
  /** our name for the session (sessions/<name>.json) */
  readonly name: string
}

export function sessionKey (id: Pick<SessionIdentity, 'beginString' | 'senderCompId' | 'targetCompId'>): string {
  return `${id.beginString}:${id.senderCompId}->${id.targetCompId}`
}

export type SessionStoreFactory = (id: SessionIdentity) => SessionStore
