/**
 * The fuzzer's message generator: valid FIX 4.4 messages from templates (D, F, G, H, q,
 * 0, 1, 2, 4, unsupported types), then hostile mutations of their fields and bytes.
 *
 * Everything random comes from one seeded PRNG (xoshiro128**), drawn in the same order
 * for a given seed, so a campaign's messages are the same from run to run: only the
 * MsgSeqNum and SendingTime plugged into them depend on the run (reconnects).
 *
 * Each planned message says what it does to the session's sequence numbers, so the
 * client can keep its MsgSeqNum coherent with what the gateway expects:
 *  - 'consumed': a well-framed message with the right MsgSeqNum: the gateway counts it
 *    (processed, or session-rejected, which also counts it);
 *  - 'none': garbled for sure (bad CheckSum, bad BodyLength, truncated): ignored without
 *    using a number, so the next message reuses it;
 *  - 'doubtful': it may or may not count (header damaged, MsgSeqNum mangled): the client
 *    uses the number up; when it did not count, the gateway asks for it
 *    (ResendRequest) and gets a SequenceReset-GapFill.
 */

export const SOH = '\x01'

/** xoshiro128**: small, fast, seeded; good enough for test data. */
export class Rng {
  private s: Uint32Array

  constructor (seed: number) {
    // splitmix32 to spread the seed over the state
    let x = seed >>> 0
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0
      let z = x
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0
      return (z ^ (z >>> 16)) >>> 0
    }
    this.s = new Uint32Array([next(), next(), next(), next()])
  }

  /** uniform 32-bit unsigned */
  u32 (): number {
    const s = this.s
    const r = Math.imul(rotl(Math.imul(s[1], 5) >>> 0, 7), 9) >>> 0
    const t = (s[1] << 9) >>> 0
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]
    s[2] ^= t
    s[3] = rotl(s[3], 11)
    return r
  }

  /** [0, 1) */
  float (): number { return this.u32() / 4294967296 }
  /** integer in [0, n) */
  int (n: number): number { return Math.floor(this.float() * n) }
  /** integer in [lo, hi] */
  range (lo: number, hi: number): number { return lo + this.int(hi - lo + 1) }
  chance (p: number): boolean { return this.float() < p }
  pick<T> (xs: readonly T[]): T { return xs[this.int(xs.length)] }
  /** pick by weight: [[weight, value], ...] */
  weighted<T> (xs: ReadonlyArray<readonly [number, T]>): T {
    let total = 0
    for (const [w] of xs) total += w
    let r = this.float() * total
    for (const [w, v] of xs) { r -= w; if (r < 0) return v }
    return xs[xs.length - 1][1]
  }
}

function rotl (x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0 }

export type SeqEffect = 'consumed' | 'none' | 'doubtful'

/** One field: tag (text, so that "abc" or "00011" can be a tag) and value (latin1 bytes as a string). */
export type Field = [string, string]

export interface Planned {
  readonly n: number
  /** template MsgType (before mutation) */
  readonly template: string
  readonly mutations: readonly string[]
  readonly seq: SeqEffect
  /** the MsgSeqNum(34) value as sent ('' when removed) */
  readonly seqText: string
  /** the ClOrdID(11) as sent, when any */
  readonly clOrdId: string | null
  /** the plain ClOrdID before mutation (Z<n>Z), for echo checks */
  readonly plainClOrdId: string | null
  /** TestReqID(112) as sent, when any */
  readonly testReqId: string | null
  /** what we sent for Account(1) / Symbol(55), to compare with what comes back */
  readonly echo: ReadonlyArray<readonly [number, string]>
  /** the gateway is expected to answer (an answer to a garbled message would be news) */
  readonly expectAnswer: boolean
  /** the bytes, garbage and padding included */
  readonly bytes: Buffer
}

export interface GenContext {
  readonly seqNum: number
  readonly senderCompId: string
  readonly targetCompId: string
  /** UTCTimestamp now */
  readonly now: string
}

