/**
 * The order engine: a single writer over in-memory state, with one Postgres transaction
 * per batch (docs/engine.md).
 *
 *  - Commands (client requests, broker reports, operator actions) run one at a time,
 *    in arrival order, against EngineState, each with an EngineTx that records how to
 *    undo it. A command that throws is undone and leaves nothing behind.
 *  - A finished command waits in the open batch with its journal, its outbound messages
 *    (given their MsgSeqNum by their session right then) and, for a command caused by an
 *    inbound FIX message, that session's next expected MsgSeqNum.
 *  - One batch commits at a time; the commands that finish meanwhile form the next one.
 *    After the commit, and only then, outbound bytes are released to the sessions and
 *    each command's caller hears it is done.
 *  - A batch that cannot be committed (Postgres down, or refusing it) is abandoned:
 *    every command not yet committed is undone, newest first, their outbound numbers
 *    stay unused, and their callers get NotCommittedError (a client hears
 *    BusinessMessageReject 380=4; a broker session reconnects and resends). Where the
 *    COMMIT itself went unanswered, the engine first asks Postgres whether the batch
 *    landed, and waits until it can tell.
 *  - While the last commit failed, the engine reports itself unavailable (logons are
 *    refused) and probes Postgres every second; the next commit or probe that works
 *    makes it available again.
 */
import type { Logger } from 'pino'
import { Effects, type Effect } from '../effects'
import { EngineTx } from './engine-tx'
import { Journal, type Batch, type JournaledMessage } from './journal'
import { EngineState } from './state'
import type { EngineStore } from './store-port'

/** An outbound message with its MsgSeqNum, stored in the batch; released after the commit. */
export interface PreparedSend {
  readonly message: JournaledMessage
  /** the batch holding the message has committed: the session may write it */
  readonly release: () => void
  /** the batch was abandoned: the number stays unused */
  readonly drop: () => void
}

/** Where effects become FIX messages (the FIX adapters implement it). */
export interface Outbox {
  /**
   * Encode the effects of one command and give each its MsgSeqNum. All-or-nothing: it
   * throws before any number is taken if one of them cannot be encoded.
   */
  prepare: (effects: readonly Effect[]) => PreparedSend[]
  /** After a commit: the durable next sender / target numbers of the sessions it moved. */
  committed: (sessionKey: string, nextSender: number | null, nextTarget: number | null) => void
}

export interface Command<T> {
  readonly run: (tx: EngineTx, fx: Effects) => Promise<T>
  /** the inbound FIX message that caused it: its session's next expected number once it is done */
  readonly inbound?: { readonly sessionKey: string, readonly next: number }
  /** false when the command is no longer wanted (its connection is gone): it is skipped */
  readonly stillWanted?: () => boolean
  /** an operator or housekeeping step that changes no order: run in line, nothing journaled */
  readonly control?: boolean
}

/** The command was not run at all (its connection had gone): the session must not count its message. */
export class NotAcceptedError extends Error {
  /** read by the session layer: the inbound message was not processed and must not be counted */
  readonly unprocessed = true
  constructor (message: string, override readonly cause?: unknown) {
    super(message)
  }
}

/** The command ran but its batch could not be committed: it was undone, nothing of it is kept. */
export class NotCommittedError extends Error {
  constructor (override readonly cause: unknown) {
    super(`not committed: ${(cause as Error)?.message ?? String(cause)}`)
  }
}

export interface EngineDeps {
  readonly store: EngineStore
  readonly outbox: Outbox
  readonly logger: Logger
  readonly now?: () => Date
  /** finished orders kept in memory (beyond them, they are read back from Postgres) */
  readonly maxFinishedInMemory?: number
  /** health changes: false when a commit failed, true when Postgres answers again */
  readonly onAvailability?: (available: boolean, error?: Error) => void
}

interface Job {
  readonly cmd: Command<unknown>
  readonly resolve: (v: unknown) => void
  readonly reject: (e: unknown) => void
}

/** A command that has run, waiting for its batch to commit. */
interface Done {
  readonly tx: EngineTx
  readonly job: Job
  readonly result: unknown
  readonly sends: readonly PreparedSend[]
}

export class OmsEngine {
  private state!: EngineState
  private readonly queue: Job[] = []
  private writing = false
  /** the command running now */
  private running: EngineTx | null = null
  private open: Done[] = []
  private committing: Promise<void> | null = null
  private commitScheduled = false
  private failure: Error | null = null
  private probe: NodeJS.Timeout | null = null
  private nextBatchId = 1n
  private readonly now: () => Date
  private readonly log: Logger
  private idleWaiters: Array<() => void> = []
  /** batches committed and their sizes, for the log and metrics */
  readonly stats = { batches: 0, commands: 0, maxBatch: 0, aborted: 0 }

