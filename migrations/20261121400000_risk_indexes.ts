/**
 * Indexes for the risk checks' reads in each order's transaction: the last fill in a
 * symbol (reference price) and the open quantity of an account in a symbol.
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  await knex.schema.alterTable('executions', (t) => { t.index(['symbol', 'id'], 'executions_symbol_id_index') })
  await knex.schema.alterTable('orders', (t) => { t.index(['account', 'symbol', 'state'], 'orders_account_symbol_state_index') })
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => { t.dropIndex(['account', 'symbol', 'state'], 'orders_account_symbol_state_index') })
  await knex.schema.alterTable('executions', (t) => { t.dropIndex(['symbol', 'id'], 'executions_symbol_id_index') })
}
