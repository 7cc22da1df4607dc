/**
 * The load generator: FIX client sessions (initiators, ResetSeqNumFlag=Y at logon, no
 * message store) sending NewOrderSingles and timing the ExecutionReports that come back.
 * The sessions are the benchmark's lean FIX session (bench/lib/lean-fix.ts, default) or
 * our own session layer (`--client session`), both in this process.
 *
 * Two ways to drive them:
 *  - open loop (`rate`): order k is due at t0 + k / rate, on session k mod N, whatever
 *    happened to the orders before it. Latency is measured from that intended time, so
 *    a generator or gateway that falls behind shows up in the figures instead of being
 *    hidden (coordinated omission). How late the generator itself sent is reported too.
 *  - closed loop (`inFlight`): each session keeps K orders outstanding and sends the
 *    next one when one completes; latency is measured from the send.
 *
 * Per order: ack = the first ExecutionReport with ExecType New (150=0), filled =
 * OrdStatus Filled (39=2). A reject (39=8 / 150=8), a cancel or expiry, a session
 * Reject or BusinessMessageReject, an order with no answer within `timeoutMs`, a lost
 * connection: each is counted and reported, none stops the run by itself.
 */
import { performance } from 'node:perf_hooks'
import * as fs from 'node:fs'
import pino, { type Logger } from 'pino'
import { Endpoint } from '../../src/fix/transport/endpoint'
import type { FixApp, FixgwSession } from '../../src/fix/session/fixgw-session'
import type { MessageView } from '../../src/fix/session/message-view'
import type { TagValue } from '../../src/fix/session/wire/encoder'
import { MemorySessionStore } from '../../src/fix/store/memory-session-store'
import type { SessionStore, StoredMessage } from '../../src/fix/store/session-store'
import { connectLean, field, SOH, utcNow, type LeanFixSession } from './lean-fix'
import { Samples } from './stats'

export interface LoadSessionSpec {
  readonly name: string
  /** our CompID (the counterparty's TargetCompID) */
  readonly senderCompId: string
  readonly targetCompId: string
  readonly host: string
  readonly port: number
  readonly account: string
}

interface Pending {
  readonly session: number
  /** performance.now() when it was due (closed loop: when it was sent) */
  readonly intended: number
  readonly sent: number
  readonly measured: boolean
  acked: boolean
}

export interface LoadProblems {
  rejects: number
  timeouts: number
  /** canceled, expired, done for day */
  otherTerminal: number
  /** filled without an ack before it */
  filledWithoutAck: number
  /** ExecutionReports for ClOrdIDs we do not know (or that had timed out) */
  unknownReports: number
  businessRejects: number
  cancelRejects: number
  /** session-level anomalies on our side: Rejects of our messages, sequence gaps, garbled frames, unexpected messages, warnings logged by our session layer */
  sessionProblems: number
  disconnects: number
  /** orders not sent because the session was not logged on */
  sendFailures: number
  /** open loop: stopped sending because outstanding orders passed the limit */
  overloaded: boolean
  /** the first few problems, as text */
  examples: string[]
}

export interface LoadCounters {
  sent: number
  completed: number
  filled: number
  /** orders due in the measured window (sent or not) */
  measuredSent: number
  measuredCompleted: number
  /** fills received while the window was open (throughput numerator) */
  windowFills: number
  lastReportAt: number
}

export interface RunPlan {
  readonly mode: 'open' | 'closed'
  /** open loop: orders per second over all sessions */
  readonly rate: number
  /** closed loop: outstanding orders per session */
  readonly inFlight: number
  readonly warmupMs: number
  /** measured window length; null with `orders` */
  readonly durationMs: number | null
  /** closed loop: stop once this many orders have been sent in the window */
  readonly orders: number | null
  readonly timeoutMs: number
  readonly maxOutstanding: number
  readonly symbols: number
}

/** One client session of the load generator. */
interface LoadClient {
  readonly index: number
  readonly spec: LoadSessionSpec
  /** wall clock of the first logon */
  readonly loggedOnAt: number | null
  start: () => Promise<void>
  waitReady: (abort: Promise<never>) => Promise<void>
  /** false when not logged on */
  sendOrder: (clOrdId: string, symbol: string, side: string) => boolean
  stop: () => Promise<void>
}

