/**
 * The fuzzer's FIX client: one client session to the gateway, driven with the
 * generator's messages, a bounded number awaiting an answer at a time.
 *
 * It keeps its MsgSeqNum coherent with what the gateway expects (see fuzz-gen.ts on
 * 'consumed' / 'none' / 'doubtful'): a ResendRequest from the gateway is answered with a
 * SequenceReset-GapFill up to the next number it certainly counted; a Logout or a
 * disconnect is followed by a new connection and a Logon with ResetSeqNumFlag=Y, counted.
 *
 * Every message the gateway sends is classified (Reject by 373, BusinessMessageReject by
 * 380, ExecutionReport by 150 and 103, OrderCancelReject by 102, mass cancel report,
 * Logout by its text...) and attributed, when it can be, to the message it answers:
 * by RefSeqNum(45), ClOrdID(11) or TestReqID(112). A message with no answer within the
 * answer timeout counts as "no answer".
 */
import * as net from 'node:net'
import { Framer } from '../../src/fix/session/wire/framer'
import { encode, utcTimestamp, type Field, type FuzzGenerator, type Planned } from './fuzz-gen'

export interface FuzzClientOptions {
  readonly host: string
  readonly port: number
  readonly senderCompId: string
  readonly targetCompId: string
  /** messages awaiting an answer at most */
  readonly window: number
  readonly answerTimeoutMs: number
  /** a logon-fuzz step every this many messages (0: none) */
  readonly logonEvery: number
  /** an abusive connection every this many messages (0: none) */
  readonly abuseEvery: number
  readonly log: (text: string) => void
}

interface Pending {
  readonly n: number
  readonly template: string
  readonly mutations: readonly string[]
  readonly epoch: number
  readonly sentAt: number
  readonly expectAnswer: boolean
  readonly clOrdId: string | null
  readonly plainClOrdId: string | null
  readonly echo: ReadonlyArray<readonly [number, string]>
  answered: boolean
}

/** A bounded insertion-ordered map: the oldest entries go first. */
class BoundedMap<K, V> extends Map<K, V> {
  constructor (private readonly max: number) { super() }
  override set (k: K, v: V): this {
    super.set(k, v)
    if (this.size > this.max) { const first = this.keys().next(); if (first.done !== true) this.delete(first.value) }
    return this
  }
}

export class Counter {
  readonly m = new Map<string, number>()
  add (k: string, n = 1): void { this.m.set(k, (this.m.get(k) ?? 0) + n) }
  get total (): number { let t = 0; for (const v of this.m.values()) t += v; return t }
  sorted (): Array<[string, number]> { return [...this.m.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])) }
  toJSON (): Record<string, number> { return Object.fromEntries(this.sorted()) }
}

export function show (b: Buffer | string): string {
  const s = typeof b === 'string' ? b : b.toString('latin1')
  // SOH as |, other control and high-bit bytes as \xNN, so a reproducer can be pasted back
  return s.replace(/[\x00-\x1f\x7f-\xff|\\]/g, (c) => c === '\x01' ? '|' : c === '|' ? '\\x7c' : c === '\\' ? '\\\\' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)
}

function field (frame: string, tag: number): string | undefined {
  const key = `\x01${tag}=`
  const i = frame.indexOf(key)
  if (i < 0) return undefined
  const start = i + key.length
  const end = frame.indexOf('\x01', start)
  return frame.slice(start, end < 0 ? frame.length : end)
}

const normalizeText = (t: string | undefined): string => (t ?? '').replace(/\d+/g, 'N').slice(0, 120)

