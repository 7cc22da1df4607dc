/**
 * The half of our FIX session that deals with the outside: the connection, sending
 * (every new message stored before its bytes are written), timers (logon and logout
 * timeouts, heartbeats, TestRequest, the schedule), sequence resets, store failures and
 * disconnects. The protocol itself (what each message means) is in inbound-session.ts
 * and fixgw-session.ts.
 */
import type { Logger } from 'pino'
import type { Connection } from '../transport/connection'
import type { SessionStore, StoredMessage } from '../store/session-store'
import type { FixCodec } from './codec'
import type { SessionDictionary } from './dictionary/session-dictionary'
import type { FixApp } from './fix-app'
import type { SessionSettings } from './session-settings'
import { isLoggedOnState, type DisconnectReason, type SessionState } from './session-state'
import { OutboundPipeline } from './outbound-pipeline'
import { TargetCommitter } from './target-committer'
import { encodeMessage } from './wire/encoder'
import { formatUtcTimestamp } from './wire/fix-time'
import { displayText } from './wire/raw-message'
import * as admin from './admin-messages'
import { periodAt } from './schedule'

export interface SessionOptions {
  readonly name: string
  readonly role: 'acceptor' | 'initiator'
  readonly settings: SessionSettings
  readonly store: SessionStore
  readonly codec: FixCodec
  readonly app: FixApp
  readonly logger: Logger
  /** for tests */
  readonly clock?: () => Date
}

const TICK_MS = 200

export abstract class SessionBase {
  readonly name: string
  readonly role: 'acceptor' | 'initiator'
  readonly settings: SessionSettings
  protected readonly store: SessionStore
  readonly codec: FixCodec
  protected readonly dict: SessionDictionary
  protected readonly app: FixApp
  protected readonly log: Logger
  protected readonly clock: () => Date

  protected state: SessionState = 'Disconnected'
  protected conn: Connection | null = null
  /** next MsgSeqNum we assign */
  protected nextOut = 1
  /** next MsgSeqNum we expect */
  protected expected = 1
  protected heartBtIntMs = 0
  protected lastSentAt = 0
  protected lastReceivedAt = 0
  protected testRequestsSent = 0
  /** logon or logout deadline (ms since epoch), or null */
  protected deadline: number | null = null
  protected readonly pipeline: OutboundPipeline
  protected readonly committer: TargetCommitter
  /** store work left by the last disconnect (state, resets): the next logon waits for it */
  protected lifecycle: Promise<void> = Promise.resolve()
  protected storeFailed = false
  private connections = 0
  /** Which connection this is (changes at every new connection; null while disconnected). */
  get connectionId (): number | null { return this.conn == null ? null : this.connections }
  /** when the current connection logged on (null: not logged on on this connection) */
  loggedOnSince: Date | null = null
  private timer: NodeJS.Timeout | null = null
  private readonly disconnectListeners: Array<(s: this) => void> = []

  constructor (o: SessionOptions) {
    this.name = o.name
    this.role = o.role
    this.settings = o.settings
    this.store = o.store
    this.codec = o.codec
    this.dict = o.codec.dictionary
    this.app = o.app
    this.log = o.logger.child({ session: o.name })
    this.clock = o.clock ?? (() => new Date())
    this.pipeline = new OutboundPipeline(this.store, (e) => this.onStoreFailure(e))
    this.committer = new TargetCommitter(this.store, (e) => this.onStoreFailure(e),
      (e) => this.log.error({ err: e }, 'application failed to handle a message'))
  }

  /** FIX.4.4:SENDER->TARGET: the key of this session's rows in fix_sessions / fix_messages */
  get sessionKey (): string { return this.store.sessionKey }
  get senderCompId (): string { return this.settings.senderCompId }
  get targetCompId (): string { return this.settings.targetCompId }
  /** Logged on both ways: application messages may be sent. */
  get isReady (): boolean { return this.state === 'Active' }
  get isConnected (): boolean { return this.conn != null }
  get sessionState (): SessionState { return this.state }
  /** next MsgSeqNum we will send / expect (in memory, possibly ahead of the store) */
  get nextSenderSeqNum (): number { return this.nextOut }
  get nextTargetSeqNum (): number { return this.expected }

  /** Called after every disconnect (the initiator schedules its next attempt). */
  onDisconnect (listener: (s: this) => void): void { this.disconnectListeners.push(listener) }

  protected abstract onFrame (conn: Connection, bytes: Buffer | null, garbledReason: string | null): void
  /** clear inbound state (queued messages, resend range) */
  protected abstract clearInbound (): void

  protected now (): number { return this.clock().getTime() }

  // ---- connection --------------------------------------------------------------------

