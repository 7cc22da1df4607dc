/**
 * Order lifecycle: the one pending cancel/replace an order may have, the broker
 * ClOrdID chain, and the kill switches (their state must survive restarts).
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.text('broker_cl_ord_id') // last ClOrdID the broker accepted: OrigClOrdID of our next cancel/replace
    t.text('pending_kind') // cancel | replace | null
    t.text('pending_cl_ord_id') // the client's ClOrdID of that request (null for a mass cancel)
    t.text('pending_broker_cl_ord_id') // our ClOrdID of it toward the broker
    t.specificType('pending_order_qty', 'numeric')
    t.specificType('pending_price', 'numeric')
    t.specificType('pending_stop_px', 'numeric')
    t.string('pending_time_in_force', 1)
    t.index(['client_session', 'symbol'])
  })
  // Daily realized P&L for the loss limit: realized_pnl minus its value when the UTC day began.
  await knex.schema.alterTable('positions', (t) => {
    t.date('pnl_day')
    t.specificType('realized_pnl_day_start', 'numeric').notNullable().defaultTo(0)
  })
  await knex.schema.createTable('kill_switches', (t) => {
    t.text('scope').primary() // 'global' or 'session:<name>'
    t.boolean('active').notNullable()
    t.text('reason')
    t.text('updated_by').notNullable()
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.dropTable('kill_switches')
  await knex.schema.alterTable('positions', (t) => { t.dropColumns('pnl_day', 'realized_pnl_day_start') })
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['client_session', 'symbol'])
    t.dropColumns('broker_cl_ord_id', 'pending_kind', 'pending_cl_ord_id', 'pending_broker_cl_ord_id',
      'pending_order_qty', 'pending_price', 'pending_stop_px', 'pending_time_in_force')
  })
}