/** What kind of answer a gateway message is. */
export function classify (frame: string): string {
  const mt = field(frame, 35) ?? '?'
  switch (mt) {
    case '3': return `Reject 373=${field(frame, 373) ?? '-'}`
    case 'j': return `BusinessMessageReject 380=${field(frame, 380) ?? '-'}`
    case '8': {
      const et = field(frame, 150) ?? '-'
      return et === '8' ? `ExecutionReport 150=8 103=${field(frame, 103) ?? '-'}` : `ExecutionReport 150=${et}`
    }
    case '9': return `OrderCancelReject 102=${field(frame, 102) ?? '-'}`
    case 'r': { const t = field(frame, 531) ?? '-'; return `OrderMassCancelReport 531=${t}${t === '0' ? ` 532=${field(frame, 532) ?? '-'}` : ''}` }
    case '5': return `Logout: ${normalizeText(field(frame, 58)) || '(no text)'}`
    case '0': return 'Heartbeat'
    case '1': return 'TestRequest'
    case '2': return 'ResendRequest'
    case '4': return 'SequenceReset'
    case 'A': return 'Logon'
    default: return `MsgType ${mt}`
  }
}

class Conn {
  readonly socket: net.Socket
  private readonly framer = new Framer(4 * 1024 * 1024)
  nextOut = 1
  readonly doubtful = new Set<number>()
  loggedOn = false
  closed = false
  gotLogout = false
  private out: Buffer[] = []
  private flushQueued = false
  lastReceived = Date.now()
  onFrame: (frame: string) => void = () => {}
  onClose: () => void = () => {}

  constructor (readonly epoch: number, host: string, port: number) {
    this.socket = net.connect({ host, port })
    this.socket.setNoDelay(true)
    this.socket.on('data', (chunk: Buffer) => {
      this.lastReceived = Date.now()
      for (const ev of this.framer.push(chunk)) if (ev.kind === 'message') this.onFrame(ev.bytes.toString('latin1'))
    })
    this.socket.on('error', () => {})
    this.socket.on('close', () => { this.closed = true; this.loggedOn = false; this.onClose() })
  }

  write (b: Buffer): void {
    if (this.closed) return
    this.out.push(b)
    if (!this.flushQueued) {
      this.flushQueued = true
      setImmediate(() => this.flush())
    }
  }

  flush (): void {
    this.flushQueued = false
    if (this.out.length === 0 || this.closed) { this.out = []; return }
    const data = this.out.length === 1 ? this.out[0] : Buffer.concat(this.out)
    this.out = []
    this.socket.write(data)
  }

  destroy (): void { this.flush(); this.socket.destroy() }
}

export interface FuzzStats {
  sent: number
  readonly sentByTemplate: Counter
  readonly mutations: Counter
  readonly seqEffects: Counter
  /** every message the gateway sent, by kind */
  readonly answers: Counter
  /** per message we sent: its first answer, or no answer */
  readonly outcomes: Counter
  /** per template × mutation family: first answer (the most telling table) */
  readonly outcomeByMutation: Counter
  readonly logouts: Counter
  readonly unattributed: Counter
  /** a value we sent came back different */
  readonly echoMismatches: Counter
  readonly echoExamples: string[]
  lateAnswers: number
  disconnects: number
  reconnects: number
  stallReconnects: number
  resendRequests: number
  unexpectedHoles: number
  gapFillsSent: number
  readonly logonFuzz: Counter
  readonly abusive: Counter
  storeFailureLogouts: number
  closedWithoutLogout: number
  readonly disconnectExamples: Array<{ what: string, lastSent: string[] }>
  /** the last messages sent before each session stop worth a look (store failure, disconnect without Logout) */
  readonly incidents: Array<{ what: string, lastSent: string[] }>
}

const newStats = (): FuzzStats => ({
  sent: 0, sentByTemplate: new Counter(), mutations: new Counter(), seqEffects: new Counter(), answers: new Counter(), outcomes: new Counter(),
  outcomeByMutation: new Counter(), logouts: new Counter(), unattributed: new Counter(), echoMismatches: new Counter(), echoExamples: [],
  lateAnswers: 0, disconnects: 0, reconnects: 0, stallReconnects: 0, resendRequests: 0, unexpectedHoles: 0, gapFillsSent: 0,
  logonFuzz: new Counter(), abusive: new Counter(), storeFailureLogouts: 0, closedWithoutLogout: 0, disconnectExamples: [], incidents: []
})

