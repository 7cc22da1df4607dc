/**
 * FIX session layer: which of our sessions a row belongs to and its last known state,
 * for `fixgw sessions` and for the admin command that sets sequence numbers (allowed
 * only while the session is not logged on).
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  await knex.schema.alterTable('fix_sessions', (t) => {
    t.text('session_name') // sessions/<name>.json
    t.text('state').notNullable().defaultTo('disconnected') // disconnected | connected | logged_on | logging_out
    t.timestamp('state_changed_at', { useTz: true })
  })
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.alterTable('fix_sessions', (t) => {
    t.dropColumn('state_changed_at')
    t.dropColumn('state')
    t.dropColumn('session_name')
  })
}
