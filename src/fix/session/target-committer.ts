/**
 * Moves the durable "next expected" number only past messages that are fully handled:
 * a message the application handles asynchronously (an order committed to the OMS)
 * counts once its promise settles. After a crash the peer is therefore asked again
 * for anything not yet handled: nothing is lost. Writes are coalesced: when several
 * messages complete while a write is in flight, one write covers them all.
 */
import type { SessionStore } from '../store/session-store'

interface Pending { readonly next: number, readonly done: Promise<unknown> | null }

export class TargetCommitter {
  private readonly pending: Pending[] = []
  private running: Promise<void> | null = null

  constructor (
    private readonly store: SessionStore,
    private readonly onStoreFailure: (e: Error) => void,
    private readonly onAppFailure: (e: unknown) => void
  ) {}

  /** The next expected number is `next` once `done` (if any) has settled. */
  advance (next: number, done: Promise<unknown> | null = null): void {
    this.pending.push({ next, done })
    if (this.running == null) this.running = this.drain().finally(() => { this.running = null })
  }

  async flush (): Promise<void> {
    while (this.running != null) await this.running
  }

  private async drain (): Promise<void> {
    while (this.pending.length > 0) {
      const batch = this.pending.splice(0)
      let next = 0
      for (const p of batch) {
        if (p.done != null) {
          try { await p.done } catch (e) { this.onAppFailure(e) }
        }
        next = p.next
      }
      if (next === this.store.nextTargetMsgSeqNum) continue
      try {
        await this.store.setNextTargetSeqNum(next)
      } catch (e) {
        this.pending.length = 0
        this.onStoreFailure(e as Error)
        return
      }
    }
  }
}