  protected attach (conn: Connection, state: SessionState): void {
    this.conn = conn
    this.connections++
    this.loggedOnSince = null
    this.state = state
    const now = this.now()
    this.lastReceivedAt = now
    this.lastSentAt = now
    this.testRequestsSent = 0
    this.deadline = now + this.settings.logonTimeoutSeconds * 1000
    conn.onFrame = (ev) => this.onFrame(conn, ev.kind === 'message' ? ev.bytes : null, ev.kind === 'garbled' ? ev.reason : null)
    conn.onClose((reason) => { if (this.conn === conn) this.disconnect('REMOTE_DISCONNECT', reason) })
    if (this.timer == null) {
      this.timer = setInterval(() => this.tick(), TICK_MS)
      this.timer.unref()
    }
  }

  /** Handle no logon before `p` has settled (the store being initialized). */
  notBefore (p: Promise<unknown>): void {
    this.lifecycle = this.lifecycle.then(async () => { await p }).catch((e) => this.log.error({ err: e }, 'session store could not be initialized'))
  }

  /**
   * Take the store's numbers once it is initialized: from then on the order engine may
   * give out MsgSeqNums for this session even before its first logon.
   */
  adoptStoreNumbers (): void {
    this.nextOut = this.store.nextSenderMsgSeqNum
    this.expected = this.store.nextTargetMsgSeqNum
  }

  /** Load the durable sequence numbers (an operator may have changed them) before a logon. */
  protected async syncWithStore (): Promise<void> {
    await this.lifecycle
    await this.pipeline.flush()
    await this.settleInbound()
    await this.store.refresh('connected')
    this.storeFailed = false
    this.pipeline.recover()
    // The engine may have given out numbers while we read (its batch not yet committed):
    // never go back below them. Otherwise the store's number wins (an operator may have set it).
    this.nextOut = this.pipeline.journaledPending > 0 ? Math.max(this.nextOut, this.store.nextSenderMsgSeqNum) : this.store.nextSenderMsgSeqNum
    this.expected = this.store.nextTargetMsgSeqNum
  }

  /** Let the application finish what it received (bounded); what it has not finished is asked for again later. */
  protected async settleInbound (timeoutMs = 10_000): Promise<void> {
    if (!(await this.committer.settle(timeoutMs))) {
      this.log.warn({ timeoutMs }, 'the application has not finished handling some messages: they will be asked for again at the next logon')
    }
  }

  /** Both sequence numbers back to 1, stored messages dropped (ResetSeqNumFlag, reset settings, new session period). */
  protected async resetSequences (why: string): Promise<void> {
    await this.pipeline.flush()
    await this.settleInbound()
    await this.store.reset()
    this.nextOut = 1
    this.expected = 1
    this.clearInbound()
    this.log.info({ why }, 'sequence numbers reset to 1')
  }

  disconnect (reason: DisconnectReason, detail: string, error?: Error): void {
    const conn = this.conn
    if (conn == null) return
    this.conn = null
    const wasLoggedOn = isLoggedOnState(this.state)
    this.state = 'Disconnected'
    this.deadline = null
    this.clearInbound()
    conn.onFrame = () => {}
    if (this.timer != null) { clearInterval(this.timer); this.timer = null }
    // let what is queued (a Logout) reach the peer before the close
    this.pipeline.flush().then(() => conn.close(detail), () => conn.close(detail))
    const level = reason === 'LOGOUT' || reason === 'STOPPED' ? 'info' : 'warn'
    this.log[level]({ reason, detail, remote: `${conn.remoteAddress}:${conn.remotePort}` }, wasLoggedOn ? 'FIX session logged out' : 'FIX connection closed')
    const reset = this.settings.resetOnDisconnect || (this.settings.resetOnLogout && reason === 'LOGOUT')
    this.lifecycle = this.lifecycle
      .then(async () => {
        await this.settleInbound()
        if (reset && !this.storeFailed) await this.resetSequences(reason === 'LOGOUT' ? 'ResetOnLogout' : 'ResetOnDisconnect')
        await this.store.recordState('disconnected')
      })
      .catch((e) => this.log.error({ err: e }, 'session store update after disconnect failed'))
    try {
      this.app.onStopped(this as never, error)
    } catch (e) {
      this.log.error({ err: e }, 'application onStopped threw')
    }
    for (const l of this.disconnectListeners) l(this)
  }

  // ---- sending -----------------------------------------------------------------------

  /** The whole message: our standard header (one place builds it), then the body. */
  protected encode (out: admin.Outgoing, seq: number, at: Date): Buffer {
    return encodeMessage({
      beginString: this.settings.beginString,
      msgType: out.msgType,
      fields: [[34, String(seq)], [49, this.settings.senderCompId], [52, formatUtcTimestamp(at)], [56, this.settings.targetCompId], ...(out.header ?? [])]
    }, out.body)
  }

  /** Assign the next MsgSeqNum, store, then write. Returns the MsgSeqNum. */
  protected send (out: admin.Outgoing): number {
    const seq = this.nextOut++
    const at = this.clock()
    const bytes = this.encode(out, seq, at)
    this.pipeline.send({ seqNum: seq, msgType: out.msgType, raw: bytes.toString('latin1'), sentAt: at, bytes }, this.conn)
    this.lastSentAt = at.getTime()
    if (this.log.isLevelEnabled('debug')) this.log.debug({ dir: 'out', msgType: out.msgType, fix: displayText(bytes) }, 'fix out')
    return seq
  }

