/**
 * Moves the durable "next expected" number only past messages that are fully handled:
 * a message the application handles asynchronously (an order committed to the OMS)
 * counts once its promise settles. After a crash the peer is therefore asked again
 * for anything not yet handled: nothing is lost. Writes are coalesced: when several
 * messages complete while a write is in flight, one write covers them all.
 *
 * A message the application reports as not processed (its promise rejects with an error
 * marked `unprocessed`: the order engine dropped it because its connection had gone)
 * is never counted, nor anything after it: the peer is asked for them again.
 *
 * An application that never settles must not block the session forever: settle()
 * waits a bounded time, then gives the pending messages up (they are never counted,
 * so the peer is asked for them again at the next logon).
 */
import type { SessionStore } from '../store/session-store'

interface Pending { readonly next: number, readonly done: Promise<unknown> | null }

export class TargetCommitter {
  private pending: Pending[] = []
  private running: Promise<void> | null = null
  private epoch = 0

  constructor (
    private readonly store: SessionStore,
    private readonly onStoreFailure: (e: Error) => void,
    private readonly onAppFailure: (e: unknown) => void
  ) {}

  /** The next expected number is `next` once `done` (if any) has settled. */
  advance (next: number, done: Promise<unknown> | null = null): void {
    // handled here even if it is given up (settle) before it settles: a rejection must
    // never go unhandled (it would end the process)
    done?.catch(() => {})
    this.pending.push({ next, done })
    if (this.running == null) {
      const run = this.drain(this.epoch)
      this.running = run
      void run.finally(() => { if (this.running === run) this.running = null })
    }
  }

  async flush (): Promise<void> {
    while (this.running != null) await this.running
  }

  /**
   * Wait for what is pending, at most timeoutMs. Returns false when messages were still
   * unhandled then: they are given up (never written).
   */
  async settle (timeoutMs: number): Promise<boolean> {
    let timer: NodeJS.Timeout | null = null
    const flushed = await Promise.race([
      this.flush().then(() => true),
      new Promise<boolean>((resolve) => { timer = setTimeout(() => resolve(false), timeoutMs) })
    ])
    if (timer != null) clearTimeout(timer)
    if (flushed) return true
    this.epoch++
    this.pending = []
    this.running = null
    return false
  }

  private async drain (epoch: number): Promise<void> {
    while (this.epoch === epoch && this.pending.length > 0) {
      const batch = this.pending.splice(0)
      let next = 0
      let stopped = false
      for (const p of batch) {
        if (p.done != null) {
          try {
            await p.done
          } catch (e) {
            if (isUnprocessed(e)) { stopped = true; break }
            this.onAppFailure(e)
          }
        }
        next = p.next
      }
      if (stopped) this.pending = []
      if (this.epoch !== epoch) return // given up while we waited: the store keeps its number
      // the engine's journal may have committed this far already, or further
      if (next <= this.store.nextTargetMsgSeqNum) continue
      try {
        await this.store.setNextTargetSeqNum(next)
      } catch (e) {
        this.pending = []
        this.onStoreFailure(e as Error)
        return
      }
    }
  }
}

/** An application error saying the message was not processed at all (see the class comment). */
export function isUnprocessed (e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { unprocessed?: unknown }).unprocessed === true
}
