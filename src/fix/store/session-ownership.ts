/**
 * One process owns a FIX session at a time. A running store holds a Postgres advisory
 * lock on its session for as long as it lives, on one dedicated connection per
 * database (not a pool connection: a session-level lock must not travel with a pooled
 * connection). The lock dies with the process, so after a kill -9 the next start takes
 * it over at once; a second gateway on the same database cannot run the same session
 * and corrupt its sequence numbers. `fixgw sessions` uses it to tell a live state from
 * the last one recorded by a process that is gone.
 */
import type { Knex } from 'knex'
import { Client } from 'pg'

/** First key of our advisory locks on FIX sessions (the second is hashtext(session_id)). */
export const SESSION_LOCK_CLASS = 72616002

export class SessionOwnedError extends Error {
  constructor (readonly sessionKey: string) {
    super(`FIX session ${sessionKey} is already run by another fixgw process on this database`)
    this.name = 'SessionOwnedError'
  }
}

export class SessionOwnership {
  private static readonly byDb = new WeakMap<Knex, SessionOwnership>()
  private client: Promise<Client> | null = null
  private readonly held = new Set<string>()

  private constructor (private readonly db: Knex) {}

  static of (db: Knex): SessionOwnership {
    let o = SessionOwnership.byDb.get(db)
    if (o == null) { o = new SessionOwnership(db); SessionOwnership.byDb.set(db, o) }
    return o
  }

  private async connection (): Promise<Client> {
    if (this.client == null) {
      const url = (this.db.client as { config: { connection: unknown } }).config.connection
      const c = new Client(typeof url === 'string' ? { connectionString: url } : url as object)
      c.on('error', () => { this.client = null }) // a lost connection loses the locks; the next claim reconnects
      this.client = c.connect().then(() => c)
      this.client.catch(() => { this.client = null })
    }
    return await this.client
  }

  /** Take the session or throw SessionOwnedError. */
  async claim (sessionKey: string): Promise<void> {
    if (this.held.has(sessionKey)) return
    const c = await this.connection()
    const r = await c.query('select pg_try_advisory_lock($1, hashtext($2)) as ok', [SESSION_LOCK_CLASS, sessionKey])
    if (r.rows[0].ok !== true) {
      await this.closeIfIdle(c)
      throw new SessionOwnedError(sessionKey)
    }
    this.held.add(sessionKey)
  }

  /** The connection keeps the process alive: close it when no lock is held. */
  private async closeIfIdle (c: Client): Promise<void> {
    if (this.held.size > 0) return
    this.client = null
    await c.end().catch(() => undefined)
  }

  async release (sessionKey: string): Promise<void> {
    if (!this.held.delete(sessionKey)) return
    const pending = this.client
    if (pending == null) return
    const c = await pending
    await c.query('select pg_advisory_unlock($1, hashtext($2))', [SESSION_LOCK_CLASS, sessionKey]).catch(() => undefined)
    await this.closeIfIdle(c)
  }
}

/** Whether a live process owns the session (a try-lock in a transaction, released at once). */
export async function isSessionOwned (db: Knex | Knex.Transaction, sessionKey: string): Promise<boolean> {
  const r = await db.raw('select pg_try_advisory_xact_lock(?, hashtext(?)) as free', [SESSION_LOCK_CLASS, sessionKey])
  return (r.rows[0] as { free: boolean }).free !== true
}
