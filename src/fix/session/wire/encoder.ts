/**
 * Writes FIX messages the way FIX engines do (QuickFIX, and what certification scripts
 * compare byte for byte): BeginString, BodyLength (not zero-padded), MsgType, then the
 * other header fields in ascending tag order (34, 43, 49, 52, 56, 97, 115, 122, 128...),
 * then the body fields in the order given, then CheckSum. Values are byte strings
 * (latin1), so a stored or received message is reproduced exactly.
 */
import { checksumOf } from './raw-message'

export type TagValue = readonly [number, string]

export interface HeaderFields {
  readonly beginString: string
  readonly msgType: string
  /** every other header field, 34/49/52/56 included; sorted by tag on output */
  readonly fields: readonly TagValue[]
}

const field = (tag: number, value: string): string => `${tag}=${value}\x01`

/** A value that cannot go on the wire as it is: the message is refused before it takes a MsgSeqNum. */
export class UnencodableValueError extends Error {}

const NOT_A_BYTE = /[^\x00-\xff]/

export function encodeMessage (header: HeaderFields, body: readonly TagValue[]): Buffer {
  const sorted = [...header.fields].sort((a, b) => a[0] - b[0])
  let rest = field(35, header.msgType)
  for (const [t, v] of sorted) rest += field(t, v)
  for (const [t, v] of body) rest += field(t, v)
  // latin1 would silently keep only the low byte of such a character
  if (NOT_A_BYTE.test(rest)) throw new UnencodableValueError(`could not encode ${header.msgType}: a character above 0xFF`)
  const head = field(8, header.beginString) + field(9, String(Buffer.byteLength(rest, 'latin1')))
  const withoutTrailer = Buffer.from(head + rest, 'latin1')
  const trailer = Buffer.from(field(10, String(checksumOf(withoutTrailer)).padStart(3, '0')), 'latin1')
  return Buffer.concat([withoutTrailer, trailer])
}
