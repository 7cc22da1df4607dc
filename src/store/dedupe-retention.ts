/**
 * ClOrdID dedupe retention: a used ClOrdID is released `days` after it was used, and
 * only once its order is done (an open order's ClOrdIDs are how the client reaches it).
 */
import type { Knex } from 'knex'

const DONE = ['Filled', 'Canceled', 'Rejected', 'Expired']

/** Delete expired dedupe rows of one client session; returns how many. */
export async function purgeDedupe (db: Knex, clientSession: string, days: number): Promise<number> {
  return await db('client_order_ids')
    .where({ client_session: clientSession })
    .andWhere('created_at', '<', db.raw(`now() - make_interval(days => ${Math.floor(days)})`))
    .whereIn('order_id', db('orders').select('order_id').whereIn('state', DONE))
    .delete()
}
