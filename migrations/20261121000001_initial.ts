/**
 * The OMS tables from day one. Quantities, prices and money are `numeric` (arbitrary
 * precision, mapped to decimal.js in code) — never float. Every table that the FIX
 * layer dedupes on has the UNIQUE constraint that makes the dedupe race-free.
 */
import type { Knex } from 'knex'

export async function up (knex: Knex): Promise<void> {
  // Identifiers we hand out must never repeat, even across restarts and crashes:
  // sequences are non-transactional and never roll back.
  await knex.raw('CREATE SEQUENCE order_id_seq')
  await knex.raw('CREATE SEQUENCE broker_cl_ord_id_seq')
  await knex.raw('CREATE SEQUENCE client_exec_id_seq')

  await knex.schema.createTable('orders', (t) => {
    t.text('order_id').primary() // our OrderID(37) toward the client: stable for the order's life
    t.text('client_session').notNullable() // sessions/<name>.json of the client
    t.text('cl_ord_id').notNullable() // last accepted ClOrdID(11)
    t.text('orig_cl_ord_id') // ClOrdID of the first NewOrderSingle
    t.text('account')
    t.text('symbol').notNullable()
    t.text('security_type')
    t.string('side', 1).notNullable()
    t.string('ord_type', 1).notNullable()
    t.string('time_in_force', 1)
    t.timestamp('expire_time', { useTz: true })
    t.specificType('order_qty', 'numeric').notNullable()
    t.specificType('price', 'numeric')
    t.specificType('stop_px', 'numeric')
    t.string('handl_inst', 1)
    t.text('ex_destination')
    t.text('state').notNullable() // domain OrdState
    t.string('ord_status', 1).notNullable() // FIX OrdStatus(39) of that state
    t.specificType('cum_qty', 'numeric').notNullable().defaultTo(0)
    t.specificType('leaves_qty', 'numeric').notNullable()
    t.specificType('avg_px', 'numeric').notNullable().defaultTo(0)
    t.text('broker_session') // the route chosen: cancels/replaces follow it
    t.text('broker_order_id') // broker's OrderID(37)
    t.integer('version').notNullable().defaultTo(1) // optimistic locking
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.index(['client_session', 'state'])
    t.index(['broker_session', 'state'])
  })

  // The dedupe table: every ClOrdID a client session used (new, cancel, replace).
  await knex.schema.createTable('client_order_ids', (t) => {
    t.text('client_session').notNullable()
    t.text('cl_ord_id').notNullable()
    t.text('order_id').notNullable().references('order_id').inTable('orders')
    t.text('kind').notNullable() // new | cancel | replace
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['client_session', 'cl_ord_id'])
    t.index(['created_at'])
  })

  // Our ClOrdIDs toward brokers, mapped back to the order; broker's OrderID.
  await knex.schema.createTable('broker_routes', (t) => {
    t.text('broker_session').notNullable()
    t.text('broker_cl_ord_id').notNullable()
    t.text('order_id').notNullable().references('order_id').inTable('orders')
    t.text('kind').notNullable() // new | cancel | replace
    t.text('status').notNullable().defaultTo('sent') // sent | accepted | rejected
    t.text('broker_order_id')
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['broker_session', 'broker_cl_ord_id'])
    t.index(['order_id'])
  })

  // Every broker execution applied; a duplicate ExecID from the same broker is a no-op.
  await knex.schema.createTable('executions', (t) => {
    t.bigIncrements('id').primary()
    t.text('broker_session').notNullable()
    t.text('exec_id').notNullable() // broker's ExecID(17)
    t.text('order_id').notNullable().references('order_id').inTable('orders')
    t.string('exec_type', 1).notNullable()
    t.specificType('last_qty', 'numeric')
    t.specificType('last_px', 'numeric')
    t.specificType('commission', 'numeric')
    t.text('client_exec_id') // our ExecID(17) to the client for this event
    t.text('ref_exec_id') // ExecRefID(19) for busts / corrections
    t.timestamp('transact_time', { useTz: true })
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.unique(['broker_session', 'exec_id'])
    t.index(['order_id'])
  })

  await knex.schema.createTable('positions', (t) => {
    t.text('account').notNullable() // '' when the order had none
    t.text('symbol').notNullable()
    t.specificType('qty', 'numeric').notNullable().defaultTo(0) // signed
    t.specificType('avg_cost', 'numeric').notNullable().defaultTo(0)
    t.specificType('realized_pnl', 'numeric').notNullable().defaultTo(0)
    t.specificType('fees', 'numeric').notNullable().defaultTo(0)
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.primary(['account', 'symbol'])
  })

  // Append-only audit trail with a hash chain: each row's hash covers its content and
  // the previous row's hash, so an edited or deleted row breaks the chain.
  await knex.schema.createTable('audit_log', (t) => {
    t.bigIncrements('id').primary()
    t.timestamp('at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.text('actor').notNullable() // session name, 'cli', 'system'
    t.text('kind').notNullable() // fix_in | fix_out | transition | reject | ...
    t.text('order_id')
    t.text('from_state')
    t.text('to_state')
    t.jsonb('detail')
    t.text('fix_message') // the FIX message that caused it (SOH shown as |)
    t.text('prev_hash')
    t.text('hash').notNullable()
    t.index(['order_id'])
  })
  await knex.raw(`
    CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      -- one writer at a time extends the chain; held until commit
      PERFORM pg_advisory_xact_lock(72616001);
      SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
      NEW.hash := encode(sha256(convert_to(
        coalesce(NEW.prev_hash, '') || '|' || NEW.id || '|' || to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || NEW.actor || '|' ||
        NEW.kind || '|' || coalesce(NEW.order_id, '') || '|' || coalesce(NEW.from_state, '') || '|' ||
        coalesce(NEW.to_state, '') || '|' || coalesce(NEW.detail::text, '') || '|' ||
        coalesce(NEW.fix_message, ''), 'UTF8')), 'hex');
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
    CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION 'audit_log is append-only';
    END $$;
    CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
      FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
  `)

  // FIX session layer: sequence numbers and every sent message, per session.
  await knex.schema.createTable('fix_sessions', (t) => {
    t.text('session_id').primary() // FIX.4.4:SENDER->TARGET
    t.integer('next_sender_seq_num').notNullable().defaultTo(1)
    t.integer('next_target_seq_num').notNullable().defaultTo(1)
    t.timestamp('creation_time', { useTz: true }).notNullable().defaultTo(knex.fn.now())
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.schema.createTable('fix_messages', (t) => {
    t.text('session_id').notNullable().references('session_id').inTable('fix_sessions')
    t.integer('seq_num').notNullable()
    t.text('msg_type').notNullable()
    t.timestamp('sent_at', { useTz: true }).notNullable()
    t.text('raw').notNullable()
    t.primary(['session_id', 'seq_num'])
  })
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.dropTable('fix_messages')
  await knex.schema.dropTable('fix_sessions')
  await knex.raw('DROP TABLE audit_log; DROP FUNCTION audit_log_chain(); DROP FUNCTION audit_log_append_only()')
  await knex.schema.dropTable('positions')
  await knex.schema.dropTable('executions')
  await knex.schema.dropTable('broker_routes')
  await knex.schema.dropTable('client_order_ids')
  await knex.schema.dropTable('orders')
  await knex.raw('DROP SEQUENCE client_exec_id_seq; DROP SEQUENCE broker_cl_ord_id_seq; DROP SEQUENCE order_id_seq')
}
