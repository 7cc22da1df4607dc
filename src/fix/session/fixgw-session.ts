/**
 * Our FIX 4.4 session (one per configured counterparty, living across connections):
 * the Logon handshake for both roles and the API the rest of fixgw uses. Built on our
 * own wire layer and on jspurefix's dictionary and body encoder; see
 * docs/session-layer.md for what replaced jspurefix's AsciiSession and why.
 */
import { timingSafeEqual } from 'node:crypto'
import type { ILooseObject } from '../jspurefix'
import type { Connection } from '../transport/connection'
import { InboundSession } from './inbound-session'
import type { SessionOptions } from './session-base'
import { isLoggedOnState } from './session-state'
import { displayText, type RawMessage } from './wire/raw-message'
import type { TagValue } from './wire/encoder'
import { seqNumOf } from './seq-verdict'
import { isNewPeriod, periodAt } from './schedule'
import * as admin from './admin-messages'
import { messageView } from './message-view'
import type { Outgoing } from './admin-messages'

export type { FixApp } from './fix-app'
export type { SessionOptions } from './session-base'

/** Header fields the session writes itself; anything else given as a header field is kept. */
const SESSION_HEADER = new Set([8, 9, 10, 34, 35, 43, 49, 52, 56, 122])

export class FixgwSession extends InboundSession {
  /** we sent ResetSeqNumFlag=Y on this connection */
  private sentReset = false
  private stopped = false
  /** logged on with a gap: the application hears onReady once the gap is filled */
  private readyAfterRecovery: number | null = null

  constructor (options: SessionOptions) {
    super(options)
  }

  /** The text of the message being handled (SOH shown as |, passwords masked): for the audit trail. */
  get currentMessageText (): string { return this.current == null ? '' : displayText(this.current.bytes) }
  /** The message being handled, field by field as received. */
  get currentMessage (): RawMessage | null { return this.current }

  /** Whether the session may take a connection now (schedule). */
  isInSessionTime (now = this.clock()): boolean {
    return this.settings.schedule == null || periodAt(this.settings.schedule, now) != null
  }

  // ---- sending (application API) -----------------------------------------------------

  /** Send an application message given as a jspurefix object; false when not logged on. */
  sendMessage (msgType: string, body: ILooseObject): boolean {
    if (!this.readyToSend(msgType)) return false
    this.send(this.encodeApplication(msgType, body))
    return true
  }

  /** An application message given as a jspurefix object, encoded (throws when it cannot be). */
  encodeApplication (msgType: string, body: ILooseObject): Outgoing {
    const { StandardHeader, ...rest } = body
    const header: TagValue[] = []
    if (StandardHeader != null && typeof StandardHeader === 'object') {
      const h = StandardHeader as ILooseObject
      if (h.PossResend === true || h.PossResend === 'Y') header.push([97, 'Y'])
    }
    return { msgType, body: this.codec.encodeBody(msgType, rest), header }
  }

  /** Send a message written as [tag, value] pairs, in that order (header tags go to the header). */
  sendTags (msgType: string, fields: ReadonlyArray<readonly [number, string]>): boolean {
    const header: TagValue[] = []
    const body: TagValue[] = []
    for (const [t, v] of fields) {
      if (SESSION_HEADER.has(t)) continue
      if (this.dict.isHeaderTag(t)) header.push([t, v])
      else body.push([t, v])
    }
    return this.sendFields(msgType, body, header)
  }

  /** Send a body given as [tag, value] pairs exactly as given, with extra header fields. */
  sendFields (msgType: string, body: readonly TagValue[], header: readonly TagValue[] = []): boolean {
    if (!this.readyToSend(msgType)) return false
    this.send({ msgType, body, header })
    return true
  }

  private readyToSend (msgType: string): boolean {
    if (this.state === 'Active') return true
    this.log.warn({ msgType, state: this.state }, 'session not logged on: message not sent')
    return false
  }

  /** Log out politely (the peer confirms, then the connection closes). */
  logout (text?: string): void {
    if (this.state === 'Active') this.logoutAndWait(text)
    else if (this.conn != null && this.state !== 'AwaitingLogout') this.disconnect('STOPPED', text ?? 'stopped before logon')
  }

