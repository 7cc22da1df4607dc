/**
 * The receiving half of our FIX session: messages are handled one at a time, in
 * arrival order, like QuickFIX's Session::next():
 *   garbled → ignored;  wrong BeginString → Logout;  dictionary problem → Reject;
 *   then per MsgType, with the checks of verify() (seq-verdict.ts) before acting;
 *   a gap queues the message and asks for the missing ones, and queued messages are
 *   processed in order as soon as the gap is filled.
 * Logon is handled in fixgw-session.ts.
 */
import type { Connection } from '../transport/connection'
import { SessionBase } from './session-base'
import { isLoggedOnState } from './session-state'
import { displayText, parseFrame, type RawMessage } from './wire/raw-message'
import { checkValueBytes, validateMessage } from './validate/validate'
import { SessionRejectReason as R, type SessionProblem } from './validate/reject-reason'
import { isPossDup, seqNumOf, verify, type SeqChecks, type Verdict } from './seq-verdict'
import { resolveEndSeqNo } from './resend-plan'
import { serviceResend } from './resend-service'
import { BusinessRejectReason } from './validate/reject-reason'
import * as admin from './admin-messages'
import { messageView } from './message-view'

type InboxItem =
  | { readonly conn: Connection, readonly bytes: Buffer | null, readonly garbled: string | null }
  | { readonly conn: Connection, readonly task: () => Promise<void> }

const BOTH: SeqChecks = { tooHigh: true, tooLow: true }
const LOW_ONLY: SeqChecks = { tooHigh: false, tooLow: true }
const NONE: SeqChecks = { tooHigh: false, tooLow: false }
const REQUIRED_HEADER = [34, 49, 52, 56]

export abstract class InboundSession extends SessionBase {
  private readonly inbox: InboxItem[] = []
  private draining = false
  /** messages received above the expected number, waiting for the gap to fill */
  protected readonly gapQueue = new Map<number, RawMessage>()
  /** what we asked the peer to resend, while it is outstanding */
  protected resendRange: { readonly begin: number, readonly end: number } | null = null
  protected current: RawMessage | null = null

  protected abstract handleLogon (m: RawMessage): Promise<void>
  /** the gap we asked the peer to fill is filled (or given up on) */
  protected abstract onRecovered (): void

  protected onFrame (conn: Connection, bytes: Buffer | null, garbled: string | null): void {
    this.enqueue({ conn, bytes, garbled })
  }

  /** Run `task` in turn with inbound messages (the initiator's logon start). */
  protected enqueueTask (conn: Connection, task: () => Promise<void>): void {
    this.enqueue({ conn, task })
  }

  private enqueue (item: InboxItem): void {
    this.inbox.push(item)
    if (this.draining) return
    this.draining = true
    this.drainInbox().catch((e) => this.log.error({ err: e }, 'inbound processing failed')).finally(() => { this.draining = false })
  }

  private async drainInbox (): Promise<void> {
    while (this.inbox.length > 0) {
      const item = this.inbox.shift() as InboxItem
      if (item.conn !== this.conn) continue // from a connection that has gone
      try {
        if ('task' in item) await item.task()
        else await this.handleFrame(item.bytes, item.garbled)
      } catch (e) {
        this.log.error({ err: e }, 'unexpected error while handling an inbound message: disconnecting')
        this.disconnect('STOPPED', `internal error: ${(e as Error).message}`, e as Error)
      }
    }
  }

  protected clearInbound (): void {
    this.gapQueue.clear()
    this.resendRange = null
  }

  private async handleFrame (bytes: Buffer | null, garbled: string | null): Promise<void> {
    const parsed = bytes == null ? null : parseFrame(bytes, this.dict.dataLengths)
    if (parsed == null || !parsed.ok) {
      const reason = garbled ?? (parsed != null && !parsed.ok ? parsed.reason : 'garbled')
      if (!isLoggedOnState(this.state)) {
        this.disconnect('INVALID_LOGON', `garbled message while waiting for a Logon: ${reason}`)
      } else {
        this.log.warn({ reason, fix: bytes == null ? undefined : displayText(bytes) }, 'garbled message ignored')
      }
      return
    }
    const m = parsed.msg
    this.lastReceivedAt = this.now()
    this.testRequestsSent = 0
    if (this.log.isLevelEnabled('debug')) this.log.debug({ dir: 'in', msgType: m.msgType, fix: displayText(m.bytes) }, 'fix in')
    await this.processMessage(m, false)
  }

