/**
 * jspurefix IFixSessionStore on Postgres: next sender/target sequence numbers and every
 * sent message, per FIX session (table fix_sessions / fix_messages).
 *
 * The getters are synchronous in jspurefix's interface, so they serve a cache loaded at
 * initialize(). jspurefix calls the async setters without awaiting them; we chain every
 * write on one promise so they reach Postgres in call order, and a failed write is
 * reported through `onFailure` (the session owner stops the session) — never only logged.
 */
import type { Knex } from 'knex'
import { FixMsgStoreRecord } from '../jspurefix'
import type { IFixMsgStoreRecord, IFixSessionStore, IFixSessionStoreFactory, SessionId } from '../jspurefix'

export function sessionKey (id: SessionId): string {
  return `${id.beginString}:${id.senderCompID}->${id.targetCompID}`
}

export class PgSessionStore implements IFixSessionStore {
  private sender = 1
  private target = 1
  private created = new Date()
  private chain: Promise<void> = Promise.resolve()
  private readonly key: string

  constructor (
    private readonly db: Knex,
    public readonly sessionId: SessionId,
    private readonly onFailure: (e: Error) => void = () => {}
  ) {
    this.key = sessionKey(sessionId)
  }

  get senderSeqNum (): number { return this.sender }
  get targetSeqNum (): number { return this.target }
  get creationTime (): Date { return this.created }

  /** Queue a write; writes run one at a time in call order. */
  private write (fn: () => Promise<unknown>): Promise<void> {
    const next = this.chain.then(async () => { await fn() })
    this.chain = next.catch((e: Error) => { this.onFailure(e) })
    return next
  }

  async initialize (): Promise<void> {
    await this.db('fix_sessions').insert({ session_id: this.key }).onConflict('session_id').ignore()
    const row = await this.db('fix_sessions').where({ session_id: this.key }).first()
    this.sender = row.next_sender_seq_num
    this.target = row.next_target_seq_num
    this.created = new Date(row.creation_time)
  }

  async setSenderSeqNum (value: number): Promise<void> {
    this.sender = value
    await this.write(() => this.db('fix_sessions').where({ session_id: this.key })
      .update({ next_sender_seq_num: value, updated_at: this.db.fn.now() }))
  }

  async setTargetSeqNum (value: number): Promise<void> {
    this.target = value
    await this.write(() => this.db('fix_sessions').where({ session_id: this.key })
      .update({ next_target_seq_num: value, updated_at: this.db.fn.now() }))
  }

  async nextSenderSeqNum (): Promise<number> {
    await this.setSenderSeqNum(this.sender + 1)
    return this.sender
  }

  async nextTargetSeqNum (): Promise<number> {
    await this.setTargetSeqNum(this.target + 1)
    return this.target
  }

  async reset (): Promise<void> {
    this.sender = 1
    this.target = 1
    this.created = new Date()
    await this.write(() => this.db.transaction(async (trx) => {
      await trx('fix_messages').where({ session_id: this.key }).delete()
      await trx('fix_sessions').where({ session_id: this.key })
        .update({ next_sender_seq_num: 1, next_target_seq_num: 1, creation_time: this.created, updated_at: trx.fn.now() })
    }))
  }

  async put (record: IFixMsgStoreRecord): Promise<void> {
    const raw = record.encoded ?? ''
    await this.write(() => this.db('fix_messages')
      .insert({ session_id: this.key, seq_num: record.seqNum, msg_type: record.msgType, sent_at: record.timestamp, raw })
      .onConflict(['session_id', 'seq_num']).merge())
  }

  async get (seqNum: number): Promise<IFixMsgStoreRecord | null> {
    const rows = await this.getRange(seqNum, seqNum)
    return rows[0] ?? null
  }

  async getRange (fromSeqNum: number, toSeqNum: number): Promise<IFixMsgStoreRecord[]> {
    await this.chain
    const rows = await this.db('fix_messages').where({ session_id: this.key })
      .whereBetween('seq_num', [fromSeqNum, toSeqNum]).orderBy('seq_num')
    return rows.map((r: { msg_type: string, sent_at: Date, seq_num: number, raw: string }) =>
      new FixMsgStoreRecord(r.msg_type, new Date(r.sent_at), r.seq_num, undefined, r.raw))
  }

  async flush (): Promise<void> { await this.chain }
  async dispose (): Promise<void> { await this.chain }
}

export class PgSessionStoreFactory implements IFixSessionStoreFactory {
  constructor (private readonly db: Knex, private readonly onFailure: (id: SessionId, e: Error) => void) {}
  create (sessionId: SessionId): IFixSessionStore {
    return new PgSessionStore(this.db, sessionId, (e) => this.onFailure(sessionId, e))
  }
}
