/** ClOrdID retention on real Postgres: only old ClOrdIDs of finished orders are released. */
import { expect } from 'chai'
import type { Knex } from 'knex'
import { createKnex, migrateLatest } from '../../src/db/knex'
import { purgeDedupe } from '../../src/store/dedupe-retention'
import { createTestDatabase, type TestDatabase } from '../support/test-db'

describe('ClOrdID dedupe retention', () => {
  let tdb: TestDatabase
  let db: Knex
  before(async () => {
    tdb = await createTestDatabase()
    db = createKnex(tdb.url)
    await migrateLatest(db)
    const order = (id: string, state: string): Record<string, unknown> =>
      ({ order_id: id, client_session: 'c1', cl_ord_id: id, symbol: 'IBM', side: '1', ord_type: '1', order_qty: '1', leaves_qty: '0', state, ord_status: '2' })
    await db('orders').insert([order('DONE-OLD', 'Filled'), order('OPEN-OLD', 'New'), order('DONE-NEW', 'Canceled'), order('OTHER', 'Filled')])
    await db('client_order_ids').insert([
      { client_session: 'c1', cl_ord_id: 'DONE-OLD', order_id: 'DONE-OLD', kind: 'new', created_at: db.raw("now() - interval '3 days'") },
      { client_session: 'c1', cl_ord_id: 'OPEN-OLD', order_id: 'OPEN-OLD', kind: 'new', created_at: db.raw("now() - interval '3 days'") },
      { client_session: 'c1', cl_ord_id: 'DONE-NEW', order_id: 'DONE-NEW', kind: 'new', created_at: db.raw("now() - interval '1 hour'") },
      { client_session: 'c2', cl_ord_id: 'OTHER', order_id: 'OTHER', kind: 'new', created_at: db.raw("now() - interval '3 days'") }
    ])
  })
  after(async () => { await db?.destroy(); await tdb?.drop() })

  it('releases ClOrdIDs older than the window whose order is done, in that session only', async () => {
    expect(await purgeDedupe(db, 'c1', 2)).to.equal(1)
    const left = await db('client_order_ids').orderBy('cl_ord_id').pluck('cl_ord_id')
    expect(left).to.deep.equal(['DONE-NEW', 'OPEN-OLD', 'OTHER'])
  })

  it('keeps everything within the window', async () => {
    expect(await purgeDedupe(db, 'c1', 5)).to.equal(0)
  })
})