const IDENT_TAGS = ['11', '41', '1', '55', '167', '100']
const NUMERIC_TAGS = ['38', '44', '99', '110', '111', '7', '16', '36', '14', '6']
const SYMBOLS = ['AAPL', 'MSFT', 'IBM', 'VOD.L', 'BP.L', 'SYM0', 'SYM1', 'SYM2']
const UNSUPPORTED = ['AE', 'B', 'C', 'x', 'y', 'AF', 'BE', 'Z', 'ZZ', '8', 'j', '9', 'U1', 'r', '3']
const HOSTILE_NUMBERS = [
  '123456789012345678901234567890123456789012345', // 45 digits
  '9'.repeat(1000),
  `0.${'0'.repeat(29)}1`, // 1e-30 written out
  '-100', '-0', '0', '-1', '+5', '1e5', '1E+400', '1e-30', '5e-324', 'NaN', 'Infinity', '-Infinity', '0x10',
  '.5', '5.', '1.', '00000000000000000000100', '1_000', ' 5', '5 ', '1,5', '3.14159265358979323846264338327950288419716939937510',
  '1.7976931348623157e308', '9007199254740993', '18446744073709551616', '2147483648', '-2147483649', '100.000000000000000000000000001',
  '1..5', '--5', '٣', '1/2'
]
/** bytes with the high bit set: as latin1 characters */
const HIGH_BIT_SEQUENCES = ['\x81', '\xC3\xA9', '\xFF', '\x80', '\xE2\x82\xAC', '\xF0\x9F\x92\xA9', '\xC0\xAF', '\xED\xA0\x80', '\xFE\xFF', '\xA0']

function pad2 (n: number): string { return n < 10 ? `0${n}` : String(n) }
export function utcTimestamp (ms: number): string {
  const d = new Date(ms)
  return `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${String(d.getUTCMilliseconds()).padStart(3, '0')}`
}

export function checksum (b: Buffer, end = b.length): number {
  let s = 0
  for (let i = 0; i < end; i++) s += b[i]
  return s % 256
}

export interface EncodeOptions {
  /** added to the true BodyLength */
  readonly bodyLengthDelta?: number
  /** BodyLength text as is (not a number) */
  readonly bodyLengthText?: string
  /** CheckSum text as is */
  readonly checksumText?: string
  readonly beginString?: string
}

/** 8, 9, then the fields in the order given (35 first by convention), then 10. */
export function encode (fields: readonly Field[], o: EncodeOptions = {}): Buffer {
  let rest = ''
  for (const [t, v] of fields) rest += `${t}=${v}${SOH}`
  const len = Buffer.byteLength(rest, 'latin1')
  const bl = o.bodyLengthText ?? String(len + (o.bodyLengthDelta ?? 0))
  const head = Buffer.from(`8=${o.beginString ?? 'FIX.4.4'}${SOH}9=${bl}${SOH}${rest}`, 'latin1')
  const cs = o.checksumText ?? String(checksum(head)).padStart(3, '0')
  return Buffer.concat([head, Buffer.from(`10=${cs}${SOH}`, 'latin1')])
}

/**
 * After a frame that may leave the gateway's framer waiting for more bytes (a BodyLength
 * too long, a truncated frame): enough filler to cover what it waits for, then a fake
 * CheckSum field that ends that frame (garbled), so the next message is framed cleanly.
 */
export function resyncPad (overrun: number): Buffer {
  return Buffer.from(`${SOH}${'X'.repeat(Math.max(0, overrun) + 8)}${SOH}10=000${SOH}`, 'latin1')
}

/**
 * How many bytes past the end of `b` the gateway's framer (src/fix/session/wire/framer.ts)
 * would read as the body, from the BodyLength written in `b` (0 when it would not wait).
 */
export function framingOverrun (b: Buffer): number {
  const s1 = b.indexOf(1)
  if (s1 < 0 || b[s1 + 1] !== 0x39 || b[s1 + 2] !== 0x3d) return 0
  const s2 = b.indexOf(1, s1 + 3)
  const text = b.toString('latin1', s1 + 3, s2 < 0 ? b.length : s2)
  if (!/^\d{1,9}$/.test(text)) return 0
  const len = Number(text)
  if (len > 1024 * 1024) return 0
  // BodyLength cut short: the pad's first SOH ends it, the body starts after that SOH
  const bodyStart = s2 < 0 ? b.length + 1 : s2 + 1
  return Math.max(0, bodyStart + len - b.length) + 1
}