/** Where a client reports what it receives. */
interface ClientEvents {
  onExecutionReport: (clOrdId: string | undefined, execType: string | undefined, ordStatus: string | undefined, text: string | undefined) => void
  onOtherMessage: (c: LoadClient, msgType: string, ref: string | undefined, text: string | undefined) => void
  onProblem: (c: LoadClient, text: string) => void
  onDisconnect: (c: LoadClient, reason: string) => void
}

abstract class ClientBase {
  loggedOnAt: number | null = null
  protected readyWaiters: Array<() => void> = []
  protected abstract get ready (): boolean

  protected loggedOn (): void {
    if (this.loggedOnAt == null) this.loggedOnAt = Date.now()
    for (const w of this.readyWaiters.splice(0)) w()
  }

  async waitReady (abort: Promise<never>): Promise<void> {
    if (this.ready) return
    await Promise.race([new Promise<void>((resolve) => this.readyWaiters.push(resolve)), abort])
  }
}

/** On the benchmark's lean FIX session (bench/lib/lean-fix.ts): the default. */
class LeanClient extends ClientBase implements LoadClient {
  private conn: ReturnType<typeof connectLean> | null = null
  private stopping = false

  constructor (readonly index: number, readonly spec: LoadSessionSpec, private readonly ev: ClientEvents) { super() }

  protected get ready (): boolean { return this.conn?.session()?.isReady ?? false }

  async start (): Promise<void> {
    this.conn = connectLean(this.spec.host, this.spec.port, { senderCompId: this.spec.senderCompId, targetCompId: this.spec.targetCompId, heartBtInt: 30 }, {
      onReady: () => this.loggedOn(),
      onApp: (msgType, frame) => {
        if (msgType === '8') this.ev.onExecutionReport(field(frame, 11), field(frame, 150), field(frame, 39), field(frame, 58))
        else this.ev.onOtherMessage(this, msgType, field(frame, 11) ?? field(frame, 45), field(frame, 58))
      },
      onProblem: (text) => this.ev.onProblem(this, text),
      onClose: (reason) => { if (!this.stopping) this.ev.onDisconnect(this, reason) }
    })
  }

  sendOrder (clOrdId: string, symbol: string, side: string): boolean {
    const s: LeanFixSession | null | undefined = this.conn?.session()
    if (s == null || !s.isReady) return false
    s.send('D', `11=${clOrdId}${SOH}1=${this.spec.account}${SOH}55=${symbol}${SOH}54=${side}${SOH}60=${utcNow()}${SOH}38=100${SOH}40=2${SOH}44=10.25${SOH}`)
    return true
  }

  async stop (): Promise<void> {
    this.stopping = true
    await this.conn?.stop()
  }
}

/** Sequence numbers only: a bench client never resends, so keeping every sent message would only grow the heap. */
class SeqOnlyStore extends MemorySessionStore implements SessionStore {
  override async appendOutbound (messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length > 0) await this.setNextSenderSeqNum(messages[messages.length - 1].seqNum + 1)
  }
}

/** On our session layer (src/fix/session, `--client session`): slower, to cross-check the lean client. */
class SessionClient extends ClientBase implements LoadClient, FixApp {
  readonly endpoint: Endpoint
  private session: FixgwSession | null = null
  private stopping = false

  constructor (readonly index: number, readonly spec: LoadSessionSpec, logger: Logger, private readonly ev: ClientEvents) {
    super()
    this.endpoint = new Endpoint({
      name: spec.name,
      role: 'initiator',
      senderCompId: spec.senderCompId,
      targetCompId: spec.targetCompId,
      host: spec.host,
      port: spec.port,
      heartBtInt: 30,
      resetSeqNumOnLogon: true,
      // connect as soon as the gateway listens (it is starting while we try)
      reconnect: { initialDelayMs: 20, maxDelayMs: 100 },
      // a load generator, not a conformance test: header checks only, no SendingTime check
      validation: false,
      maxLatencySeconds: null
    }, { logger, storeFactory: { open: (id) => new SeqOnlyStore(id) }, app: this })
  }

  protected get ready (): boolean { return this.session?.isReady ?? false }

  async start (): Promise<void> { await this.endpoint.start() }

  onReady (s: FixgwSession): void {
    this.session = s
    this.loggedOn()
  }

  onStopped (s: FixgwSession, error?: Error): void {
    if (this.session !== s) return
    this.session = null
    if (!this.stopping) this.ev.onDisconnect(this, error?.message ?? 'disconnected')
  }

