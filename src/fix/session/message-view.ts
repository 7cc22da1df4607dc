/**
 * What an application reads of an inbound message: the values of the framed message,
 * byte for byte. Each value is the exact bytes received, one char per byte (latin1),
 * so nothing is rewritten on the way in: jspurefix's MsgView decodes 'ascii', which
 * clears the high bit (0x81 became SOH, 0xCC became 'L') and so changed identifiers and
 * let a client inject fields toward the broker. The session has validated the message
 * before an application sees it (validate/value-bytes.ts says which bytes each field
 * may hold).
 */
import type { RawMessage } from './wire/raw-message'
import { parseUtcDateOnly, parseUtcTimestamp } from './wire/fix-time'

export interface MessageView {
  readonly msgType: string
  /** the first occurrence of the tag, byte for byte; null when absent */
  getString: (tag: number) => string | null
  /** an integer field (MsgSeqNum, counts); null when absent or not an integer */
  getInt: (tag: number) => number | null
  /** a UTCTimestamp field; null when absent or malformed */
  getUtcTimestamp: (tag: number) => Date | null
  /** a date-only field (UTCDateOnly, LocalMktDate) as midnight UTC; null when absent or malformed */
  getDateOnly: (tag: number) => Date | null
}

const INTEGER = /^-?\d{1,15}$/

export function messageView (m: RawMessage): MessageView {
  const str = (tag: number): string | null => m.get(tag) ?? null
  return {
    msgType: m.msgType,
    getString: str,
    getInt: (tag) => {
      const v = str(tag)
      return v != null && INTEGER.test(v) ? Number(v) : null
    },
    getUtcTimestamp: (tag) => {
      const v = str(tag)
      return v == null ? null : parseUtcTimestamp(v)
    },
    getDateOnly: (tag) => {
      const v = str(tag)
      return v == null ? null : parseUtcDateOnly(v)
    }
  }
}
