/**
 * Cuts the inbound byte stream into FIX messages the way QuickFIX's parser does, so a
 * counterparty's mistakes cost what the session spec says they cost:
 *  - a message starts at "8=" (at the start of the stream or right after a SOH);
 *    bytes before it are garbage;
 *  - BodyLength(9) must be the second field; the message ends at the first
 *    "<SOH>10=...<SOH>" found from the declared end of the body onwards. A BodyLength
 *    that is too short or too long therefore still yields a frame (which the parser
 *    then finds inconsistent and the session ignores), and a too-long one swallows the
 *    next message with it, as in the reference engine;
 *  - nothing here judges content: CheckSum, BodyLength and field order are checked by
 *    parseFrame(), and the session ignores garbled messages (FIX 4.4 Vol 2, test 2d/2m/3b).
 * A frame or a garbage run longer than maxMessageBytes is dropped as garbled, so a
 * peer cannot make us buffer without bound.
 */

export const SOH = 0x01

export type FrameEvent =
  | { readonly kind: 'message', readonly bytes: Buffer }
  | { readonly kind: 'garbled', readonly bytes: Buffer, readonly reason: string }

const BEGIN = Buffer.from('8=', 'latin1')
const CHECKSUM = Buffer.from('\x0110=', 'latin1')

export class Framer {
  private buf: Buffer = Buffer.alloc(0)

  constructor (private readonly maxMessageBytes = 1024 * 1024) {}

  /** Bytes buffered and not yet part of a complete frame. */
  get pending (): number { return this.buf.length }

  push (chunk: Buffer): FrameEvent[] {
    this.buf = this.buf.length === 0 ? chunk : Buffer.concat([this.buf, chunk])
    const out: FrameEvent[] = []
    for (;;) {
      const ev = this.next()
      if (ev == null) break
      out.push(ev)
    }
    return out
  }

  private drop (n: number): Buffer {
    const gone = this.buf.subarray(0, n)
    this.buf = this.buf.subarray(n)
    return Buffer.from(gone)
  }

  private next (): FrameEvent | null {
    const buf = this.buf
    const start = findStart(buf)
    if (start < 0) {
      // keep a trailing '8' that may be the start of "8=" in the next chunk
      const keep = buf.length > 0 && buf[buf.length - 1] === 0x38 ? 1 : 0
      if (buf.length - keep > 0) return { kind: 'garbled', bytes: this.drop(buf.length - keep), reason: 'no BeginString' }
      return null
    }
    if (start > 0) return { kind: 'garbled', bytes: this.drop(start), reason: 'bytes before BeginString' }

    const beginEnd = buf.indexOf(SOH)
    if (beginEnd < 0) return this.waitOrDrop('BeginString too long')
    // BodyLength must be the second field
    if (buf.length < beginEnd + 3) return null
    if (buf[beginEnd + 1] !== 0x39 || buf[beginEnd + 2] !== 0x3d) {
      return { kind: 'garbled', bytes: this.drop(beginEnd + 1), reason: 'BodyLength(9) is not the second field' }
    }
    const lengthStart = beginEnd + 3
    const lengthEnd = buf.indexOf(SOH, lengthStart)
    if (lengthEnd < 0) return this.waitOrDrop('BodyLength too long')
    const lengthText = buf.toString('latin1', lengthStart, lengthEnd)
    if (!/^\d{1,9}$/.test(lengthText)) {
      return { kind: 'garbled', bytes: this.drop(lengthEnd + 1), reason: `bad BodyLength '${lengthText}'` }
    }
    const bodyStart = lengthEnd + 1
    const bodyEnd = bodyStart + Number(lengthText)
    if (bodyEnd - bodyStart > this.maxMessageBytes) {
      return { kind: 'garbled', bytes: this.drop(bodyStart), reason: `BodyLength ${lengthText} over the limit` }
    }
    if (buf.length < bodyEnd) return null
    const cs = buf.indexOf(CHECKSUM, Math.max(bodyStart - 1, bodyEnd - 1))
    if (cs < 0) return this.waitOrDrop('no CheckSum after the body')
    const end = buf.indexOf(SOH, cs + CHECKSUM.length)
    if (end < 0) return this.waitOrDrop('CheckSum not terminated')
    return { kind: 'message', bytes: this.drop(end + 1) }
  }

  /** Not complete yet: wait for more bytes unless we already hold more than a message may be. */
  private waitOrDrop (reason: string): FrameEvent | null {
    if (this.buf.length <= this.maxMessageBytes + 64) return null
    return { kind: 'garbled', bytes: this.drop(BEGIN.length), reason }
  }
}

/** Offset of "8=" at the start of the buffer or right after a SOH, or -1. */
function findStart (buf: Buffer): number {
  let i = buf.indexOf(BEGIN)
  while (i > 0 && buf[i - 1] !== SOH) i = buf.indexOf(BEGIN, i + 1)
  return i
}