const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

export class FuzzClient {
  readonly stats = newStats()
  private conn: Conn | null = null
  private epoch = 0
  private readonly open = new Map<number, Pending>()
  private openExpecting = 0
  private readonly bySeq = new BoundedMap<string, Pending>(20_000)
  private readonly byClOrdId = new BoundedMap<string, Pending>(50_000)
  private readonly byPlainId = new BoundedMap<string, Pending>(50_000)
  private readonly byTestReq = new BoundedMap<string, Pending>(5_000)
  private readonly lastSent: string[] = []
  private slotWaiters: Array<() => void> = []
  private sweeper: NodeJS.Timeout | null = null
  private aborted: string | null = null
  private abuseRunning: Promise<void> | null = null
  private testReqCounter = 0
  /** frames received matching a predicate, for the health check */
  private watchers: Array<(frame: string) => void> = []

  constructor (private readonly o: FuzzClientOptions, private readonly gen: FuzzGenerator) {}

  abort (reason: string): void {
    this.aborted ??= reason
    this.wakeSlots()
  }

  get abortReason (): string | null { return this.aborted }

  private ctx (c: Conn): { seqNum: number, senderCompId: string, targetCompId: string, now: string } {
    return { seqNum: c.nextOut, senderCompId: this.o.senderCompId, targetCompId: this.o.targetCompId, now: utcTimestamp(Date.now()) }
  }

  /** A plain session message on the current connection, with the next number. */
  private sendSession (c: Conn, msgType: string, body: Field[], extraHeader: Field[] = [], seq?: number): void {
    const s = seq ?? c.nextOut++
    c.write(encode([['35', msgType], ['34', String(s)], ...extraHeader, ['49', this.o.senderCompId], ['52', utcTimestamp(Date.now())], ['56', this.o.targetCompId], ...body]))
  }

  // ---- connection and logon -----------------------------------------------------------

  /** Connect and log on (ResetSeqNumFlag=Y), retrying for up to timeoutMs. */
  async connect (timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    let delay = 50
    for (;;) {
      if (this.aborted != null) throw new Error(`aborted: ${this.aborted}`)
      const ok = await this.tryLogon()
      if (ok) return
      if (Date.now() > deadline) throw new Error(`could not log on to the gateway within ${timeoutMs} ms`)
      await sleep(delay)
      delay = Math.min(1000, delay * 2)
    }
  }