  /**
   * The order engine's path: give an application message the next MsgSeqNum now and
   * queue it in line. The engine stores it in its batch's transaction; `release` (after
   * that commit) lets the bytes go to the connection that was logged on when it was
   * prepared. A peer that is not logged on gets it by resend, like anything stored.
   * `drop` (the batch was abandoned) leaves the number unused: a gap, gap-filled on resend.
   */
  prepareJournaled (out: admin.Outgoing): { message: StoredMessage, release: () => void, drop: () => void } {
    const seq = this.nextOut++
    const at = this.clock()
    const bytes = this.encode(out, seq, at)
    let settle = (_stored: boolean): void => {}
    const committed = new Promise<boolean>((resolve) => { settle = resolve })
    const message = { seqNum: seq, msgType: out.msgType, raw: bytes.toString('latin1'), sentAt: at }
    this.pipeline.sendJournaled({ ...message, bytes }, committed, this.state === 'Active' ? this.conn : null)
    this.lastSentAt = at.getTime()
    if (this.log.isLevelEnabled('debug')) this.log.debug({ dir: 'out', msgType: out.msgType, fix: displayText(bytes) }, 'fix out (journaled)')
    return { message, release: () => settle(true), drop: () => settle(false) }
  }

  /** The engine committed messages / inbound progress of this session. */
  journalCommitted (nextSender: number | null, nextTarget: number | null): void {
    this.store.noteDurable(nextSender, nextTarget)
  }

  /** Send our Logout and wait for the peer's (or the logout timeout). */
  protected logoutAndWait (text?: string): void {
    if (this.conn == null || this.state === 'AwaitingLogout') return
    this.send(admin.logout(text))
    this.state = 'AwaitingLogout'
    this.deadline = this.now() + this.settings.logoutTimeoutSeconds * 1000
    this.log.info({ text }, 'Logout sent')
  }

  // ---- store failure -----------------------------------------------------------------

  /**
   * A store write failed: sequence numbers in memory can no longer be trusted to match
   * Postgres. Never carry on: fall back to the durable numbers, try to tell the peer
   * (a Logout, stored first like anything else), and disconnect.
   */
  protected onStoreFailure (e: Error): void {
    if (this.storeFailed) return
    this.storeFailed = true
    this.log.error({ err: e }, 'FIX session store write failed: stopping the session')
    const conn = this.conn
    this.nextOut = this.store.nextSenderMsgSeqNum
    const tryLogout = async (): Promise<void> => {
      if (conn == null || !conn.isOpen || !isLoggedOnState(this.state)) return
      const seq = this.store.nextSenderMsgSeqNum
      const at = this.clock()
      const bytes = this.encode(admin.logout('session store failure'), seq, at)
      await this.store.appendOutbound([{ seqNum: seq, msgType: '5', raw: bytes.toString('latin1'), sentAt: at }])
      conn.write(bytes)
      this.nextOut = seq + 1
    }
    tryLogout().catch(() => {}).finally(() => this.disconnect('STORE_FAILURE', 'session store write failed', e))
  }

  // ---- timers ------------------------------------------------------------------------

  protected abstract sendTestRequest (): void
  protected abstract sendHeartbeat (): void

  /** called on every timer tick while connected, before the timeout and heartbeat checks */
  protected onTick (_now: number): void {}

  private tick (): void {
    if (this.conn == null) return
    const now = this.now()
    this.onTick(now)
    if (this.deadline != null && now >= this.deadline) {
      if (this.state === 'AwaitingLogout') this.disconnect('LOGOUT_TIMEOUT', 'no Logout from the peer in time')
      else if (!isLoggedOnState(this.state)) this.disconnect('LOGON_TIMEOUT', `no Logon within ${this.settings.logonTimeoutSeconds} s`)
      return
    }
    if (this.settings.schedule != null && this.state === 'Active' && periodAt(this.settings.schedule, this.clock()) == null) {
      this.logoutAndWait('Session time ended')
      return
    }
    if (!isLoggedOnState(this.state) || this.heartBtIntMs <= 0) return
    const hb = this.heartBtIntMs
    const sinceSent = now - this.lastSentAt
    const sinceReceived = now - this.lastReceivedAt
    if (sinceSent < hb && sinceReceived < hb) return
    if (sinceReceived >= 2.4 * hb) {
      this.disconnect('HEARTBEAT_TIMEOUT', `nothing received for ${Math.round(sinceReceived / 1000)} s (HeartBtInt ${hb / 1000} s)`)
    } else if (sinceReceived >= 1.2 * (this.testRequestsSent + 1) * hb) {
      this.sendTestRequest()
      this.testRequestsSent++
    } else if (sinceSent >= hb && this.testRequestsSent === 0) {
      this.sendHeartbeat()
    }
  }

  /** Stop timers for good (endpoint stopping). */
  protected stopTimers (): void {
    if (this.timer != null) { clearInterval(this.timer); this.timer = null }
  }
}