/** The session's messages; plain and valid (the client's own Logon, GapFill, Heartbeat...). */
export function sessionMessage (msgType: string, ctx: GenContext, body: readonly Field[], extraHeader: readonly Field[] = []): Buffer {
  return encode([['35', msgType], ['34', String(ctx.seqNum)], ...extraHeader, ['49', ctx.senderCompId], ['52', ctx.now], ['56', ctx.targetCompId], ...body])
}

interface Draft {
  template: string
  header: Field[]
  body: Field[]
  clOrdId: string | null
  testReqId: string | null
  expectAnswer: boolean
}

export interface MutationWeights {
  /** share of messages sent without any mutation */
  readonly clean: number
}

/**
 * Makes the campaign's messages. `next(ctx)` draws the next one; the order of draws
 * depends only on the seed.
 */
export class FuzzGenerator {
  readonly rng: Rng
  private n = 0
  private orderCounter = 0
  /** ClOrdIDs of recent orders (plain), for cancels, replaces and status requests */
  private readonly recent: string[] = []

  constructor (seed: number, private readonly w: MutationWeights = { clean: 0.3 }) {
    this.rng = new Rng(seed)
  }

  private newClOrdId (): string { return `Z${++this.orderCounter}Z` }

  private recentId (): string {
    const r = this.rng
    if (this.recent.length === 0 || r.chance(0.05)) return `Z${r.range(1, 1_000_000)}Z` // unknown
    return this.recent[this.recent.length - 1 - r.int(Math.min(this.recent.length, 50))]
  }

  private remember (id: string): void {
    this.recent.push(id)
    if (this.recent.length > 200) this.recent.splice(0, this.recent.length - 200)
  }

  private template (ctx: GenContext): Draft {
    const r = this.rng
    const type = r.weighted<string>([[40, 'D'], [10, 'F'], [10, 'G'], [6, 'H'], [2, 'q'], [4, '0'], [5, '1'], [1, '2'], [2, '4'], [5, 'unsupported']])
    const header: Field[] = [['34', String(ctx.seqNum)], ['49', ctx.senderCompId], ['52', ctx.now], ['56', ctx.targetCompId]]
    const side = (): string => r.pick(['1', '2', '5'])
    const qty = (): string => String(r.range(1, 50) * 10)
    const px = (): string => `${r.range(50, 250)}.${pad2(r.int(100))}`
    let body: Field[] = []
    let clOrdId: string | null = null
    let testReqId: string | null = null
    let expectAnswer = true
    let msgType = type
    switch (type) {
      case 'D': {
        clOrdId = this.newClOrdId()
        this.remember(clOrdId)
        const ordType = r.weighted<string>([[8, '2'], [2, '1'], [1, '3'], [1, '4']])
        body = [['11', clOrdId], ['1', r.pick(['ACC1', 'ACC2', 'ACC-X'])], ['21', '1'], ['55', r.pick(SYMBOLS)], ['54', side()], ['60', ctx.now], ['38', qty()], ['40', ordType]]
        if (ordType === '2' || ordType === '4') body.push(['44', px()])
        if (ordType === '3' || ordType === '4') body.push(['99', px()])
        body.push(['59', r.weighted<string>([[8, '0'], [1, '1'], [1, '3'], [1, '4']])])
        if (r.chance(0.3)) body.push(['100', r.pick(['XLON', 'XNAS', 'XNYS'])])
        if (r.chance(0.3)) body.push(['167', r.pick(['CS', 'ETF', 'FUT'])])
        break
      }
      case 'F':
        clOrdId = this.newClOrdId()
        body = [['11', clOrdId], ['41', this.recentId()], ['55', r.pick(SYMBOLS)], ['54', side()], ['60', ctx.now]]
        if (r.chance(0.5)) body.push(['38', qty()])
        break
      case 'G':
        clOrdId = this.newClOrdId()
        body = [['11', clOrdId], ['41', this.recentId()], ['21', '1'], ['55', r.pick(SYMBOLS)], ['54', side()], ['60', ctx.now], ['38', qty()], ['40', '2'], ['44', px()]]
        break
      case 'H':
        clOrdId = this.recentId()
        body = [['11', clOrdId], ['55', r.pick(SYMBOLS)], ['54', side()], ['790', `S${this.n + 1}`]]
        break
      case 'q': {
        clOrdId = this.newClOrdId()
        const t = r.pick(['1', '5', '7', '7', '3'])
        body = [['11', clOrdId], ['530', t]]
        if (t === '1') body.push(['55', r.pick(SYMBOLS)])
        if (t === '5') body.push(['167', 'CS'])
        body.push(['60', ctx.now])
        break
      }
      case '0':
        expectAnswer = false
        break
      case '1':
        testReqId = `T${this.n + 1}`
        body = [['112', testReqId]]
        break
      case '2':
        // a small range: the gateway resends (or gap-fills) what it sent recently
        body = [['7', String(Math.max(1, ctx.seqNum - r.range(1, 5)))], ['16', '0']]
        expectAnswer = false
        break
      case '4':
        // gap fill over its own number: a no-op for the numbers, but a full SequenceReset path
        header.push(['43', 'Y'], ['122', ctx.now])
        body = [['123', 'Y'], ['36', String(ctx.seqNum + 1)]]
        expectAnswer = false
        break
      default: {
        msgType = r.pick(UNSUPPORTED)
        clOrdId = this.newClOrdId()
        body = [['11', clOrdId], ['58', 'unsupported'], ['55', r.pick(SYMBOLS)]]
        if (msgType === '3' || msgType === 'j') body = [['45', '1'], ['58', 'x']]
        break
      }
    }
    return { template: msgType === type ? type : `unsupported(${msgType})`, header: [['35', msgType], ...header], body, clOrdId, testReqId, expectAnswer }
  }

