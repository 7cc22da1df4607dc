/** The Postgres FIX session store on a real database: commit-then-cache, chunked reads, failures, ownership. */
import { expect } from 'chai'
import type { Knex } from 'knex'
import { createKnex, migrateLatest } from '../../../src/db/knex'
import { PgSessionStore } from '../../../src/fix/store/pg-session-store'
import { SessionOwnedError } from '../../../src/fix/store/session-ownership'
import type { StoredMessage } from '../../../src/fix/store/session-store'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

const ID = { beginString: 'FIX.4.4', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', name: 'client1' }
const msg = (seqNum: number, msgType = '8'): StoredMessage => ({ seqNum, msgType, raw: `8=FIX.4.4\x0135=${msgType}\x0134=${seqNum}\x01`, sentAt: new Date() })

describe('PgSessionStore (Postgres message store)', function () {
  this.timeout(30000)
  let tdb: TestDatabase
  let db: Knex
  const stores: PgSessionStore[] = []
  const open = async (d: Knex = db): Promise<PgSessionStore> => {
    const s = new PgSessionStore(d, ID)
    stores.push(s)
    await s.initialize()
    return s
  }

  before(async () => {
    tdb = await createTestDatabase()
    db = createKnex(tdb.url)
    await migrateLatest(db)
  })
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.dispose()
    await db('fix_messages').delete()
    await db('fix_sessions').delete()
  })
  after(async () => {
    await db?.destroy()
    await tdb?.drop()
  })

  it('creates the session at 1/1 and loads the durable numbers into its cache at initialize', async () => {
    const s = await open()
    expect([s.nextSenderMsgSeqNum, s.nextTargetMsgSeqNum]).to.deep.equal([1, 1])
    await s.appendOutbound([msg(1), msg(2)])
    await s.setNextTargetSeqNum(9)
    await s.dispose()
    const again = await open()
    expect([again.nextSenderMsgSeqNum, again.nextTargetMsgSeqNum]).to.deep.equal([3, 9])
    const row = await db('fix_sessions').where({ session_id: 'FIX.4.4:FIXGW->CLIENT1' }).first()
    expect(row.session_name).to.equal('client1')
  })

  it('stores messages and the next sender number in one step', async () => {
    const s = await open()
    await s.appendOutbound([msg(1, 'A'), msg(2), msg(3)])
    const rows = await db('fix_messages').orderBy('seq_num')
    expect(rows.map((r: { seq_num: number, msg_type: string }) => `${r.seq_num}${r.msg_type}`)).to.deep.equal(['1A', '28', '38'])
    expect((await db('fix_sessions').first()).next_sender_seq_num).to.equal(4)
  })

  it('reads a large range back in bounded chunks, in order', async () => {
    const s = await open()
    const all = Array.from({ length: 1200 }, (_, i) => msg(i + 1))
    await s.appendOutbound(all)
    const chunks: number[] = []
    const seen: number[] = []
    for await (const chunk of s.readRange(2, 1150, 500)) {
      chunks.push(chunk.length)
      seen.push(...chunk.map((m) => m.seqNum))
    }
    expect(chunks).to.deep.equal([500, 500, 149])
    expect(seen[0]).to.equal(2)
    expect(seen[seen.length - 1]).to.equal(1150)
    expect(seen.every((v, i) => i === 0 || v === seen[i - 1] + 1)).to.equal(true)
  })

  it('rejects a failed write and keeps its cache at what Postgres holds', async () => {
    const s = await open()
    await s.appendOutbound([msg(1)])
    await db.raw('ALTER TABLE fix_messages RENAME TO fix_messages_gone')
    try {
      let failed = false
      try { await s.appendOutbound([msg(2)]) } catch { failed = true }
      expect(failed).to.equal(true)
      expect(s.nextSenderMsgSeqNum).to.equal(2)
      expect((await db('fix_sessions').first()).next_sender_seq_num).to.equal(2)
    } finally {
      await db.raw('ALTER TABLE fix_messages_gone RENAME TO fix_messages')
    }
    await s.appendOutbound([msg(2)]) // writes go on once the database is back
    expect(s.nextSenderMsgSeqNum).to.equal(3)
  })

  it('resets both numbers and drops the stored messages', async () => {
    const s = await open()
    await s.appendOutbound([msg(1), msg(2)])
    await s.setNextTargetSeqNum(5)
    const before = s.creationTime
    await new Promise((resolve) => setTimeout(resolve, 5))
    await s.reset()
    expect([s.nextSenderMsgSeqNum, s.nextTargetMsgSeqNum]).to.deep.equal([1, 1])
    expect(s.creationTime.getTime()).to.be.greaterThan(before.getTime())
    expect(await db('fix_messages').count('* as n').first()).to.deep.equal({ n: '0' })
  })

  it('re-reads numbers an operator changed, and records the state it is given', async () => {
    const s = await open()
    await db('fix_sessions').update({ next_sender_seq_num: 40, next_target_seq_num: 30 })
    await s.refresh('connected')
    expect([s.nextSenderMsgSeqNum, s.nextTargetMsgSeqNum]).to.deep.equal([40, 30])
    expect((await db('fix_sessions').first()).state).to.equal('connected')
  })

  it('belongs to one process at a time: a second claim on the session fails until the first lets go', async () => {
    const other = createKnex(tdb.url)
    try {
      const s = await open()
      let error: unknown = null
      try { await open(other) } catch (e) { error = e }
      expect(error).to.be.instanceOf(SessionOwnedError)
      await s.dispose()
      stores.splice(stores.indexOf(s), 1)
      const taken = await open(other)
      await taken.dispose()
      stores.splice(stores.indexOf(taken), 1)
    } finally {
      await other.destroy()
    }
  })
})
