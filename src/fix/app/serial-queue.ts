/**
 * Runs async work one item at a time, in arrival order. FIX messages of one session
 * must be applied in sequence (a cancel right behind its order), while the session's
 * socket keeps delivering; each session gets one queue.
 */
export class SerialQueue {
  private tail: Promise<void> = Promise.resolve()

  constructor (private readonly onError: (e: unknown) => void) {}

  push (work: () => Promise<void>): void {
    this.tail = this.tail.then(work).catch(this.onError)
  }

  /** Resolves when everything queued so far has run. */
  async drain (): Promise<void> { await this.tail }
}

/** One SerialQueue per session name; sessions never wait on each other. */
export class SessionQueues {
  private readonly queues = new Map<string, SerialQueue>()

  constructor (private readonly onError: (session: string, e: unknown) => void) {}

  push (session: string, work: () => Promise<void>): void {
    let q = this.queues.get(session)
    if (q == null) {
      q = new SerialQueue((e) => this.onError(session, e))
      this.queues.set(session, q)
    }
    q.push(work)
  }

  async drain (): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => await q.drain()))
  }
}