  /** A hostile value for tag `tag`'s current value `v`. */
  private highBit (v: string): string {
    const r = this.rng
    const ins = r.chance(0.3) ? Array.from({ length: r.range(1, 4) }, () => String.fromCharCode(r.range(0x80, 0xff))).join('') : r.pick(HIGH_BIT_SEQUENCES)
    const at = r.int(v.length + 1)
    return r.chance(0.2) ? ins : v.slice(0, at) + ins + v.slice(at)
  }

  private control (v: string): string {
    const r = this.rng
    const c = r.chance(0.15) ? '\x7F' : r.chance(0.35) ? '\x00' : String.fromCharCode(r.int(0x20))
    const at = r.int(v.length + 1)
    return v.slice(0, at) + c + v.slice(at)
  }

  next (ctx: GenContext): Planned {
    const r = this.rng
    const n = ++this.n
    const d = this.template(ctx)
    const plainClOrdId = d.clOrdId
    const mutations: string[] = []
    let seq: SeqEffect = 'consumed'
    let fields: Field[] = [...d.header, ...d.body]
    let enc: EncodeOptions = {}
    let before: Buffer | null = null
    let truncateAt: number | null = null
    let flips = 0
    let garbledFlip = false
    let needsPad = false
    const doubt = (): void => { if (seq === 'consumed') seq = 'doubtful' }
    const bodyIdx = (): number[] => fields.map((_, i) => i).filter((i) => i > 0 && !['34', '49', '52', '56'].includes(fields[i][0]))
    const find = (tag: string): number => fields.findIndex(([t]) => t === tag)
    const touch = (tag: string): void => {
      if (tag === '34' || tag === '35') doubt()
      if (tag === '49' || tag === '56' || tag === '52' || tag === '43' || tag === '122') doubt()
    }

    if (!r.chance(this.w.clean)) {
      const count = r.weighted<number>([[6, 1], [3, 2], [1, 3]])
      for (let k = 0; k < count; k++) {
        const kind = r.weighted<string>([
          [12, 'highbit-ident'], [4, 'highbit-text'], [10, 'control'], [8, 'number'], [5, 'empty'], [5, 'duplicate'], [5, 'remove'],
          [4, 'reorder'], [5, 'unknown-tag'], [5, 'possdup'], [6, 'byte-flip'], [3, 'bad-checksum'], [3, 'bad-bodylength'],
          [3, 'garbage-before'], [2, 'truncated'], [2, 'seqnum'], [1, 'header'], [2, 'long-value']
        ])
        switch (kind) {
          case 'highbit-ident': {
            const tag = r.pick(IDENT_TAGS)
            const i = find(tag)
            if (i >= 0) fields[i] = [tag, this.highBit(fields[i][1])]
            else fields.push([tag, this.highBit(tag === '1' ? 'ACC1' : 'X')])
            mutations.push(`highbit(${tag})`)
            break
          }
          case 'highbit-text': {
            fields.push(['58', this.highBit(r.pick(['text', 'café', 'order note', '']))])
            mutations.push('highbit(58)')
            break
          }
          case 'control': {
            // any value, with MsgSeqNum(34) and ClOrdID(11) picked more often
            const tag = r.chance(0.15) ? '34' : r.chance(0.25) ? '11' : r.chance(0.1) ? '35' : fields[r.range(1, fields.length - 1)]?.[0] ?? '11'
            const i = find(tag)
            if (i < 0) break
            fields[i] = [tag, this.control(fields[i][1])]
            touch(tag)
            mutations.push(`control(${tag})`)
            break
          }
          case 'number': {
            const present = NUMERIC_TAGS.filter((t) => find(t) >= 0)
            const tag = present.length > 0 && r.chance(0.8) ? r.pick(present) : r.pick(['38', '44'])
            const v = r.pick(HOSTILE_NUMBERS)
            const i = find(tag)
            if (i >= 0) fields[i] = [tag, v]
            else fields.push([tag, v])
            if (tag === '36' || tag === '7' || tag === '16') doubt()
            mutations.push(`number(${tag})`)
            break
          }
          case 'empty': {
            const idx = r.chance(0.1) ? [find('34'), find('49'), find('52'), find('56')].filter((i) => i >= 0) : bodyIdx()
            if (idx.length === 0) break
            const i = r.pick(idx)
            touch(fields[i][0])
            mutations.push(`empty(${fields[i][0]})`)
            fields[i] = [fields[i][0], '']
            break
          }
          case 'duplicate': {
            const idx = bodyIdx()
            if (idx.length === 0) break
            const i = r.pick(idx)
            const copy: Field = [fields[i][0], r.chance(0.5) ? fields[i][1] : `${fields[i][1]}9`]
            fields.splice(r.range(i + 1, fields.length), 0, copy)
            mutations.push(`duplicate(${copy[0]})`)
            break
          }
          case 'remove': {
            const idx = r.chance(0.1) ? [find('34'), find('52')].filter((i) => i >= 0) : bodyIdx()
            if (idx.length === 0) break
            const i = r.pick(idx)
            touch(fields[i][0])
            mutations.push(`remove(${fields[i][0]})`)
            fields.splice(i, 1)
            break
          }
          case 'reorder': {
            // move a body field into the header, or a header field into the body, or shuffle the body
            const idx = bodyIdx()
            if (idx.length === 0) break
            if (r.chance(0.5)) {
              const i = r.pick(idx)
              const [f] = fields.splice(i, 1)
              fields.splice(1, 0, f)
              mutations.push(`reorder(${f[0]} into header)`)
            } else {
              const body = idx.map((i) => fields[i])
              for (let j = body.length - 1; j > 0; j--) { const x = r.int(j + 1); [body[j], body[x]] = [body[x], body[j]] }
              fields = [...fields.filter((_, i) => !idx.includes(i)), ...body]
              mutations.push('reorder(body shuffled)')
            }
            break
          }
          case 'unknown-tag': {
            const tag = r.pick(['9999', '5001', '20000', '0', '00011', '-5', '99999999999', 'abc', '1e3', '', '7777777', '6000'])
            fields.splice(r.range(1, fields.length), 0, [tag, r.pick(['x', '1', '', '\xC3\xA9', 'Y'])])
            if (tag === '00011' || tag === '' || tag === '0') doubt()
            mutations.push(`unknown-tag(${tag})`)
            break
          }
          case 'possdup': {
            const which = r.pick(['43=Y+122', '43=Y', '97=Y', '43=N', '43=Y+122-later', '43=x'])
            const now = ctx.now
            if (which.startsWith('43=Y')) {
              fields.splice(2, 0, ['43', 'Y'])
              if (which === '43=Y+122') fields.splice(3, 0, ['122', now])
              if (which === '43=Y+122-later') fields.splice(3, 0, ['122', utcTimestamp(Date.now() + 3_600_000)])
            } else if (which === '43=N') fields.splice(2, 0, ['43', 'N'])
            else if (which === '43=x') fields.splice(2, 0, ['43', 'x'])
            else fields.push(['97', 'Y'])
            if (which !== '97=Y') doubt()
            mutations.push(`possdup(${which})`)
            break
          }
          case 'byte-flip': flips++; break
          case 'bad-checksum':
            enc = { ...enc, checksumText: r.pick(['000', '256', '1', 'abc', '', '0000', '-1']) }
            mutations.push('bad-checksum')
            break
          case 'bad-bodylength': {
            const v = r.weighted<EncodeOptions>([[6, { bodyLengthDelta: r.range(1, 40) }], [6, { bodyLengthDelta: -r.range(1, 40) }],
              [1, { bodyLengthText: '0' }], [1, { bodyLengthText: 'abc' }], [1, { bodyLengthText: '' }], [1, { bodyLengthText: '-5' }],
              [1, { bodyLengthText: '9999999999' }], [1, { bodyLengthText: '2000000' }], [1, { bodyLengthText: '00000000000000000000000000100' }]])
            enc = { ...enc, ...v }
            needsPad = true
            mutations.push('bad-bodylength')
            break
          }
          case 'garbage-before': {
            const len = r.range(1, 200)
            const g = Buffer.alloc(len)
            for (let i = 0; i < len; i++) { let b = r.int(256); if (b === 1) b = 2; g[i] = b }
            if (g[0] === 0x38) g[0] = 0x39
            before = g
            mutations.push('garbage-before')
            break
          }
          case 'truncated': truncateAt = -1; mutations.push('truncated'); break
          case 'seqnum': {
            const i = find('34')
            if (i < 0) break
            const v = r.pick(['abc', '', '-1', '0', '1.5', ' 1', `${ctx.seqNum}abc`, '+1', '00000000000000000000001', `0${ctx.seqNum}`])
            fields[i] = ['34', v === `0${ctx.seqNum}` || v === '00000000000000000000001' ? v : v]
            doubt()
            mutations.push(`seqnum(${v === `${ctx.seqNum}abc` ? 'Nabc' : v === `0${ctx.seqNum}` ? '0N' : v})`)
            break
          }
          case 'header': {
            const which = r.pick(['52=garbage', '52=old', '49=wrong', '56=wrong', '8=FIX.4.2', '35=', '35=A'])
            if (which === '8=FIX.4.2') enc = { ...enc, beginString: 'FIX.4.2' }
            else if (which === '35=') fields[0] = ['35', '']
            else if (which === '35=A') fields[0] = ['35', 'A']
            else {
              const [tag, v] = which.split('=')
              const i = find(tag)
              if (i >= 0) fields[i] = [tag, v === 'garbage' ? 'yesterday' : v === 'old' ? utcTimestamp(Date.now() - 3_600_000) : `${fields[i][1]}X`]
            }
            doubt()
            mutations.push(`header(${which})`)
            break
          }
          case 'long-value': {
            const idx = bodyIdx()
            if (idx.length === 0) break
            const i = r.pick(idx)
            fields[i] = [fields[i][0], 'L'.repeat(r.pick([256, 4096, 65536]))]
            mutations.push(`long-value(${fields[i][0]})`)
            break
          }
        }
      }
    }

    let bytes = encode(fields, enc)
    if (flips > 0) {
      const recompute = r.chance(0.5)
      for (let k = 0; k < flips; k++) {
        const i = r.int(bytes.length)
        bytes[i] = bytes[i] ^ (1 << r.int(8))
      }
      if (recompute) {
        // a valid CheckSum over the flipped bytes (BodyLength unchanged: the length is the same)
        const csAt = bytes.lastIndexOf(`${SOH}10=`, bytes.length - 2, 'latin1')
        if (csAt > 0) {
          const cs = String(checksum(bytes, csAt + 1)).padStart(3, '0')
          bytes = Buffer.concat([bytes.subarray(0, csAt + 1), Buffer.from(`10=${cs}${SOH}`, 'latin1')])
        }
      }
      mutations.push(recompute ? 'byte-flip(checksum recomputed)' : 'byte-flip')
      if (!recompute) garbledFlip = true
      doubt()
      needsPad = true
    }
    // CheckSum wrong and nothing else done to the framing: ignored for sure
    if (enc.checksumText != null && seq === 'consumed' && !needsPad && truncateAt == null) seq = 'none'
    else if (enc.checksumText != null || enc.bodyLengthDelta != null || enc.bodyLengthText != null) doubt()
    let garbled = garbledFlip || enc.checksumText != null || enc.bodyLengthDelta != null || enc.bodyLengthText != null || enc.beginString != null
    if (truncateAt != null) {
      garbled = true
      bytes = bytes.subarray(0, r.range(1, bytes.length - 1))
      doubt()
      needsPad = true
    }
    const overrun = framingOverrun(bytes)
    const parts: Buffer[] = []
    if (before != null) parts.push(before)
    parts.push(bytes)
    if (needsPad) parts.push(resyncPad(overrun))
    const seqField = fields.find(([t]) => t === '34')
    const clField = fields.find(([t]) => t === '11')
    // what the gateway will read: after byte flips, the values as they are on the wire
    const wire = flips > 0 ? bytes.toString('latin1') : null
    const echo: Array<[number, string]> = []
    for (const t of ['1', '55']) {
      const f = fields.find(([x]) => x === t)
      if (f == null) continue
      if (wire == null) { echo.push([Number(t), f[1]]); continue }
      const at = wire.indexOf(`${SOH}${t}=`)
      if (at >= 0) echo.push([Number(t), wire.slice(at + t.length + 2, wire.indexOf(SOH, at + 1))])
    }
    return {
      n,
      template: d.template,
      mutations,
      seq,
      seqText: seqField?.[1] ?? '',
      clOrdId: clField?.[1] ?? null,
      plainClOrdId,
      testReqId: d.testReqId,
      echo,
      // a frame the gateway must ignore has nothing to answer
      expectAnswer: !garbled && (d.expectAnswer || mutations.length > 0),
      bytes: Buffer.concat(parts)
    }
  }

