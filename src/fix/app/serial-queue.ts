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