  /** Log out and wait (bounded) for the connection to close; used when shutting down. */
  async stop (timeoutMs = 2000): Promise<void> {
    this.stopped = true
    this.logout('Session stopped')
    const deadline = Date.now() + timeoutMs
    while (this.conn != null && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    this.disconnect('STOPPED', 'session stopped')
    this.stopTimers()
    await this.pipeline.flush()
    await this.settleInbound()
    await this.lifecycle
  }

  get isStopped (): boolean { return this.stopped }

  // ---- connections (called by the transport) -----------------------------------------

  /** Acceptor: a connection whose first message names this session. */
  attachAcceptor (conn: Connection, firstFrame: Buffer): void {
    this.attach(conn, 'AwaitingLogon')
    this.sentReset = false
    this.onFrame(conn, firstFrame, null)
  }

  /** Initiator: a new connection to the peer; we speak first. */
  attachInitiator (conn: Connection): void {
    this.attach(conn, 'LogonSent')
    this.enqueueTask(conn, async () => { await this.sendLogon(conn) })
  }

  private async sendLogon (conn: Connection): Promise<void> {
    if (!(await this.sync())) return
    const s = this.settings
    if (s.resetOnLogon) await this.resetSequences('ResetOnLogon')
    else if (isNewPeriod(s.schedule, this.store.creationTime, this.clock())) await this.resetSequences('new session period')
    if (this.conn !== conn) return
    this.sentReset = s.resetOnLogon
    this.send(admin.logon(s.heartBtInt, { resetSeqNum: this.sentReset, username: s.username, password: s.password }))
    this.log.info({ remote: `${conn.remoteAddress}:${conn.remotePort}`, nextSenderSeqNum: this.nextOut - 1, nextTargetSeqNum: this.expected }, 'Logon sent')
  }

  private async sync (): Promise<boolean> {
    try {
      await this.syncWithStore()
      return true
    } catch (e) {
      this.log.error({ err: e }, 'cannot read the session store: disconnecting')
      this.disconnect('STORE_FAILURE', 'session store unavailable', e as Error)
      return false
    }
  }

  // ---- Logon ---------------------------------------------------------------------------

  protected async handleLogon (m: RawMessage): Promise<void> {
    if (isLoggedOnState(this.state)) {
      if (m.get(141) === 'Y') await this.resetWhileLoggedOn(m)
      else this.disconnect('INVALID_LOGON', 'Logon received while logged on')
      return
    }
    if (this.role === 'acceptor') await this.onLogonRequest(m)
    else await this.onLogonReply(m)
  }

  /** Acceptor: the peer's Logon. */
  private async onLogonRequest (m: RawMessage): Promise<void> {
    const conn = this.conn
    if (!(await this.sync()) || this.conn !== conn) return
    const v = this.verdict(m, { tooHigh: false, tooLow: false })
    if (v.kind === 'reject' || v.kind === 'reject-logout') { this.disconnect('INVALID_LOGON', v.problem.detail); return }
    const heartBtInt = Number(m.get(108))
    if (!Number.isInteger(heartBtInt) || heartBtInt < 0) { this.disconnect('INVALID_LOGON', `HeartBtInt ${m.get(108) ?? ''}`); return }
    if (heartBtInt > this.settings.maxHeartBtInt) {
      this.refuse(`Logon rejected: HeartBtInt(108)=${heartBtInt} is above the maximum ${this.settings.maxHeartBtInt} seconds`)
      return
    }
    if (!this.credentialsMatch(m)) { this.refuse('Logon rejected: invalid username or password'); return }
    if (!(await this.appAccepts(m)) || this.conn !== conn) { this.refuse('Logon rejected by the application'); return }
    const peerReset = m.get(141) === 'Y'
    if (peerReset) await this.resetSequences('peer sent ResetSeqNumFlag=Y')
    else if (this.settings.resetOnLogon) await this.resetSequences('ResetOnLogon')
    else if (isNewPeriod(this.settings.schedule, this.store.creationTime, this.clock())) await this.resetSequences('new session period')
    if (this.conn !== conn) return
    if (!this.logonSeqNumOk(m)) return
    this.heartBtIntMs = heartBtInt * 1000
    this.send(admin.logon(heartBtInt, { resetSeqNum: peerReset }))
    this.loggedOn(m)
  }

  /** Initiator: the peer's reply to our Logon. */
  private async onLogonReply (m: RawMessage): Promise<void> {
    const conn = this.conn
    const v = this.verdict(m, { tooHigh: false, tooLow: false })
    if (v.kind === 'reject' || v.kind === 'reject-logout') { this.disconnect('INVALID_LOGON', v.problem.detail); return }
    if (!(await this.appAccepts(m)) || this.conn !== conn) { this.refuse('Logon rejected by the application'); return }
    if (m.get(141) === 'Y' && !this.sentReset) {
      // the acceptor reset the session: follow, and confirm with our own Logon 141=Y
      await this.resetSequences('peer replied with ResetSeqNumFlag=Y')
      if (this.conn !== conn) return
      this.send(admin.logon(this.settings.heartBtInt, { resetSeqNum: true, username: this.settings.username, password: this.settings.password }))
    }
    if (!this.logonSeqNumOk(m)) return
    this.heartBtIntMs = this.settings.heartBtInt * 1000
    this.loggedOn(m)
  }

  /** Too low without PossDup: Logout with the reason, disconnect. */
  private logonSeqNumOk (m: RawMessage): boolean {
    const seq = seqNumOf(m)
    if (seq >= this.expected || m.get(43) === 'Y') return true
    const text = `MsgSeqNum too low, expecting ${this.expected} but received ${seq}`
    this.send(admin.logout(text))
    this.disconnect('MSG_SEQ_NUM_TOO_LOW', text)
    return false
  }

  private loggedOn (m: RawMessage): void {
    this.state = 'Active'
    this.deadline = null
    this.loggedOnSince = this.clock()
    this.store.recordState('logged_on').catch((e) => this.onStoreFailure(e as Error))
    const seq = seqNumOf(m)
    this.readyAfterRecovery = null
    if (seq > this.expected) {
      this.queueTooHigh(m)
      // Tell the application once what the peer sent while we were away has been
      // processed: reconciling a broker, or routing new orders, on stale state would
      // race the messages being resent. Bounded, in case the peer never fills the gap.
      this.readyAfterRecovery = this.now() + Math.max(10_000, 2 * this.heartBtIntMs)
    } else if (seq === this.expected) {
      this.accept()
    }
    this.log.info({ role: this.role, heartBtInt: this.heartBtIntMs / 1000, nextSenderSeqNum: this.nextOut, nextTargetSeqNum: this.expected, recovering: this.readyAfterRecovery != null }, 'FIX session logged on')
    if (this.readyAfterRecovery == null) this.notifyReady()
  }

  protected onRecovered (): void {
    if (this.readyAfterRecovery == null) return
    this.readyAfterRecovery = null
    this.log.info('gap since the last session filled')
    this.notifyReady()
  }

  protected override onTick (now: number): void {
    if (this.readyAfterRecovery != null && now >= this.readyAfterRecovery && this.state === 'Active') {
      this.log.warn({ resendRange: this.resendRange }, 'the peer has not filled the gap in time: telling the application anyway')
      this.onRecovered()
    }
  }

  private notifyReady (): void {
    try {
      this.app.onReady(this)
    } catch (e) {
      this.log.error({ err: e }, 'application onReady threw')
    }
  }

  /** A Logon with ResetSeqNumFlag=Y on a live session: both sides start again at 1. */
  private async resetWhileLoggedOn (m: RawMessage): Promise<void> {
    const v = this.verdict(m, { tooHigh: false, tooLow: false })
    if (v.kind === 'reject' || v.kind === 'reject-logout') { this.disconnect('INVALID_LOGON', v.problem.detail); return }
    const conn = this.conn
    await this.resetSequences('ResetSeqNumFlag=Y while logged on')
    if (this.conn !== conn) return
    const heartBtInt = this.role === 'acceptor' ? Number(m.get(108)) : this.settings.heartBtInt
    if (Number.isInteger(heartBtInt) && heartBtInt >= 0) this.heartBtIntMs = heartBtInt * 1000
    this.send(admin.logon(this.heartBtIntMs / 1000, { resetSeqNum: true }))
    if (seqNumOf(m) === this.expected) this.accept()
  }

  private refuse (text: string): void {
    this.log.warn({ text }, 'Logon refused')
    this.send(admin.logout(text))
    this.disconnect('LOGON_REJECTED', text)
  }

  private credentialsMatch (m: RawMessage): boolean {
    const { username, password } = this.settings
    return (username == null || same(m.get(553), username)) && (password == null || same(m.get(554), password))
  }

  private async appAccepts (m: RawMessage): Promise<boolean> {
    if (this.app.onLogon == null) return true
    try {
      return await this.app.onLogon(this, messageView(m))
    } catch (e) {
      this.log.error({ err: e }, 'application onLogon failed: Logon refused')
      return false
    }
  }
}

function same (got: string | undefined, want: string): boolean {
  if (got == null) return false
  const a = Buffer.from(got, 'latin1')
  const b = Buffer.from(want, 'latin1')
  return a.length === b.length && timingSafeEqual(a, b)
}