  protected async processMessage (m: RawMessage, fromQueue: boolean): Promise<void> {
    const loggedOn = isLoggedOnState(this.state)
    if (m.get(8) !== this.settings.beginString) {
      if (!loggedOn) { this.disconnect('INVALID_LOGON', `BeginString ${m.get(8) ?? ''}`); return }
      if (m.msgType === '5') { this.onLogout(m); return }
      this.log.warn({ beginString: m.get(8) }, 'message with a wrong BeginString')
      this.logoutAndWait('Incorrect BeginString')
      if (seqNumOf(m) === this.expected) this.accept()
      return
    }
    const problem = this.validate(m)
    if (problem != null) {
      if (!loggedOn) { this.disconnect('INVALID_LOGON', problem.detail); return }
      this.sendReject(m, problem)
    } else if (m.msgType === 'A') {
      await this.handleLogon(m)
    } else if (!loggedOn && !(m.msgType === '5' && this.state === 'LogonSent')) {
      this.disconnect('FIRST_MESSAGE_NOT_LOGON', `MsgType ${m.msgType} received before the Logon`)
      return
    } else {
      switch (m.msgType) {
        case '0': if (this.verifyAndAct(m, BOTH)) this.accept(); break
        case '1': this.onTestRequest(m); break
        case '2': this.onResendRequest(m); break
        case '3': this.onReject(m); break
        case '4': this.onSequenceReset(m); break
        case '5': this.onLogout(m); break
        default: this.onApplication(m)
      }
    }
    if (!fromQueue) await this.processQueue()
  }

  private validate (m: RawMessage): SessionProblem | null {
    if (this.settings.validation != null) return validateMessage(m, this.dict, this.settings.validation)
    for (const tag of REQUIRED_HEADER) {
      const v = m.get(tag)
      if (v == null) return { reason: R.RequiredTagMissing, refTagId: String(tag), detail: `required tag ${tag} missing` }
      if (v === '') return { reason: R.TagSpecifiedWithoutValue, refTagId: String(tag), detail: `tag ${tag} has no value` }
    }
    return checkValueBytes(m, this.dict)
  }

  /** Process queued messages whose turn has come. */
  protected async processQueue (): Promise<void> {
    while (this.conn != null && this.gapQueue.size > 0) {
      for (const s of this.gapQueue.keys()) if (s < this.expected) this.gapQueue.delete(s)
      const m = this.gapQueue.get(this.expected)
      if (m == null) return
      this.gapQueue.delete(this.expected)
      this.log.debug({ seqNum: this.expected }, 'processing a queued message')
      // a queued Logon or ResendRequest was acted on when it arrived: it only counts now
      if (m.msgType === 'A' || m.msgType === '2') this.accept()
      else await this.processMessage(m, true)
    }
  }

  // ---- checks and their consequences -------------------------------------------------

  protected verdict (m: RawMessage, checks: SeqChecks): Verdict {
    return verify(m, {
      expected: this.expected,
      now: this.clock(),
      senderCompId: this.settings.senderCompId,
      targetCompId: this.settings.targetCompId,
      checkCompIds: this.settings.checkCompIds,
      maxLatencySeconds: this.settings.maxLatencySeconds
    }, checks)
  }

  /** verify() and act on anything but 'ok'; true when the caller may process the message. */
  protected verifyAndAct (m: RawMessage, checks: SeqChecks): boolean {
    const v = this.verdict(m, checks)
    switch (v.kind) {
      case 'ok':
        if (this.resendRange != null && (checks.tooHigh || checks.tooLow) && seqNumOf(m) >= this.resendRange.end) {
          this.log.info({ ...this.resendRange }, 'our ResendRequest has been satisfied')
          this.resendRange = null
          this.onRecovered()
        }
        return true
      case 'too-high':
        this.queueTooHigh(m)
        return false
      case 'too-low':
        this.log.warn({ received: seqNumOf(m), expected: this.expected }, 'MsgSeqNum too low')
        this.send(admin.logout(v.text))
        this.disconnect('MSG_SEQ_NUM_TOO_LOW', v.text)
        return false
      case 'duplicate':
        this.log.debug({ seqNum: seqNumOf(m) }, 'possible duplicate already received: ignored')
        return false
      case 'reject':
        this.sendReject(m, v.problem)
        return false
      case 'reject-logout':
        this.sendReject(m, v.problem)
        this.logoutAndWait()
        return false
    }
  }

  /** Count the expected message as received (and handled once `done` settles). */
  protected accept (done: Promise<unknown> | null = null): void {
    this.expected++
    this.committer.advance(this.expected, done)
  }

  protected sendReject (m: RawMessage, problem: SessionProblem): void {
    this.log.warn({ msgType: m.msgType, seqNum: m.get(34), reason: problem.reason, refTagId: problem.refTagId, detail: problem.detail }, 'message rejected')
    this.send(admin.reject(m, problem))
    if (m.msgType !== 'A' && m.msgType !== '4' && seqNumOf(m) === this.expected) this.accept()
  }

  protected queueTooHigh (m: RawMessage): void {
    const seq = seqNumOf(m)
    this.gapQueue.set(seq, m)
    if (this.resendRange != null && seq >= this.resendRange.begin) {
      this.log.info({ received: seq, expected: this.expected, ...this.resendRange }, 'MsgSeqNum too high: queued, resend already requested')
      return
    }
    this.log.info({ received: seq, expected: this.expected }, 'MsgSeqNum too high: queued, ResendRequest sent')
    this.send(admin.resendRequest(this.expected, 0))
    this.resendRange = { begin: this.expected, end: seq - 1 }
  }

