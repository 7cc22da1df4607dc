/**
 * Busts and corrections: an execution row is 'active' until the broker busts it
 * (TradeCancel) or corrects it (TradeCorrect: a new 'active' row replaces it). Positions
 * and order quantities are recomputed from the active fills, in trade order.
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  await knex.schema.alterTable('executions', (t) => {
    t.text('status').notNullable().defaultTo('active') // active | busted | corrected
    t.bigInteger('corrects_id') // for a correction: the id of the execution it replaces
    t.text('account') // the order's account and symbol at fill time: positions group on them
    t.text('symbol')
    t.string('side', 1)
    t.index(['account', 'symbol'])
  })
  // Backfill the trade columns from the orders of existing rows.
  await knex.raw(`UPDATE executions e SET account = coalesce(o.account, ''), symbol = o.symbol, side = o.side
                  FROM orders o WHERE o.order_id = e.order_id`)
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.alterTable('executions', (t) => {
    t.dropIndex(['account', 'symbol'])
    t.dropColumns('status', 'corrects_id', 'account', 'symbol', 'side')
  })
}
