/**
 * Ordering of inbound work without a global lock. A job names the keys it touches
 * (an order's ClOrdID chain, the "new orders" lane...); it starts after every earlier
 * job that shares a key has finished, and runs alongside jobs that share none. A
 * barrier job (a mass cancel) waits for everything before it, and everything after it
 * waits for the barrier.
 *
 * This keeps FIX's ordering promise where it matters (a cancel never overtakes its
 * order; new orders are risk-checked in the order they were sent) while a slow command
 * on one order does not hold up commands on others. The database row lock and version
 * check remain the real guard for one order touched from two sides.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>()
  private readonly inflight = new Set<Promise<void>>()
  private barrier: Promise<void> = Promise.resolve()

  constructor (private readonly onError: (e: unknown) => void) {}

  /** Run `work` after earlier jobs on any of `keys`; 'all' makes it a barrier. Resolves when it has run. */
  push (keys: readonly string[] | 'all', work: () => Promise<void>): Promise<void> {
    const before = keys === 'all'
      ? [this.barrier, ...this.inflight]
      : [this.barrier, ...keys.map((k) => this.tails.get(k)).filter((p): p is Promise<void> => p != null)]
    const job = Promise.all(before).then(work).catch(this.onError)
    this.inflight.add(job)
    void job.then(() => this.inflight.delete(job))
    if (keys === 'all') {
      this.barrier = job
      this.tails.clear() // everything after waits on the barrier anyway
      return job
    }
    for (const k of keys) {
      this.tails.set(k, job)
      void job.then(() => { if (this.tails.get(k) === job) this.tails.delete(k) })
    }
    return job
  }

  /** Resolves when every job pushed so far has finished. */
  async drain (): Promise<void> {
    while (this.inflight.size > 0) await Promise.all([...this.inflight])
  }
}

/**
 * ClOrdID chains of one client session: every ClOrdID maps to the first one of its
 * order, so F/G/H naming any link of the chain line up behind the same key. Bounded:
 * when it grows past `max` entries it starts over (older chains then fall back to
 * their own ClOrdID as key, and the database lock keeps them correct).
 */
export class ChainKeys {
  private readonly root = new Map<string, string>()

  constructor (private readonly max = 200_000) {}

  /** Key of an order named by ClOrdID (or OrderID when that is all we have). */
  of (clOrdId: string | null, orderId: string | null = null): string {
    if (clOrdId != null) return `c:${this.root.get(clOrdId) ?? clOrdId}`
    return `o:${orderId ?? ''}`
  }

  /** Record that `next` continues the chain of `prev` (a cancel or replace). */
  link (next: string, prev: string | null): void {
    if (this.root.size >= this.max) this.root.clear()
    this.root.set(next, prev == null ? next : this.root.get(prev) ?? prev)
  }
}

/** One KeyedQueue per FIX session, created on first use; sessions never wait on each other. */
export class SessionQueues {
  private readonly queues = new Map<string, KeyedQueue>()

  constructor (private readonly onError: (session: string, e: unknown) => void) {}

  of (session: string): KeyedQueue {
    let q = this.queues.get(session)
    if (q == null) {
      q = new KeyedQueue((e) => this.onError(session, e))
      this.queues.set(session, q)
    }
    return q
  }

  /** Resolves when every job of every session pushed so far has finished. */
  async drain (): Promise<void> {
    await Promise.all([...this.queues.values()].map(async (q) => await q.drain()))
  }
}
