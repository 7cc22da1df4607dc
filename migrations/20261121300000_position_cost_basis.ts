/**
 * Positions carry their cost basis (the total cost of the open quantity), not only the
 * per-unit average: a position closed flat then realizes exactly proceeds − cost, with
 * no rounding residue from a repeating average.
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  await knex.schema.alterTable('positions', (t) => {
    t.specificType('cost_basis', 'numeric').notNullable().defaultTo(0)
  })
  await knex.raw('UPDATE positions SET cost_basis = avg_cost * abs(qty)')
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.alterTable('positions', (t) => { t.dropColumn('cost_basis') })
}
