/**
 * Operator views and actions on the FIX session store: what `fixgw sessions` lists and
 * what `fixgw set-seqnum` changes. A running gateway re-reads a session's numbers from
 * Postgres at every logon, so a change made while the session is not logged on is
 * taken at its next logon; a change while it is logged on is refused.
 */
import type { Knex } from 'knex'
import { isSessionOwned } from './session-ownership'

export interface FixSessionRow {
  readonly sessionId: string
  readonly name: string | null
  /** live state when a process runs the session; 'offline' otherwise */
  readonly state: string
  /** what the last process to run it recorded */
  readonly lastState: string
  readonly stateChangedAt: Date | null
  readonly nextSenderSeqNum: number
  readonly nextTargetSeqNum: number
  readonly creationTime: Date
  readonly running: boolean
}

interface Row { session_id: string, session_name: string | null, state: string, state_changed_at: Date | null, next_sender_seq_num: number, next_target_seq_num: number, creation_time: Date }

export async function listFixSessions (db: Knex): Promise<FixSessionRow[]> {
  const rows: Row[] = await db('fix_sessions').select('*').orderBy('session_id')
  const out: FixSessionRow[] = []
  for (const r of rows) {
    const running = await db.transaction(async (trx) => await isSessionOwned(trx, r.session_id))
    out.push({
      sessionId: r.session_id,
      name: r.session_name,
      state: running ? r.state : 'offline',
      lastState: r.state,
      stateChangedAt: r.state_changed_at == null ? null : new Date(r.state_changed_at),
      nextSenderSeqNum: r.next_sender_seq_num,
      nextTargetSeqNum: r.next_target_seq_num,
      creationTime: new Date(r.creation_time),
      running
    })
  }
  return out
}

export class SeqNumChangeRefused extends Error {}

/**
 * Set the next sequence numbers of a session that is not logged on. Stored messages at
 * or above a new next sender number are dropped (they could never be resent correctly).
 */
export async function setNextSeqNums (db: Knex, sessionId: string, next: { sender?: number, target?: number }): Promise<{ sender: number, target: number }> {
  return await db.transaction(async (trx) => {
    const row: Row | undefined = await trx('fix_sessions').where({ session_id: sessionId }).forUpdate().first()
    if (row == null) throw new SeqNumChangeRefused(`no FIX session ${sessionId} in the store (it is created at the gateway's first start)`)
    if (await isSessionOwned(trx, sessionId) && row.state !== 'disconnected') {
      throw new SeqNumChangeRefused(`FIX session ${sessionId} is ${row.state.replace('_', ' ')}: log it out (or stop the gateway) first`)
    }
    const update: Record<string, unknown> = { updated_at: trx.fn.now() }
    if (next.sender != null) update.next_sender_seq_num = next.sender
    if (next.target != null) update.next_target_seq_num = next.target
    await trx('fix_sessions').where({ session_id: sessionId }).update(update)
    if (next.sender != null) await trx('fix_messages').where({ session_id: sessionId }).andWhere('seq_num', '>=', next.sender).delete()
    return { sender: next.sender ?? row.next_sender_seq_num, target: next.target ?? row.next_target_seq_num }
  })
}
