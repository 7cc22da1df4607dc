/**
 * The kill switch listener on real PostgreSQL (src/store/kill-switch-listener.ts): the
 * running engine learns of every change to kill_switches, whoever makes it, and after a
 * lost connection it reconnects by itself and reads the full list again, so a change
 * made while it was away is not missed.
 */
import { expect } from 'chai'
import type { Knex } from 'knex'
import pino from 'pino'
import { createKnex, migrateLatest } from '../../../src/db/knex'
import { KillSwitchListener, type KillSwitchUpdate } from '../../../src/store/kill-switch-listener'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'

async function until (what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('engine kill switch listener on PostgreSQL', () => {
  let tdb: TestDatabase
  let db: Knex
  let listener: KillSwitchListener
  const updates: KillSwitchUpdate[] = []
  /** the switches as the engine would hold them */
  const active = new Set<string>()
  const apply = (u: KillSwitchUpdate): void => {
    updates.push(u)
    if (u.kind === 'all') { active.clear(); for (const s of u.active) active.add(s) } else if (u.active) active.add(u.scope); else active.delete(u.scope)
  }

  before(async () => {
    tdb = await createTestDatabase()
    db = createKnex(tdb.url)
    await migrateLatest(db)
    await db('kill_switches').insert({ scope: 'global', active: true, updated_by: 'test' })
    listener = new KillSwitchListener(tdb.url, apply, pino({ level: 'silent' }))
    await listener.start()
  })
  after(async () => { await listener?.stop(); await db?.destroy(); await tdb?.drop() })

  it('starts from the switches active in the table', () => {
    expect(updates[0]).to.deep.equal({ kind: 'all', active: ['global'] })
    expect([...active]).to.deep.equal(['global'])
  })

  it('hears inserts, updates and deletes made by anyone, at once', async () => {
    await db('kill_switches').insert({ scope: 'session:alpha', active: true, updated_by: 'psql' })
    await until('session:alpha on', () => active.has('session:alpha'))
    await db('kill_switches').where({ scope: 'global' }).update({ active: false })
    await until('global off', () => !active.has('global'))
    await db('kill_switches').where({ scope: 'session:alpha' }).delete()
    await until('session:alpha gone', () => !active.has('session:alpha'))
    expect(updates.slice(1)).to.deep.equal([
      { kind: 'one', scope: 'session:alpha', active: true },
      { kind: 'one', scope: 'global', active: false },
      { kind: 'one', scope: 'session:alpha', active: false }
    ])
  })

  it('reconnects after its connection is killed and reads the list again, catching a change made meanwhile', async function () {
    this.timeout(15_000)
    const n = updates.length
    const killed = await db.raw("SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE datname = current_database() AND query = 'SELECT scope FROM kill_switches WHERE active'")
    expect(killed.rows.length).to.equal(1)
    await db('kill_switches').insert({ scope: 'session:beta', active: true, updated_by: 'psql' })
    await until('the full list again', () => updates.slice(n).some((u) => u.kind === 'all'))
    expect(active.has('session:beta')).to.equal(true)
    // and it listens again
    await db('kill_switches').where({ scope: 'session:beta' }).update({ active: false })
    await until('session:beta off', () => !active.has('session:beta'))
  })
})