  /** A Logon for the logon-fuzz step: a valid one, then one mutation aimed at Logon handling. */
  logon (ctx: GenContext): { bytes: Buffer, mutation: string } {
    const r = this.rng
    const which = r.pick(['108=0', '108=1', '108=-1', '108=99999999999', '108=abc', '108=', '108=1.5', '108=3601', '108=2147483648', 'no 108',
      '98=1', '141=N', '553=high-bit', '554=NUL', '58=high-bit', 'SendingTime old', 'no 52', '34=abc', '34=0', 'duplicate 108', '383=-1', '789=-5'])
    const body: Field[] = [['98', '0'], ['108', '30'], ['141', 'Y']]
    const header: Field[] = [['35', 'A'], ['34', '1'], ['49', ctx.senderCompId], ['52', ctx.now], ['56', ctx.targetCompId]]
    const set = (tag: string, v: string | null): void => {
      const list = ['34', '49', '52', '56'].includes(tag) ? header : body
      const i = list.findIndex(([t]) => t === tag)
      if (v == null) { if (i >= 0) list.splice(i, 1); return }
      if (i >= 0) list[i] = [tag, v]
      else list.push([tag, v])
    }
    if (which.startsWith('108=')) set('108', which.slice(4))
    else if (which === 'no 108') set('108', null)
    else if (which === '98=1') set('98', '1')
    else if (which === '141=N') set('141', 'N')
    else if (which === '553=high-bit') set('553', '\xC3\xA9user\x81')
    else if (which === '554=NUL') set('554', 'pa\x00ss')
    else if (which === '58=high-bit') set('58', 'hello \xFF\xFE')
    else if (which === 'SendingTime old') set('52', utcTimestamp(Date.now() - 3_600_000))
    else if (which === 'no 52') set('52', null)
    else if (which === '34=abc') set('34', 'abc')
    else if (which === '34=0') set('34', '0')
    else if (which === 'duplicate 108') body.push(['108', '5'])
    else if (which === '383=-1') set('383', '-1')
    else if (which === '789=-5') set('789', '-5')
    return { bytes: encode([...header, ...body]), mutation: which }
  }

  /** Bytes for an abusive connection. */
  garbage (len: number): Buffer {
    const g = Buffer.alloc(len)
    for (let i = 0; i < len; i++) g[i] = this.rng.int(256)
    return g
  }
}
