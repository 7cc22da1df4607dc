/**
 * The session-level messages we send, as [tag, value] bodies in ascending tag order
 * (the order FIX engines write them in). Header fields are added by the session.
 */
import type { TagValue } from './wire/encoder'
import type { RawMessage } from './wire/raw-message'
import { BUSINESS_REJECT_TEXT, SESSION_REJECT_TEXT, type SessionProblem } from './validate/reject-reason'

export interface Outgoing {
  readonly msgType: string
  readonly body: readonly TagValue[]
  /** extra header fields (routing, PossResend...), besides 34/49/52/56 */
  readonly header?: readonly TagValue[]
}

export function logon (heartBtInt: number, opts: { resetSeqNum?: boolean, username?: string | null, password?: string | null } = {}): Outgoing {
  const body: TagValue[] = [[98, '0'], [108, String(heartBtInt)]]
  if (opts.resetSeqNum === true) body.push([141, 'Y'])
  if (opts.username != null) body.push([553, opts.username])
  if (opts.password != null) body.push([554, opts.password])
  return { msgType: 'A', body }
}

export function logout (text?: string): Outgoing {
  return { msgType: '5', body: text == null || text === '' ? [] : [[58, text]] }
}

export function heartbeat (testReqId?: string | null): Outgoing {
  return { msgType: '0', body: testReqId == null ? [] : [[112, testReqId]] }
}

export function testRequest (testReqId: string): Outgoing {
  return { msgType: '1', body: [[112, testReqId]] }
}

/** FIX 4.2 and later: EndSeqNo 0 means "everything after BeginSeqNo". */
export function resendRequest (beginSeqNo: number, endSeqNo = 0): Outgoing {
  return { msgType: '2', body: [[7, String(beginSeqNo)], [16, String(endSeqNo)]] }
}

/** What we echo of a message we answer must be safe to store and send: printable ASCII, not empty. */
const PRINTABLE = /^[\x20-\x7e]+$/

/** Routing fields of a message we answer, mirrored (OnBehalfOf* ↔ DeliverTo*), empty ones left out. */
export function reverseRoute (m: RawMessage): TagValue[] {
  const pairs: ReadonlyArray<readonly [number, number]> = [[115, 128], [116, 129], [144, 145], [128, 115], [129, 116], [145, 144]]
  const out: TagValue[] = []
  for (const [from, to] of pairs) {
    const v = m.get(from)
    if (v != null && v !== '' && PRINTABLE.test(v)) out.push([to, v])
  }
  return out
}

/**
 * RefSeqNum(45) of an answer: the message's MsgSeqNum when it is one (digits), else
 * nothing (34=abc is not echoed as 45=abc).
 */
function refSeqNum (m: RawMessage): TagValue[] {
  const seq = m.get(34)
  return seq != null && /^\d{1,18}$/.test(seq) ? [[45, seq]] : []
}

/** Session-level Reject (35=3) of an inbound message. */
export function reject (m: RawMessage, problem: SessionProblem): Outgoing {
  const body: TagValue[] = refSeqNum(m)
  body.push([58, SESSION_REJECT_TEXT[problem.reason]])
  if (problem.refTagId != null) body.push([371, problem.refTagId])
  if (PRINTABLE.test(m.msgType)) body.push([372, m.msgType])
  body.push([373, String(problem.reason)])
  return { msgType: '3', body, header: reverseRoute(m) }
}

/** BusinessMessageReject (35=j) of an inbound application message. */
export function businessReject (m: RawMessage, reason: number, text = BUSINESS_REJECT_TEXT[reason] ?? 'Other'): Outgoing {
  const body: TagValue[] = refSeqNum(m)
  body.push([58, text])
  if (PRINTABLE.test(m.msgType)) body.push([372, m.msgType])
  body.push([380, String(reason)])
  return { msgType: 'j', body }
}
