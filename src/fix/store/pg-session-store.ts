/**
 * The FIX session store on Postgres (tables fix_sessions, fix_messages): both sequence
 * numbers and every message we sent, per session. It is our SessionStore and also a
 * jspurefix IFixSessionStore.
 *
 *  - The synchronous getters serve a cache loaded by initialize()/refresh() and moved
 *    only after a write has committed: they never run ahead of Postgres.
 *  - Writes run one at a time, in call order (one chain), so a reset can never land in
 *    the middle of a batch of messages.
 *  - appendOutbound() inserts the messages and moves next_sender_seq_num in one
 *    transaction: the session writes bytes only once it has resolved.
 *  - A failed write rejects the caller's promise (the session stops) and is reported
 *    to `onFailure` for the log. Nothing is swallowed.
 */
import type { Knex } from 'knex'
import { FixMsgStoreRecord } from '../jspurefix'
import type { IFixMsgStoreRecord, IFixSessionStore, IFixSessionStoreFactory, SessionId } from '../jspurefix'
import { sessionKey, type SessionIdentity, type SessionStore, type SessionStoreState, type StoredMessage } from './session-store'
import { SessionOwnership } from './session-ownership'

export { sessionKey } from './session-store'

interface SessionRow { next_sender_seq_num: number, next_target_seq_num: number, creation_time: Date | string }

export class PgSessionStore implements SessionStore, IFixSessionStore {
  readonly sessionKey: string
  private sender = 1
  private target = 1
  private created = new Date()
  private chain: Promise<unknown> = Promise.resolve()

  constructor (
    private readonly db: Knex,
    private readonly identity: SessionIdentity,
    private readonly onFailure: (e: Error) => void = () => {}
  ) {
    this.sessionKey = sessionKey(identity)
  }

  // ---- cache -------------------------------------------------------------------------
  get nextSenderMsgSeqNum (): number { return this.sender }
  get nextTargetMsgSeqNum (): number { return this.target }
  get creationTime (): Date { return this.created }

  private load (row: SessionRow): void {
    this.sender = row.next_sender_seq_num
    this.target = row.next_target_seq_num
    this.created = new Date(row.creation_time)
  }