  onMessage (s: FixgwSession, msgType: string, _view: MessageView): void {
    const m = s.currentMessage
    if (m == null) return
    if (msgType === '8') this.ev.onExecutionReport(m.get(11), m.get(150), m.get(39), m.get(58))
    else this.ev.onOtherMessage(this, msgType, m.get(11) ?? m.get(45), m.get(58))
  }

  sendOrder (clOrdId: string, symbol: string, side: string): boolean {
    const s = this.session
    if (s == null) return false
    const body: TagValue[] = [[11, clOrdId], [1, this.spec.account], [55, symbol], [54, side], [60, utcNow()], [38, '100'], [40, '2'], [44, '10.25']]
    return s.sendFields('D', body)
  }

  async stop (): Promise<void> {
    this.stopping = true
    await this.endpoint.stop(1000).catch(() => undefined)
  }
}

export class LoadGenerator implements ClientEvents {
  readonly sessions: LoadClient[]
  readonly ack = new Samples()
  readonly filled = new Samples()
  readonly ackFromSend = new Samples()
  readonly filledFromSend = new Samples()
  /** open loop: actual send − intended send */
  readonly sendLag = new Samples()
  readonly problems: LoadProblems = {
    rejects: 0, timeouts: 0, otherTerminal: 0, filledWithoutAck: 0, unknownReports: 0, businessRejects: 0, cancelRejects: 0,
    sessionProblems: 0, disconnects: 0, sendFailures: 0, overloaded: false, examples: []
  }

  readonly counters: LoadCounters = { sent: 0, completed: 0, filled: 0, measuredSent: 0, measuredCompleted: 0, windowFills: 0, lastReportAt: 0 }
  private readonly pending = new Map<string, Pending>()
  private readonly seq: number[]
  private readonly runTag: string
  private plan: RunPlan | null = null
  private t0 = 0
  private warmEnd = Infinity
  private windowEnd = Infinity
  private sending = false
  private window: 'before' | 'open' | 'closed' = 'before'
  /** performance.now() of the last fill of a measured order */
  lastMeasuredFillAt = 0
  /** fills in each whole second since the window opened (the last one may be partial) */
  readonly fillsPerSecond: number[] = []
  private windowOpenedAt = 0
  private sweepTimer: NodeJS.Timeout | null = null
  private scheduleTimer: NodeJS.Timeout | null = null
  private doneWaiters: Array<() => void> = []
  private readonly logger: Logger
  private readonly logStream: fs.WriteStream
  /** hooks for the runner: the window opened / closed (to snapshot CPU, reset statistics) */
  onWindowStart: (() => void) | null = null
  onWindowEnd: (() => void) | null = null

  constructor (specs: readonly LoadSessionSpec[], kind: 'lean' | 'session', logFile: string) {
    this.runTag = `R${Date.now().toString(36).toUpperCase()}`
    this.logStream = fs.createWriteStream(logFile, { flags: 'a' })
    const problems = this.problems
    const note = (text: string): void => { if (problems.examples.length < 16) problems.examples.push(text) }
    this.logger = pino({
      level: 'warn',
      base: { name: 'bench-client' },
      hooks: {
        logMethod (args, method, level) {
          const parts = args as unknown[]
          const msg = typeof parts[0] === 'string' ? parts[0] : typeof parts[1] === 'string' ? parts[1] : ''
          // connecting before the gateway listens is how a run starts, not a problem
          if (level >= 40 && msg !== 'cannot connect to the counterparty') {
            problems.sessionProblems++
            note(`client session log: ${msg} ${typeof parts[0] === 'object' ? JSON.stringify(parts[0], (_k, v: unknown) => (v instanceof Error ? v.message : v)).slice(0, 300) : ''}`)
          }
          method.apply(this, args)
        }
      }
    }, this.logStream)
    this.sessions = specs.map((s, i) => kind === 'lean' ? new LeanClient(i, s, this) : new SessionClient(i, s, this.logger, this))
    this.seq = specs.map(() => 0)
  }

  private note (text: string): void {
    if (this.problems.examples.length < 16) this.problems.examples.push(text)
  }

  get outstanding (): number { return this.pending.size }

  async start (): Promise<void> {
    for (const s of this.sessions) await s.start()
  }

  async waitAllLoggedOn (abort: Promise<never>): Promise<number> {
    for (const s of this.sessions) await s.waitReady(abort)
    return Math.max(...this.sessions.map((s) => s.loggedOnAt ?? 0))
  }