  constructor (private readonly deps: EngineDeps) {
    this.now = deps.now ?? (() => new Date())
    this.log = deps.logger.child({ component: 'engine' })
  }

  /** Load the state from Postgres. */
  async start (): Promise<void> {
    const t0 = Date.now()
    const snapshot = await this.deps.store.load()
    this.state = new EngineState(snapshot, this.deps.maxFinishedInMemory)
    this.nextBatchId = snapshot.lastBatchId + 1n
    this.log.info({ ms: Date.now() - t0, openOrders: snapshot.orders.length, clOrdIds: this.state.clOrdFilter.size, execIds: this.state.execFilter.size, positions: snapshot.positions.length }, 'engine state loaded')
  }

  stop (): void {
    if (this.probe != null) clearInterval(this.probe)
    this.probe = null
  }

  /** Postgres is reachable and commits go through. */
  get available (): boolean { return this.failure == null }

  /** The state (read-only use: health, tests). */
  get current (): EngineState { return this.state }

  submit<T> (cmd: Command<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ cmd: cmd as Command<unknown>, resolve: resolve as (v: unknown) => void, reject })
      if (!this.writing) void this.write()
    })
  }

  /** Run fn on the state in line with the commands (kill switch changes...): nothing is journaled. */
  async control (fn: (state: EngineState) => void): Promise<void> {
    await this.submit({ control: true, run: async () => { fn(this.state) } })
  }

  /**
   * Release expired ClOrdIDs of a session (finished orders only) in Postgres and in the
   * dedupe filter together, in line with the commands: a ClOrdID released here and
   * reused at once is seen as new by both.
   */
  async purgeDedupe (session: string, days: number, chunk = 10_000): Promise<number> {
    return await this.submit({
      control: true,
      run: async () => {
        await this.barrier()
        let total = 0
        for (;;) {
          const released = await this.deps.store.purgeDedupe(session, days, chunk)
          for (const clOrdId of released) this.state.forgetClOrdId(session, clOrdId)
          total += released.length
          if (released.length < chunk) return total
        }
      }
    })
  }

  /** Resolves when every command submitted so far has run and its batch has committed (or was abandoned). */
  async drain (): Promise<void> {
    while (!this.idle) await new Promise<void>((resolve) => this.idleWaiters.push(resolve))
  }

  private get idle (): boolean {
    return !this.writing && this.queue.length === 0 && this.committing == null && !this.commitScheduled && this.open.length === 0
  }

  private notifyIdle (): void {
    if (this.idle) for (const w of this.idleWaiters.splice(0)) w()
  }

  // ---- the writer --------------------------------------------------------------------

  private async write (): Promise<void> {
    this.writing = true
    try {
      while (this.queue.length > 0) {
        const job = this.queue.shift() as Job
        if (job.cmd.stillWanted?.() === false) { job.reject(new NotAcceptedError('connection gone before the message was processed')); continue }
        await this.run(job)
      }
    } finally {
      this.writing = false
      this.notifyIdle()
    }
  }

  private async run (job: Job): Promise<void> {
    const tx = new EngineTx(this.state, this.deps.store, async () => await this.barrier(), this.now)
    const fx = new Effects(tx)
    this.running = tx
    try {
      if (job.cmd.control === true) {
        try {
          job.resolve(await job.cmd.run(tx, fx))
        } catch (e) {
          job.reject(e)
        }
        return
      }
      let result: unknown
      let sends: PreparedSend[]
      try {
        result = await job.cmd.run(tx, fx)
        sends = this.deps.outbox.prepare(fx.list)
      } catch (e) {
        tx.rollback()
        job.reject(e)
        return
      }
      for (const s of sends) tx.journal.messages.push(s.message)
      if (job.cmd.inbound != null) tx.journal.inbound.set(job.cmd.inbound.sessionKey, job.cmd.inbound.next)
      this.open.push({ tx, job, result, sends })
      this.scheduleCommit()
    } finally {
      this.running = null
    }
  }

  // ---- commits -----------------------------------------------------------------------

  private scheduleCommit (): void {
    if (this.committing != null || this.commitScheduled) return
    this.commitScheduled = true
    // let the commands already queued join this batch
    setImmediate(() => {
      this.commitScheduled = false
      this.startCommit()
    })
  }

  /** Commit the open batch now if nothing is committing. */
  private startCommit (): void {
    if (this.committing != null) return
    if (this.open.length === 0) { this.notifyIdle(); return }
    const done = this.open
    this.open = []
    const journal = new Journal()
    for (const d of done) journal.absorb(d.tx.journal)
    const batch: Batch = { id: this.nextBatchId++, journal, counters: { ...this.state.counters } }
    this.committing = this.commit(batch)
      .then(() => { this.afterCommit(batch, done) })
      .catch((e) => { this.abandon(done, e as Error) })
      .finally(() => {
        this.committing = null
        if (this.open.length > 0) this.scheduleCommit()
        else this.notifyIdle()
      })
  }

  /** Commit everything journaled so far (a rare path about to read Postgres). */
  private async barrier (): Promise<void> {
    for (;;) {
      if (this.committing != null) {
        const aborted = this.stats.aborted
        await this.committing
        // Abandoned: the state this command read is undone too (abandon() rolled it back).
        if (this.stats.aborted !== aborted) throw new NotCommittedError(this.failure ?? new Error('batch abandoned'))
        continue
      }
      if (this.open.length === 0) return
      this.startCommit()
    }
  }

  /** Resolves once committed; throws when not. */
  private async commit (batch: Batch): Promise<void> {
    try {
      await this.deps.store.commit(batch)
    } catch (e) {
      if ((e as { outcomeUnknown?: boolean }).outcomeUnknown !== true) throw e
      // The COMMIT went unanswered: find out whether it landed before saying anything.
      this.setUnavailable(e as Error)
      if (!await this.landed(batch)) throw e
    }
    if (this.failure != null) this.setAvailable()
  }

  /** Ask Postgres (until it answers) whether the batch committed. */
  private async landed (batch: Batch): Promise<boolean> {
    let delay = 100
    for (;;) {
      try {
        return await this.deps.store.lastBatchId() >= batch.id
      } catch {
        await new Promise((resolve) => setTimeout(resolve, delay))
        delay = Math.min(delay * 2, 2000)
      }
    }
  }

  private afterCommit (batch: Batch, done: readonly Done[]): void {
    const j = batch.journal
    this.state.lastBatchId = batch.id
    this.stats.batches++
    this.stats.commands += done.length
    if (done.length > this.stats.maxBatch) this.stats.maxBatch = done.length
    // the sessions' stores learn their durable numbers before anything else moves
    const sender = new Map<string, number>()
    for (const m of j.messages) sender.set(m.sessionKey, Math.max(sender.get(m.sessionKey) ?? 0, m.seqNum + 1))
    for (const key of new Set([...sender.keys(), ...j.inbound.keys()])) {
      this.deps.outbox.committed(key, sender.get(key) ?? null, j.inbound.get(key) ?? null)
    }
    for (const d of done) for (const s of d.sends) s.release()
    for (const d of done) d.job.resolve(d.result)
    // finished orders whose last change is durable may leave memory
    const pending = new Set<string>()
    for (const d of this.open) for (const id of d.tx.journal.orders.keys()) pending.add(id)
    if (this.running != null) for (const id of this.running.journal.orders.keys()) pending.add(id)
    this.state.evictFinished((id) => !pending.has(id))
  }

  /**
   * The batch could not be committed: undo every command that is not committed (the
   * one running, the open batch, this batch), newest first, and tell their callers.
   */
  private abandon (failed: readonly Done[], e: Error): void {
    this.stats.aborted++
    const undone = [...failed, ...this.open]
    this.open = []
    this.running?.abort(new NotCommittedError(e))
    for (let i = undone.length - 1; i >= 0; i--) undone[i].tx.rollback()
    this.log.error({ err: e, commands: undone.length }, 'journal commit failed: the batch is abandoned, its commands undone and refused')
    this.setUnavailable(e)
    const err = new NotCommittedError(e)
    for (const d of undone) {
      for (const s of d.sends) s.drop()
      d.job.reject(err)
    }
  }

  private setUnavailable (e: Error): void {
    if (this.failure != null) return
    this.failure = e
    this.deps.onAvailability?.(false, e)
    this.probe = setInterval(() => {
      this.deps.store.lastBatchId().then(() => { if (this.failure != null && this.committing == null) this.setAvailable() }, () => {})
    }, 1000)
    this.probe.unref()
  }

  private setAvailable (): void {
    this.failure = null
    if (this.probe != null) clearInterval(this.probe)
    this.probe = null
    this.log.warn('Postgres answers again: the engine takes orders')
    this.deps.onAvailability?.(true)
  }
}