  private async tryLogon (): Promise<boolean> {
    const c = new Conn(++this.epoch, this.o.host, this.o.port)
    this.conn = c
    c.onFrame = (f) => this.onFrame(c, f)
    c.onClose = () => this.onClose(c)
    const ok = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5000)
      c.socket.once('connect', () => {
        this.sendSession(c, 'A', [['98', '0'], ['108', '30'], ['141', 'Y']])
      })
      const check = setInterval(() => {
        if (c.loggedOn) { clearTimeout(t); clearInterval(check); resolve(true) } else if (c.closed) { clearTimeout(t); clearInterval(check); resolve(false) }
      }, 2)
    })
    if (!ok) c.destroy()
    return ok
  }

  private onClose (c: Conn): void {
    if (c !== this.conn) return
    // whatever was waiting on this connection will get no answer
    for (const p of this.open.values()) if (p.epoch === c.epoch) this.resolve(p, 'connection closed before an answer')
    this.wakeSlots()
  }

  private get ready (): boolean { return this.conn != null && this.conn.loggedOn && !this.conn.closed }

  // ---- inbound ------------------------------------------------------------------------

  private onFrame (c: Conn, frame: string): void {
    for (const w of this.watchers) w(frame)
    const mt = field(frame, 35) ?? ''
    const kind = classify(frame)
    const possDup = field(frame, 43) === 'Y'
    this.stats.answers.add(possDup ? `(resent) ${kind}` : kind)
    switch (mt) {
      case 'A':
        if (!c.loggedOn) { c.loggedOn = true; return }
        return
      case '1':
        if (c.loggedOn) this.sendSession(c, '0', [['112', field(frame, 112) ?? '']])
        return
      case '2': {
        this.stats.resendRequests++
        const begin = Number(field(frame, 7))
        if (!Number.isInteger(begin) || begin < 1 || begin >= c.nextOut) return
        if (!c.doubtful.has(begin)) this.stats.unexpectedHoles++
        let to = begin + 1
        while (to < c.nextOut && c.doubtful.has(to)) to++
        for (const s of [...c.doubtful]) if (s < to) c.doubtful.delete(s)
        const now = utcTimestamp(Date.now())
        this.sendSession(c, '4', [['123', 'Y'], ['36', String(to)]], [['43', 'Y'], ['122', now]], begin)
        this.stats.gapFillsSent++
        return
      }
      case '5': {
        c.gotLogout = true
        const text = field(frame, 58) ?? ''
        this.stats.logouts.add(normalizeText(text) || '(no text)')
        if (/session store failure/i.test(text)) {
          this.stats.storeFailureLogouts++
          this.incident(`Logout "${text}"`)
        }
        if (!possDup && c.loggedOn) this.sendSession(c, '5', [])
        c.loggedOn = false
        setTimeout(() => c.destroy(), 20)
        this.attribute(c, frame, kind, 'logout')
        return
      }
      case '0':
      case '4':
        if (mt === '0') this.attribute(c, frame, kind, 'heartbeat')
        return
      default:
        if (!possDup) this.attribute(c, frame, kind, 'app')
    }
  }

  private incident (what: string): void {
    if (this.stats.incidents.length < 10) this.stats.incidents.push({ what, lastSent: [...this.lastSent] })
  }

  private attribute (c: Conn, frame: string, kind: string, how: 'logout' | 'heartbeat' | 'app'): void {
    let p: Pending | undefined
    if (how === 'heartbeat') {
      const id = field(frame, 112)
      if (id == null) return // an unsolicited heartbeat
      p = this.byTestReq.get(id)
    } else if (how === 'logout') {
      // the Logout answers the message that caused it, when it says which (45 is not on a Logout): the last one sent
      return
    } else {
      const ref = field(frame, 45)
      const mt = field(frame, 35)
      if (ref != null && (mt === '3' || mt === 'j')) p = this.bySeq.get(`${c.epoch}:${ref}`)
      if (p == null) {
        const id = field(frame, 11)
        if (id != null) {
          p = this.byClOrdId.get(id)
          const plain = /Z(\d+)Z/.exec(id)?.[0]
          if (p == null && plain != null) {
            p = this.byPlainId.get(plain)
            // the ClOrdID we sent came back different (and not only because it lost its mutation)
            if (p != null && p.clOrdId != null && p.clOrdId !== id) this.mismatch(11, p.clOrdId, id, kind)
          }
          // a cancel/replace/status answer carries the order's Account and Symbol, not the request's
          if (p != null && mt === '8' && p.template === 'D') {
            for (const [tag, sent] of p.echo) {
              const got = field(frame, tag)
              if (got != null && got !== sent && (field(frame, 150) !== '8' || got !== '')) this.mismatch(tag, sent, got, kind)
            }
          }
        }
      }
    }
    if (p == null) { this.stats.unattributed.add(kind); return }
    if (p.answered) return
    this.resolve(p, kind)
  }

  private mismatch (tag: number, sent: string, got: string, kind: string): void {
    this.stats.echoMismatches.add(`tag ${tag}`)
    if (this.stats.echoExamples.length < 12) this.stats.echoExamples.push(`${kind}: tag ${tag} sent ${show(sent)} came back ${show(got)}`)
  }

  private resolve (p: Pending, outcome: string): void {
    if (p.answered) return
    p.answered = true
    if (this.open.delete(p.n) && p.expectAnswer) this.openExpecting--
    this.stats.outcomes.add(outcome)
    const family = p.mutations.length === 0 ? 'clean' : p.mutations.map((m) => m.replace(/\(.*$/, '')).sort().join('+')
    this.stats.outcomeByMutation.add(`${p.template} ${family} -> ${outcome}`)
    this.wakeSlots()
  }

  private wakeSlots (): void { for (const w of this.slotWaiters.splice(0)) w() }

  private sweep (): void {
    const now = Date.now()
    for (const p of this.open.values()) {
      if (now - p.sentAt < this.o.answerTimeoutMs) break
      this.resolve(p, 'no answer')
    }
  }

  // ---- the campaign -------------------------------------------------------------------

  async run (total: number, onProgress: (sent: number) => void): Promise<void> {
    this.sweeper = setInterval(() => this.sweep(), 50)
    try {
      await this.connect()
      let lastProgress = Date.now()
      let stallProbeAt = 0
      while (this.stats.sent < total) {
        if (this.aborted != null) throw new Error(`aborted: ${this.aborted}`)
        if (!this.ready) {
          this.stats.disconnects++
          if (this.conn != null && this.conn.closed && !this.conn.gotLogout) {
            this.stats.closedWithoutLogout++
            if (this.stats.disconnectExamples.length < 5) this.stats.disconnectExamples.push({ what: 'connection closed without a Logout', lastSent: [...this.lastSent] })
          }
          this.stats.reconnects++
          await this.connect()
          continue
        }
        const c = this.conn as Conn
        // stall: answers awaited, nothing heard for a while: probe, then reconnect
        if (this.openExpecting > 0 && Date.now() - c.lastReceived > 4000) {
          if (stallProbeAt === 0) { stallProbeAt = Date.now(); this.sendSession(c, '1', [['112', `STALL${++this.testReqCounter}`]]) } else if (Date.now() - stallProbeAt > 4000) {
            this.stats.stallReconnects++
            this.incident('stall: no answer for 8 s')
            stallProbeAt = 0
            c.destroy()
            continue
          }
        } else stallProbeAt = 0
        if (this.openExpecting >= this.o.window) {
          await new Promise<void>((resolve) => { this.slotWaiters.push(resolve); setTimeout(resolve, 100) })
          continue
        }
        const n = this.stats.sent + 1
        if (this.o.logonEvery > 0 && n % this.o.logonEvery === 0) {
          this.stats.sent++
          await this.logonFuzz()
          continue
        }
        if (this.o.abuseEvery > 0 && n % this.o.abuseEvery === 0 && this.abuseRunning == null) {
          const kind = this.gen.rng.pick(['connect-close', 'garbage', 'wrong-compids', 'slowloris', 'huge-bodylength', 'second-logon', 'half-frame-close'] as const)
          this.abuseRunning = this.abuse(kind).finally(() => { this.abuseRunning = null })
        }
        this.sendOne(c)
        if (n % 32 === 0) await new Promise((resolve) => setImmediate(resolve))
        if (Date.now() - lastProgress > 1000) { lastProgress = Date.now(); onProgress(this.stats.sent) }
      }
      // the last answers
      const until = Date.now() + this.o.answerTimeoutMs + 500
      while (this.open.size > 0 && Date.now() < until && this.aborted == null) await sleep(50)
      if (this.abuseRunning != null) await this.abuseRunning
    } finally {
      if (this.sweeper != null) clearInterval(this.sweeper)
      this.sweep()
    }
  }

  private sendOne (c: Conn): void {
    const p = this.gen.next(this.ctx(c))
    const seq = c.nextOut
    if (p.seq !== 'none') c.nextOut++
    if (p.seq === 'doubtful') c.doubtful.add(seq)
    c.write(p.bytes)
    this.record(c, p)
  }

  private record (c: Conn, p: Planned): void {
    const s = this.stats
    s.sent++
    s.sentByTemplate.add(p.template)
    for (const m of p.mutations) s.mutations.add(m)
    if (p.mutations.length === 0) s.mutations.add('(none)')
    s.seqEffects.add(p.seq)
    this.lastSent.push(show(p.bytes))
    if (this.lastSent.length > 5) this.lastSent.shift()
    const pending: Pending = {
      n: p.n, template: p.template, mutations: p.mutations, epoch: c.epoch, sentAt: Date.now(), expectAnswer: p.expectAnswer,
      clOrdId: p.clOrdId, plainClOrdId: p.plainClOrdId, echo: p.echo, answered: false
    }
    this.open.set(p.n, pending)
    if (p.expectAnswer) this.openExpecting++
    this.bySeq.set(`${c.epoch}:${p.seqText}`, pending)
    if (p.clOrdId != null) this.byClOrdId.set(p.clOrdId, pending)
    if (p.plainClOrdId != null && /^Z\d+Z$/.test(p.plainClOrdId) && p.plainClOrdId === (/Z(\d+)Z/.exec(p.plainClOrdId)?.[0])) {
      // only the order it created: a status request's id points at another message
      if (p.template !== 'H') this.byPlainId.set(p.plainClOrdId, pending)
    }
    if (p.testReqId != null) this.byTestReq.set(p.testReqId, pending)
  }

  // ---- logon fuzz: log out, connect, send a hostile Logon, see what happens, log on again

  private async logonFuzz (): Promise<void> {
    const main = this.conn
    if (main != null && !main.closed) {
      if (main.loggedOn) this.sendSession(main, '5', [])
      main.loggedOn = false
      main.flush()
      const t0 = Date.now()
      while (!main.closed && Date.now() - t0 < 1000) await sleep(5)
      main.destroy()
    }
    const { bytes, mutation } = this.gen.logon({ seqNum: 1, senderCompId: this.o.senderCompId, targetCompId: this.o.targetCompId, now: utcTimestamp(Date.now()) })
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect({ host: this.o.host, port: this.o.port })
      const framer = new Framer()
      const got: string[] = []
      const finish = (text: string): void => { clearTimeout(t); s.destroy(); resolve(text) }
      const t = setTimeout(() => finish(got.length > 0 ? got.join(', ') : 'no answer in 1 s (left open)'), 1000)
      s.on('error', () => {})
      s.on('connect', () => s.write(bytes))
      s.on('data', (chunk: Buffer) => {
        for (const ev of framer.push(chunk)) {
          if (ev.kind !== 'message') continue
          const f = ev.bytes.toString('latin1')
          const k = classify(f)
          got.push(k === 'Logon' ? `Logon (108=${field(f, 108) ?? '-'})` : k)
          if (k === 'Logon') {
            // log out again at once
            s.write(encode([['35', '5'], ['34', '2'], ['49', this.o.senderCompId], ['52', utcTimestamp(Date.now())], ['56', this.o.targetCompId]]))
          }
        }
      })
      s.on('close', () => finish(got.length > 0 ? `${got.join(', ')}, closed` : 'closed without a word'))
    })
    this.stats.logonFuzz.add(`${mutation} -> ${outcome}`)
    if (/session store failure/i.test(outcome)) { this.stats.storeFailureLogouts++; this.incident(`logon fuzz ${mutation}: ${outcome}`) }
    this.stats.reconnects++
    await this.connect()
  }

  // ---- abusive connections (in the background, one at a time) -------------------------

  private async abuse (kind: 'connect-close' | 'garbage' | 'wrong-compids' | 'slowloris' | 'huge-bodylength' | 'second-logon' | 'half-frame-close'): Promise<void> {
    const garbage = kind === 'garbage' ? this.gen.garbage(this.gen.rng.range(100, 8000)) : null
    const outcome = await new Promise<string>((resolve) => {
      const s = net.connect({ host: this.o.host, port: this.o.port })
      const framer = new Framer()
      const got: string[] = []
      let timers: NodeJS.Timeout[] = []
      const t0 = Date.now()
      const finish = (text: string): void => { for (const x of timers) clearTimeout(x); timers = []; s.destroy(); resolve(text) }
      const limit = kind === 'slowloris' ? 3000 : 1500
      timers.push(setTimeout(() => finish(got.length > 0 ? `${got.join(', ')}, left open` : 'left open (no answer)'), limit))
      s.on('error', () => {})
      s.on('data', (chunk: Buffer) => { for (const ev of framer.push(chunk)) if (ev.kind === 'message') got.push(classify(ev.bytes.toString('latin1'))) })
      s.on('close', () => finish(`${got.length > 0 ? `${got.join(', ')}, ` : ''}closed by the gateway`))
      const logon = (sender: string, target: string): Buffer => encode([['35', 'A'], ['34', '1'], ['49', sender], ['52', utcTimestamp(Date.now())], ['56', target], ['98', '0'], ['108', '30']])
      s.on('connect', () => {
        switch (kind) {
          case 'connect-close': finish('closed by us at once'); return
          case 'garbage': s.write(garbage as Buffer); return
          case 'wrong-compids': s.write(logon('NOBODY', 'NOWHERE')); return
          case 'second-logon': s.write(logon(this.o.senderCompId, this.o.targetCompId)); return
          case 'huge-bodylength': s.write(Buffer.concat([Buffer.from('8=FIX.4.4\x019=1000000\x01', 'latin1'), Buffer.alloc(1_100_000, 0x58)])); return
          case 'half-frame-close': {
            const b = logon(this.o.senderCompId, this.o.targetCompId)
            s.write(b.subarray(0, Math.floor(b.length / 2)))
            timers.push(setTimeout(() => finish('closed by us mid-frame'), 50))
            return
          }
          case 'slowloris': {
            const b = logon(this.o.senderCompId, this.o.targetCompId)
            let i = 0
            const drip = (): void => {
              if (s.destroyed || i >= b.length - 1) return // never the last byte
              s.write(b.subarray(i, i + 1))
              i++
              timers.push(setTimeout(drip, 20))
            }
            drip()
          }
        }
      })
      void t0
    })
    this.stats.abusive.add(`${kind}: ${outcome}`)
  }

  // ---- the end ------------------------------------------------------------------------

  /**
   * Health check: a fresh, valid NewOrderSingle must still be acknowledged (ER New or
   * Trade). Logs on again first when needed. Returns what came back.
   */
  async healthCheck (clOrdId: string, timeoutMs = 15_000): Promise<{ ok: boolean, answers: string[] }> {
    if (!this.ready) { this.stats.reconnects++; await this.connect() }
    const c = this.conn as Conn
    const answers: string[] = []
    let ok = false
    const done = new Promise<void>((resolve) => {
      const w = (frame: string): void => {
        if (field(frame, 11) !== clOrdId) return
        const k = classify(frame)
        answers.push(k)
        if (k === 'ExecutionReport 150=0' || k === 'ExecutionReport 150=F') { ok = true; resolve() } else if (k.startsWith('ExecutionReport 150=8')) resolve()
      }
      this.watchers.push(w)
      setTimeout(resolve, timeoutMs)
    })
    const now = utcTimestamp(Date.now())
    this.sendSession(c, 'D', [['11', clOrdId], ['1', 'ACC1'], ['21', '1'], ['55', 'AAPL'], ['54', '1'], ['60', now], ['38', '100'], ['40', '2'], ['44', '100.25'], ['59', '0']])
    await done
    this.watchers = []
    return { ok, answers }
  }

  /** Wait until the gateway has been silent for quietMs (at most maxMs). */
  async drain (quietMs: number, maxMs: number): Promise<void> {
    const t0 = Date.now()
    while (Date.now() - t0 < maxMs) {
      const c = this.conn
      if (c == null || Date.now() - c.lastReceived >= quietMs) return
      await sleep(100)
    }
  }

  async close (): Promise<void> {
    const c = this.conn
    if (c == null || c.closed) return
    if (c.loggedOn) {
      this.sendSession(c, '5', [])
      c.flush()
      const t0 = Date.now()
      while (!c.closed && Date.now() - t0 < 1500) await sleep(10)
    }
    c.destroy()
  }
}