  async stop (): Promise<void> {
    this.sending = false
    if (this.sweepTimer != null) clearInterval(this.sweepTimer)
    if (this.scheduleTimer != null) clearTimeout(this.scheduleTimer)
    await Promise.all(this.sessions.map(async (s) => await s.stop().catch(() => undefined)))
    await new Promise<void>((resolve) => this.logStream.end(resolve))
  }

  /**
   * Run the plan: warm-up, then the measured window, then wait (up to timeoutMs) for the
   * orders still outstanding. Resolves when done; `abort` rejecting ends it early.
   */
  async run (plan: RunPlan, abort: Promise<never>): Promise<void> {
    this.plan = plan
    this.t0 = performance.now()
    this.warmEnd = this.t0 + plan.warmupMs
    this.windowEnd = plan.durationMs == null ? Infinity : this.warmEnd + plan.durationMs
    this.sending = true
    this.counters.lastReportAt = this.t0
    this.sweepTimer = setInterval(() => this.sweep(), 250)
    const windowTimer = setTimeout(() => this.openWindow(), plan.warmupMs)
    const endTimer = plan.durationMs == null ? null : setTimeout(() => this.closeWindow(), plan.warmupMs + plan.durationMs)
    try {
      if (plan.mode === 'open') this.scheduleOpenLoop()
      else for (const s of this.sessions) for (let i = 0; i < plan.inFlight; i++) this.sendOrder(s.index, performance.now())
      await Promise.race([new Promise<void>((resolve) => this.doneWaiters.push(resolve)), abort])
    } finally {
      clearTimeout(windowTimer)
      if (endTimer != null) clearTimeout(endTimer)
      if (this.scheduleTimer != null) clearTimeout(this.scheduleTimer)
      if (this.sweepTimer != null) clearInterval(this.sweepTimer)
      this.sending = false
    }
  }

  private openWindow (): void {
    if (this.window !== 'before') return
    this.window = 'open'
    this.windowOpenedAt = performance.now()
    this.onWindowStart?.()
  }

  /** Stop sending; the run ends once every outstanding order is done or timed out. */
  private closeWindow (): void {
    if (!this.sending) return
    this.sending = false
    // with a fixed number of orders the window lasts until the last of them is filled
    if (this.plan?.orders == null) this.endWindow()
    this.checkDone()
  }

  /** Close the measured window (snapshots taken by onWindowEnd). Called by the runner at the end of an `orders` run. */
  endWindow (): void {
    if (this.window !== 'open') return
    this.window = 'closed'
    this.onWindowEnd?.()
  }

  private checkDone (): void {
    if (this.sending || this.pending.size > 0) return
    for (const w of this.doneWaiters.splice(0)) w()
  }

  private scheduleOpenLoop (): void {
    const plan = this.plan as RunPlan
    const interval = 1000 / plan.rate
    let k = 0
    const n = this.sessions.length
    const tick = (): void => {
      this.scheduleTimer = null
      if (!this.sending) return
      const now = performance.now()
      while (this.sending && this.t0 + k * interval <= now) {
        const intended = this.t0 + k * interval
        if (intended >= this.windowEnd) { this.closeWindow(); return }
        if (this.pending.size >= plan.maxOutstanding) {
          this.problems.overloaded = true
          this.note(`open loop: ${this.pending.size} orders outstanding (limit ${plan.maxOutstanding}): stopped sending`)
          this.closeWindow()
          return
        }
        this.sendOrder(k % n, intended)
        k++
      }
      const wait = this.t0 + k * interval - performance.now()
      this.scheduleTimer = setTimeout(tick, Math.max(0, Math.floor(wait)))
    }
    tick()
  }

  private sendOrder (sessionIndex: number, intended: number): void {
    const plan = this.plan as RunPlan
    const measured = intended >= this.warmEnd && intended < this.windowEnd
    if (measured && this.window === 'before') this.openWindow() // the timer may fire a little late
    if (measured) {
      if (plan.orders != null && this.counters.measuredSent >= plan.orders) { this.closeWindow(); return }
      this.counters.measuredSent++
    }
    const ls = this.sessions[sessionIndex]
    const n = this.seq[sessionIndex]++
    const clOrdId = `${this.runTag}-${sessionIndex + 1}-${n}`
    if (!ls.sendOrder(clOrdId, `SYM${(n * this.sessions.length + sessionIndex) % plan.symbols}`, n % 2 === 0 ? '1' : '2')) {
      this.problems.sendFailures++
      if (this.problems.sendFailures <= 3) this.note(`${ls.spec.name}: not logged on, order not sent`)
      // the order is lost for the figures: it counts as a failure, not as a sample
      if (plan.mode === 'closed' && this.sending) setTimeout(() => { if (this.sending) this.sendOrder(sessionIndex, performance.now()) }, 100)
      return
    }
    const sent = performance.now()
    this.counters.sent++
    if (plan.mode === 'open' && measured) this.sendLag.add(sent - intended)
    this.pending.set(clOrdId, { session: sessionIndex, intended, sent, measured, acked: false })
    if (plan.orders != null && measured && this.counters.measuredSent >= plan.orders) this.closeWindow()
  }

