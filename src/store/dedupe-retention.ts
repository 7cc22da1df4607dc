/**
 * ClOrdID dedupe retention: a used ClOrdID is released `days` after it was used, and
 * only once its order is done (an open order's ClOrdIDs are how the client reaches it).
 * The running engine purges through its own store (PgJournalStore.purgeDedupe, same SQL)
 * so that its in-memory dedupe filter forgets exactly the keys deleted here.
 */
import type { Knex } from 'knex'

/** $1 client session, $2 days, $3 most rows; returns the released ClOrdIDs. */
export const PURGE_DEDUPE_SQL = `
  DELETE FROM client_order_ids WHERE ctid IN (
    SELECT c.ctid FROM client_order_ids c JOIN orders o ON o.order_id = c.order_id
    WHERE c.client_session = $1 AND c.created_at < now() - make_interval(days => $2::int)
      AND o.state IN ('Filled', 'Canceled', 'Rejected', 'Expired')
    LIMIT $3)
  RETURNING cl_ord_id`

/** Delete expired dedupe rows of one client session; returns how many. */
export async function purgeDedupe (db: Knex, clientSession: string, days: number): Promise<number> {
  const r = await db.raw(PURGE_DEDUPE_SQL.replace(/\$(\d)/g, '?'), [clientSession, Math.floor(days), 1_000_000_000])
  return r.rows.length
}
