/**
 * The checks QuickFIX runs before acting on a message (Session::verify), as a pure
 * decision: SendingTime accuracy, CompIDs, then the sequence number, then PossDup
 * consistency. The session acts on the verdict (send, queue, drop, log out).
 */
import type { RawMessage } from './wire/raw-message'
import { parseUtcTimestamp } from './wire/fix-time'
import { SessionRejectReason as R, type SessionProblem } from './validate/reject-reason'

export type Verdict =
  | { readonly kind: 'ok' }
  /** reject the message, then log out (bad SendingTime, bad CompID, OrigSendingTime after SendingTime) */
  | { readonly kind: 'reject-logout', readonly problem: SessionProblem }
  /** reject the message and carry on (PossDup without OrigSendingTime) */
  | { readonly kind: 'reject', readonly problem: SessionProblem }
  /** a gap: queue the message and ask for the missing ones */
  | { readonly kind: 'too-high' }
  /** below the expected number and not a possible duplicate: Logout with this text, disconnect */
  | { readonly kind: 'too-low', readonly text: string }
  /** a possible duplicate of a message already processed: ignore it */
  | { readonly kind: 'duplicate' }

export interface VerifyContext {
  readonly expected: number
  readonly now: Date
  readonly senderCompId: string
  readonly targetCompId: string
  readonly checkCompIds: boolean
  readonly maxLatencySeconds: number | null
}

export interface SeqChecks { readonly tooHigh: boolean, readonly tooLow: boolean }

export const seqNumOf = (m: RawMessage): number => {
  const v = m.get(34)
  return v != null && /^\d+$/.test(v) ? Number(v) : NaN
}

export const isPossDup = (m: RawMessage): boolean => m.get(43) === 'Y'

export function verify (m: RawMessage, ctx: VerifyContext, checks: SeqChecks): Verdict {
  if (ctx.maxLatencySeconds != null) {
    const sent = parseUtcTimestamp(m.get(52) ?? '')
    if (sent == null || Math.abs(ctx.now.getTime() - sent.getTime()) > ctx.maxLatencySeconds * 1000) {
      return { kind: 'reject-logout', problem: { reason: R.SendingTimeAccuracyProblem, detail: `SendingTime ${m.get(52) ?? ''} is more than ${ctx.maxLatencySeconds} s from our clock` } }
    }
  }
  if (ctx.checkCompIds && (m.get(49) !== ctx.targetCompId || m.get(56) !== ctx.senderCompId)) {
    return { kind: 'reject-logout', problem: { reason: R.CompIdProblem, detail: `SenderCompID ${m.get(49) ?? ''} / TargetCompID ${m.get(56) ?? ''}, expected ${ctx.targetCompId} / ${ctx.senderCompId}` } }
  }
  const seq = seqNumOf(m)
  if (checks.tooHigh && seq > ctx.expected) return { kind: 'too-high' }
  if (checks.tooLow && seq < ctx.expected) {
    if (!isPossDup(m)) return { kind: 'too-low', text: `MsgSeqNum too low, expecting ${ctx.expected} but received ${seq}` }
    return possDupProblem(m) ?? { kind: 'duplicate' }
  }
  if (isPossDup(m)) return possDupProblem(m) ?? { kind: 'ok' }
  return { kind: 'ok' }
}

/** FIX 4.4 Vol 2 tests 2f/2g: a possible duplicate needs an OrigSendingTime no later than its SendingTime. */
function possDupProblem (m: RawMessage): Verdict | null {
  if (m.msgType === '4') return null // a gap fill says nothing about the original
  const orig = m.get(122)
  if (orig == null) return { kind: 'reject', problem: { reason: R.RequiredTagMissing, refTagId: '122', detail: 'PossDupFlag=Y without OrigSendingTime(122)' } }
  const o = parseUtcTimestamp(orig)
  const s = parseUtcTimestamp(m.get(52) ?? '')
  if (o != null && s != null && o.getTime() > s.getTime()) {
    return { kind: 'reject-logout', problem: { reason: R.SendingTimeAccuracyProblem, detail: `OrigSendingTime ${orig} is after SendingTime ${m.get(52) ?? ''}` } }
  }
  return null
}