  onExecutionReport (clOrdId: string | undefined, execType: string | undefined, ordStatus: string | undefined, text: string | undefined): void {
    const now = performance.now()
    this.counters.lastReportAt = now
    const p = clOrdId == null ? undefined : this.pending.get(clOrdId)
    if (p == null) {
      this.problems.unknownReports++
      if (this.problems.unknownReports <= 3) this.note(`ExecutionReport for an unknown or timed-out ClOrdID ${String(clOrdId)} (150=${String(execType)}, 39=${String(ordStatus)})`)
      return
    }
    if (execType === '0' && !p.acked) {
      p.acked = true
      if (p.measured) {
        this.ack.add(now - p.intended)
        this.ackFromSend.add(now - p.sent)
      }
    }
    switch (ordStatus) {
      case '2':
        if (!p.acked) this.problems.filledWithoutAck++
        this.counters.filled++
        if (this.window === 'open') {
          this.counters.windowFills++
          const sec = Math.floor((now - this.windowOpenedAt) / 1000)
          while (this.fillsPerSecond.length <= sec) this.fillsPerSecond.push(0)
          this.fillsPerSecond[sec]++
        }
        if (p.measured) {
          this.filled.add(now - p.intended)
          this.filledFromSend.add(now - p.sent)
          this.lastMeasuredFillAt = now
        }
        this.complete(clOrdId as string, p)
        return
      case '8':
        this.problems.rejects++
        if (this.problems.rejects <= 5) this.note(`order ${String(clOrdId)} rejected: ${text ?? '(no text)'}`)
        this.complete(clOrdId as string, p)
        return
      case '3': case '4': case 'C':
        this.problems.otherTerminal++
        if (this.problems.otherTerminal <= 3) this.note(`order ${String(clOrdId)} ended with OrdStatus ${ordStatus}: ${text ?? ''}`)
        this.complete(clOrdId as string, p)
    }
  }

  onOtherMessage (c: LoadClient, msgType: string, ref: string | undefined, text: string | undefined): void {
    if (msgType === 'j') this.problems.businessRejects++
    else if (msgType === '9') this.problems.cancelRejects++
    else this.problems.sessionProblems++
    this.note(`${c.spec.name}: MsgType ${msgType} received (ref ${String(ref)}): ${text ?? ''}`)
  }

  onProblem (c: LoadClient, text: string): void {
    this.problems.sessionProblems++
    this.note(`${c.spec.name}: ${text}`)
  }

  onDisconnect (c: LoadClient, reason: string): void {
    this.problems.disconnects++
    this.note(`${c.spec.name}: disconnected: ${reason}`)
  }

  private complete (clOrdId: string, p: Pending): void {
    this.pending.delete(clOrdId)
    this.counters.completed++
    if (p.measured) this.counters.measuredCompleted++
    const plan = this.plan as RunPlan
    if (plan.mode === 'closed' && this.sending) this.sendOrder(p.session, performance.now())
    else this.checkDone()
  }

  /** Orders with no answer within timeoutMs are given up (counted as timeouts). */
  private sweep (): void {
    const plan = this.plan as RunPlan
    const now = performance.now()
    for (const [id, p] of this.pending) {
      if (now - p.intended < plan.timeoutMs) break // insertion order ≈ send order
      this.problems.timeouts++
      if (this.problems.timeouts <= 3) this.note(`order ${id} timed out after ${plan.timeoutMs} ms (acked: ${String(p.acked)})`)
      this.complete(id, p)
      this.counters.completed-- // a timeout is not a completion
      if (p.measured) this.counters.measuredCompleted--
    }
    this.checkDone()
  }

  /** ms since the last ExecutionReport (stall detection) */
  idleMs (): number { return performance.now() - this.counters.lastReportAt }

  windowStartedAt (): number { return this.warmEnd }
}
