/**
 * A framed FIX message as the list of its fields, in wire order, with the checks that
 * make a message "garbled" in the session spec's sense: wrong CheckSum, wrong
 * BodyLength, BeginString/BodyLength/MsgType not the first three fields, CheckSum not
 * the last, a field that is not tag=value, or a tag that is not a number. A garbled
 * message is ignored by the session without touching sequence numbers.
 *
 * Values are kept as byte strings (latin1: one char per byte), so what we echo or
 * resend is byte for byte what we received or stored.
 */
import { SOH } from './framer'

export interface RawField {
  /** the tag as a number (NaN never: unparseable tags make the message garbled) */
  readonly tag: number
  /** the tag as written, for RefTagID(371) of an invalid tag such as "-1" */
  readonly tagText: string
  readonly value: string
}

export interface RawMessage {
  readonly fields: readonly RawField[]
  readonly msgType: string
  readonly bytes: Buffer
  /** first value of the tag, or undefined */
  get: (tag: number) => string | undefined
  has: (tag: number) => boolean
}

export type ParseResult = { readonly ok: true, readonly msg: RawMessage } | { readonly ok: false, readonly reason: string }

/** Which DATA field is preceded by which LENGTH field (e.g. 96 RawData after 95). */
export type DataFieldLengths = ReadonlyMap<number, number>

const CHECKSUM = Buffer.from('\x0110=', 'latin1')
const TAG = /^-?\d{1,9}$/

export function checksumOf (bytes: Buffer, end = bytes.length): number {
  let sum = 0
  for (let i = 0; i < end; i++) sum += bytes[i]
  return sum % 256
}

export function rawMessage (fields: readonly RawField[], bytes: Buffer): RawMessage {
  const first = new Map<number, string>()
  for (const f of fields) if (!first.has(f.tag)) first.set(f.tag, f.value)
  return {
    fields,
    bytes,
    msgType: first.get(35) ?? '',
    get: (tag) => first.get(tag),
    has: (tag) => first.has(tag)
  }
}

/**
 * Split tag=value<SOH> fields; a DATA field whose LENGTH field came just before takes
 * exactly that many bytes, SOH included. Returns a reason string when malformed.
 */
export function splitFields (bytes: Buffer, dataLengths: DataFieldLengths, start = 0, end = bytes.length): RawField[] | string {
  const out: RawField[] = []
  let i = start
  while (i < end) {
    const eq = bytes.indexOf(0x3d, i)
    if (eq < 0 || eq >= end) return `field without '=' at offset ${i}`
    const soh0 = bytes.indexOf(SOH, i)
    if (soh0 >= 0 && soh0 < eq) return `field without '=' at offset ${i}`
    const tagText = bytes.toString('latin1', i, eq)
    if (!TAG.test(tagText)) return `bad tag '${tagText}'`
    const tag = Number(tagText)
    let valueEnd: number
    const lengthTag = dataLengths.get(tag)
    const prev = out[out.length - 1]
    if (lengthTag !== undefined && prev !== undefined && prev.tag === lengthTag && /^\d+$/.test(prev.value)) {
      valueEnd = eq + 1 + Number(prev.value)
      if (valueEnd >= end || bytes[valueEnd] !== SOH) return `data field ${tag} does not match its length ${prev.value}`
    } else {
      valueEnd = bytes.indexOf(SOH, eq + 1)
      if (valueEnd < 0 || valueEnd >= end) return `field ${tagText} not terminated`
    }
    out.push({ tag, tagText, value: bytes.toString('latin1', eq + 1, valueEnd) })
    i = valueEnd + 1
  }
  return out
}

/** Parse one frame from the Framer. */
export function parseFrame (bytes: Buffer, dataLengths: DataFieldLengths): ParseResult {
  const cs = bytes.lastIndexOf(CHECKSUM)
  if (cs < 0) return { ok: false, reason: 'no CheckSum(10)' }
  const fields = splitFields(bytes, dataLengths)
  if (typeof fields === 'string') return { ok: false, reason: fields }
  if (fields.length < 4) return { ok: false, reason: 'too few fields' }
  if (fields[0].tag !== 8 || fields[1].tag !== 9 || fields[2].tag !== 35) {
    return { ok: false, reason: 'BeginString, BodyLength and MsgType are not the first three fields' }
  }
  const last = fields[fields.length - 1]
  if (last.tag !== 10) return { ok: false, reason: 'CheckSum(10) is not the last field' }
  if (!/^\d{1,3}$/.test(last.value) || Number(last.value) !== checksumOf(bytes, cs + 1)) {
    return { ok: false, reason: `bad CheckSum ${last.value}, computed ${String(checksumOf(bytes, cs + 1)).padStart(3, '0')}` }
  }
  const bodyStart = bytes.indexOf(SOH, bytes.indexOf(SOH) + 1) + 1
  const bodyLength = cs + 1 - bodyStart
  if (!/^\d+$/.test(fields[1].value) || Number(fields[1].value) !== bodyLength) {
    return { ok: false, reason: `bad BodyLength ${fields[1].value}, counted ${bodyLength}` }
  }
  if (fields[2].value === '') return { ok: false, reason: 'empty MsgType' }
  for (let i = 3; i < fields.length - 1; i++) {
    if (fields[i].tag === 10) return { ok: false, reason: 'CheckSum(10) inside the message' }
  }
  return { ok: true, msg: rawMessage(fields, bytes) }
}

/** SOH shown as |, Password(554)/NewPassword(925) values masked: for logs and the audit trail. */
export function displayText (bytes: Buffer): string {
  return bytes.toString('latin1').replace(/(^|\x01)(554|925)=[^\x01]*/g, '$1$2=***').replace(/\x01/g, '|')
}