  // ---- admin messages (Logon: fixgw-session.ts) --------------------------------------

  private onTestRequest (m: RawMessage): void {
    if (!this.verifyAndAct(m, BOTH)) return
    this.send(admin.heartbeat(m.get(112) ?? null))
    this.accept()
  }

  protected sendHeartbeat (): void { this.send(admin.heartbeat()) }
  protected sendTestRequest (): void { this.send(admin.testRequest('TEST')) }

  private onReject (m: RawMessage): void {
    if (!this.verifyAndAct(m, LOW_ONLY)) return
    this.log.warn({ refSeqNum: m.get(45), refMsgType: m.get(372), refTagId: m.get(371), reason: m.get(373), text: m.get(58) }, 'the peer rejected one of our messages')
    this.accept()
    if (this.app.onReject == null) return
    this.current = m
    try {
      this.app.onReject(this as never, messageView(m))
    } catch (e) {
      this.log.error({ err: e }, 'application onReject threw')
    }
  }

  private onSequenceReset (m: RawMessage): void {
    const gapFill = m.get(123) === 'Y'
    if (!this.verifyAndAct(m, gapFill ? BOTH : NONE)) return
    const newSeqNo = Number(m.get(36))
    if (newSeqNo > this.expected) {
      this.log.info({ from: this.expected, to: newSeqNo, gapFill }, 'SequenceReset: next expected MsgSeqNum moved')
      this.expected = newSeqNo
      this.committer.advance(newSeqNo)
      if (this.resendRange != null && newSeqNo > this.resendRange.end) {
        this.resendRange = null
        this.onRecovered()
      }
    } else if (newSeqNo < this.expected) {
      this.sendReject(m, { reason: R.ValueIsIncorrect, detail: `NewSeqNo ${newSeqNo} is below the expected ${this.expected}` })
    }
  }

  private onResendRequest (m: RawMessage): void {
    // Serviced whatever its own MsgSeqNum (as QuickFIX does): answering first avoids
    // both sides waiting on each other when each has a gap.
    if (!this.verifyAndAct(m, NONE)) return
    const begin = Number(m.get(7))
    const end = resolveEndSeqNo(Number(m.get(16)), this.nextOut)
    this.log.info({ begin, requestedEnd: Number(m.get(16)), end }, 'ResendRequest received')
    if (begin >= 1 && begin <= end) {
      this.pipeline.job(async (sink) => {
        const { stale, ...counts } = await serviceResend({ store: this.store, dict: this.dict, settings: this.settings, log: this.log, clock: this.clock }, sink, begin, end)
        this.log.info({ begin, end, ...counts, stale: stale.length }, 'ResendRequest answered')
        if (stale.length > 0) {
          this.log.warn({ seqNums: stale.map((m) => m.seqNum), staleOrderSeconds: this.settings.staleOrderSeconds }, 'stale order messages gap-filled instead of resent')
          try {
            this.app.onNotResent?.(this as never, stale)
          } catch (e) {
            this.log.error({ err: e }, 'application onNotResent threw')
          }
        }
      }, this.conn)
    } else {
      this.log.warn({ begin, end }, 'ResendRequest for messages we never sent: nothing to resend')
    }
    if (seqNumOf(m) === this.expected) this.accept()
  }

  protected onLogout (m: RawMessage): void {
    const text = m.get(58)
    if (!isLoggedOnState(this.state)) {
      this.log.warn({ text }, 'Logout received instead of a Logon reply')
      this.send(admin.logout())
      this.disconnect('LOGON_REJECTED', text ?? 'Logout received before logon')
      return
    }
    if (!this.verifyAndAct(m, NONE)) return
    if (this.state !== 'AwaitingLogout') this.send(admin.logout())
    if (seqNumOf(m) === this.expected) this.accept()
    this.disconnect('LOGOUT', text == null ? 'Logout' : `Logout: ${text}`)
  }

  private onApplication (m: RawMessage): void {
    if (!this.verifyAndAct(m, BOTH)) return
    if (this.app.supportsMsgType?.(m.msgType) === false) {
      this.send(admin.businessReject(m, BusinessRejectReason.UnsupportedMessageType))
      this.accept()
      return
    }
    let done: Promise<unknown> | null = null
    this.current = m
    try {
      const result = this.app.onMessage(this as never, m.msgType, messageView(m))
      if (result != null && typeof (result as Promise<unknown>).then === 'function') done = result as Promise<unknown>
    } catch (e) {
      this.log.error({ err: e, msgType: m.msgType, seqNum: m.get(34) }, 'application handler threw')
    }
    this.accept(done)
  }

  protected isPossDup (m: RawMessage): boolean { return isPossDup(m) }
}
