/**
 * Everything we send goes through here, in order:
 *  - new messages are stored first and written after the store has committed them
 *    (messages queued while a store write is in flight are stored together in the next
 *    one: group commit, without reordering);
 *  - resent messages and gap fills are written without being stored again;
 *  - jobs (answering a ResendRequest) run in turn, so nothing new overtakes a resend.
 * A store failure stops the pipeline: nothing queued behind it is stored or written,
 * and `onFailure` decides what the session does next.
 */
import type { SessionStore, StoredMessage } from '../store/session-store'

export interface OutboundMessage extends StoredMessage {
  readonly bytes: Buffer
}

/** Where bytes go: the current connection. Returns false when the socket buffer is full. */
export interface ByteSink {
  write: (bytes: Buffer) => boolean
  drained: () => Promise<void>
}

/** Each item carries the connection it was meant for: a message queued just before a disconnect still reaches that connection. */
type Item =
  | { readonly kind: 'new', readonly msg: OutboundMessage, readonly sink: ByteSink | null }
  | { readonly kind: 'raw', readonly bytes: Buffer, readonly sink: ByteSink | null }
  | { readonly kind: 'job', readonly run: (sink: ByteSink) => Promise<void>, readonly sink: ByteSink | null }

const MAX_BATCH = 500

export class OutboundPipeline {
  private readonly items: Item[] = []
  private running: Promise<void> | null = null
  private failed = false

  constructor (
    private readonly store: SessionStore,
    private readonly onFailure: (e: Error) => void
  ) {}

  get isFailed (): boolean { return this.failed }

  send (msg: OutboundMessage, sink: ByteSink | null): void { this.push({ kind: 'new', msg, sink }) }
  sendUnstored (bytes: Buffer, sink: ByteSink | null): void { this.push({ kind: 'raw', bytes, sink }) }
  job (run: (sink: ByteSink) => Promise<void>, sink: ByteSink | null): void { this.push({ kind: 'job', run, sink }) }

  /** Resolves once everything queued so far has been handled (or dropped after a failure). */
  async flush (): Promise<void> {
    while (this.running != null) await this.running
  }

  /** Forget the failure (after the session has resynchronised with the store). */
  recover (): void {
    this.failed = false
  }

  private push (item: Item): void {
    if (this.failed) return
    this.items.push(item)
    this.kick()
  }

  private kick (): void {
    if (this.running != null) return
    this.running = this.drain().finally(() => {
      this.running = null
      // pushed after drain() found the queue empty but before this callback ran: it
      // would otherwise wait for the next message sent on the session
      if (this.items.length > 0 && !this.failed) this.kick()
    })
  }

  private async drain (): Promise<void> {
    while (this.items.length > 0 && !this.failed) {
      const first = this.items[0]
      try {
        if (first.kind === 'new') {
          let n = 0
          while (n < this.items.length && n < MAX_BATCH && this.items[n].kind === 'new') n++
          const batch = this.items.splice(0, n) as Array<Item & { kind: 'new' }>
          await this.store.appendOutbound(batch.map((i) => i.msg))
          for (const i of batch) i.sink?.write(i.msg.bytes)
        } else if (first.kind === 'raw') {
          this.items.shift()
          first.sink?.write(first.bytes)
        } else {
          this.items.shift()
          if (first.sink != null) await first.run(first.sink)
        }
      } catch (e) {
        this.failed = true
        this.items.length = 0
        this.onFailure(e as Error)
      }
    }
  }
}
