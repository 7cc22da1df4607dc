/**
 * Answering a ResendRequest (FIX 4.4 Vol 2, "Message Recovery"): application messages
 * we stored are resent (PossDupFlag=Y, OrigSendingTime = original SendingTime); session
 * messages and holes in the store are not, and every run of them collapses into one
 * SequenceReset-GapFill whose MsgSeqNum is the first number of the run and whose
 * NewSeqNo is the number after it.
 *
 * The planner is fed the stored messages in chunks (a large range never sits in memory
 * at once) and keeps the open gap across chunks; planResend() is the one-shot form.
 */
import { ADMIN_MSG_TYPES } from './dictionary/session-dictionary'
import type { StoredMessage } from '../store/session-store'

export type ResendStep =
  | { readonly kind: 'resend', readonly message: StoredMessage }
  | { readonly kind: 'gapFill', readonly seqNum: number, readonly newSeqNo: number }

/** Stored messages we never resend: session messages (and anything we cannot read back). */
export type IsGapFilled = (m: StoredMessage) => boolean

export const sessionMessagesOnly: IsGapFilled = (m) => ADMIN_MSG_TYPES.has(m.msgType)

export class ResendPlanner {
  /** first number of the run being gap-filled, or null */
  private gapFrom: number | null = null
  /** next number we have not accounted for */
  private next: number

  constructor (begin: number, private readonly end: number, private readonly gapFilled: IsGapFilled = sessionMessagesOnly) {
    this.next = begin
  }

  /** Steps for the next chunk of stored messages (ascending, within begin..end). */
  feed (chunk: readonly StoredMessage[]): ResendStep[] {
    const steps: ResendStep[] = []
    for (const m of chunk) {
      if (m.seqNum < this.next || m.seqNum > this.end) continue
      if (m.seqNum > this.next && this.gapFrom == null) this.gapFrom = this.next // a hole
      if (this.gapFilled(m)) {
        if (this.gapFrom == null) this.gapFrom = m.seqNum
      } else {
        if (this.gapFrom != null) steps.push({ kind: 'gapFill', seqNum: this.gapFrom, newSeqNo: m.seqNum })
        this.gapFrom = null
        steps.push({ kind: 'resend', message: m })
      }
      this.next = m.seqNum + 1
    }
    return steps
  }

  /** The gap fill closing the range, if the range ends in session messages or holes. */
  finish (): ResendStep[] {
    const from = this.gapFrom ?? this.next
    this.gapFrom = null
    if (from > this.end) return []
    this.next = this.end + 1
    return [{ kind: 'gapFill', seqNum: from, newSeqNo: this.end + 1 }]
  }
}

/**
 * The whole plan for begin..end. `end` must already be resolved: EndSeqNo 0 (or past
 * our last message) means our last sent number.
 */
export function planResend (stored: readonly StoredMessage[], begin: number, end: number, gapFilled: IsGapFilled = sessionMessagesOnly): ResendStep[] {
  if (end < begin) return []
  const p = new ResendPlanner(begin, end, gapFilled)
  return [...p.feed(stored), ...p.finish()]
}

/** EndSeqNo as received → the last number to answer for (0 or beyond what we sent → our last). */
export function resolveEndSeqNo (endSeqNo: number, nextSenderSeqNum: number): number {
  const last = nextSenderSeqNum - 1
  return endSeqNo === 0 || endSeqNo > last ? last : endSeqNo
}