  /** Run writes one at a time in call order; a failure rejects this call only. */
  private async write<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn)
    this.chain = run.catch(() => {})
    try {
      return await run
    } catch (e) {
      this.onFailure(e as Error)
      throw e
    }
  }

  // ---- SessionStore ------------------------------------------------------------------
  /** Claim the session for this process (SessionOwnedError if another runs it), create its row, load the cache. */
  async initialize (): Promise<void> {
    await SessionOwnership.of(this.db).claim(this.sessionKey)
    await this.write(async () => {
      await this.db('fix_sessions').insert({ session_id: this.sessionKey, session_name: this.identity.name })
        .onConflict('session_id').merge(['session_name'])
      this.load(await this.db('fix_sessions').where({ session_id: this.sessionKey }).first())
    })
  }

  async refresh (state?: SessionStoreState): Promise<void> {
    await this.write(async () => {
      await this.db.transaction(async (trx) => {
        const row = await trx('fix_sessions').where({ session_id: this.sessionKey }).forUpdate().first()
        if (row == null) throw new Error(`fix_sessions has no row for ${this.sessionKey}`)
        if (state != null) await trx('fix_sessions').where({ session_id: this.sessionKey }).update({ state, state_changed_at: trx.fn.now() })
        this.load(row)
      })
    })
  }

  async appendOutbound (messages: readonly StoredMessage[]): Promise<void> {
    if (messages.length === 0) return
    const next = messages[messages.length - 1].seqNum + 1
    await this.write(async () => {
      await this.db.transaction(async (trx) => {
        await trx('fix_messages')
          .insert(messages.map((m) => ({ session_id: this.sessionKey, seq_num: m.seqNum, msg_type: m.msgType, sent_at: m.sentAt, raw: m.raw })))
          .onConflict(['session_id', 'seq_num']).merge()
        await trx('fix_sessions').where({ session_id: this.sessionKey })
          .update({ next_sender_seq_num: trx.raw('GREATEST(next_sender_seq_num, ?)', [next]), updated_at: trx.fn.now() })
      })
      this.sender = Math.max(this.sender, next)
    })
  }

  async setNextSenderSeqNum (next: number): Promise<void> {
    await this.write(async () => {
      await this.db('fix_sessions').where({ session_id: this.sessionKey }).update({ next_sender_seq_num: next, updated_at: this.db.fn.now() })
      this.sender = next
    })
  }

  async setNextTargetSeqNum (next: number): Promise<void> {
    await this.write(async () => {
      await this.db('fix_sessions').where({ session_id: this.sessionKey })
        .update({ next_target_seq_num: this.db.raw('GREATEST(next_target_seq_num, ?)', [next]), updated_at: this.db.fn.now() })
      this.target = Math.max(this.target, next)
    })
  }

  noteDurable (nextSender: number | null, nextTarget: number | null): void {
    if (nextSender != null) this.sender = Math.max(this.sender, nextSender)
    if (nextTarget != null) this.target = Math.max(this.target, nextTarget)
  }

  async * readRange (begin: number, end: number, chunkSize: number): AsyncIterable<StoredMessage[]> {
    let from = begin
    while (from <= end) {
      const rows: Array<{ seq_num: number, msg_type: string, raw: string, sent_at: Date }> = await this.db('fix_messages')
        .where({ session_id: this.sessionKey }).andWhere('seq_num', '>=', from).andWhere('seq_num', '<=', end)
        .orderBy('seq_num').limit(chunkSize)
      if (rows.length === 0) return
      yield rows.map((r) => ({ seqNum: r.seq_num, msgType: r.msg_type, raw: r.raw, sentAt: new Date(r.sent_at) }))
      from = rows[rows.length - 1].seq_num + 1
    }
  }

  async reset (): Promise<void> {
    await this.write(async () => {
      const created = new Date()
      await this.db.transaction(async (trx) => {
        await trx('fix_messages').where({ session_id: this.sessionKey }).delete()
        await trx('fix_sessions').where({ session_id: this.sessionKey })
          .update({ next_sender_seq_num: 1, next_target_seq_num: 1, creation_time: created, updated_at: trx.fn.now() })
      })
      this.sender = 1
      this.target = 1
      this.created = created
    })
  }

  async recordState (state: SessionStoreState): Promise<void> {
    await this.write(async () => {
      await this.db('fix_sessions').where({ session_id: this.sessionKey }).update({ state, state_changed_at: this.db.fn.now() })
    })
  }

  /** Let pending writes finish, then give the session up. */
  async dispose (): Promise<void> {
    await this.chain
    await SessionOwnership.of(this.db).release(this.sessionKey)
  }

  // ---- jspurefix IFixSessionStore ----------------------------------------------------
  get sessionId (): SessionId {
    return { beginString: this.identity.beginString, senderCompID: this.identity.senderCompId, targetCompID: this.identity.targetCompId } as unknown as SessionId
  }

  get senderSeqNum (): number { return this.sender }
  get targetSeqNum (): number { return this.target }
  async setSenderSeqNum (value: number): Promise<void> { await this.setNextSenderSeqNum(value) }
  async setTargetSeqNum (value: number): Promise<void> { await this.setNextTargetSeqNum(value) }
  async nextSenderSeqNum (): Promise<number> { await this.setNextSenderSeqNum(this.sender + 1); return this.sender }
  async nextTargetSeqNum (): Promise<number> { await this.setNextTargetSeqNum(this.target + 1); return this.target }

  async put (record: IFixMsgStoreRecord): Promise<void> {
    await this.appendOutbound([{ seqNum: record.seqNum, msgType: record.msgType, raw: record.encoded ?? '', sentAt: record.timestamp }])
  }

  async get (seqNum: number): Promise<IFixMsgStoreRecord | null> {
    return (await this.getRange(seqNum, seqNum))[0] ?? null
  }

  async getRange (fromSeqNum: number, toSeqNum: number): Promise<IFixMsgStoreRecord[]> {
    const out: IFixMsgStoreRecord[] = []
    for await (const chunk of this.readRange(fromSeqNum, toSeqNum, 1000)) {
      for (const m of chunk) out.push(new FixMsgStoreRecord(m.msgType, m.sentAt, m.seqNum, undefined, m.raw))
    }
    return out
  }

  async flush (): Promise<void> { await this.chain }
}

export class PgSessionStoreFactory implements IFixSessionStoreFactory {
  constructor (private readonly db: Knex, private readonly onFailure: (key: string, e: Error) => void = () => {}) {}

  /** Our factory: the session's name is recorded with its row. */
  open (id: SessionIdentity): PgSessionStore {
    return new PgSessionStore(this.db, id, (e) => this.onFailure(sessionKey(id), e))
  }

  /** jspurefix's factory interface. */
  create (sessionId: SessionId): IFixSessionStore {
    return this.open({ beginString: sessionId.beginString, senderCompId: sessionId.senderCompID, targetCompId: sessionId.targetCompID, name: sessionId.toString() })
  }
}
