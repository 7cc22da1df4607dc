/**
 * The single-writer engine (docs/engine.md): one journal transaction per batch.
 *
 *  - audit_log: the hash chain is computed in-process by its writers (the engine, and the
 *    CLI for operator actions), under the same advisory lock, over canonical JSON
 *    (hash_version 2). The lock-and-select trigger goes; the append-only trigger stays.
 *    Rows keep explicit, gap-free ids in chain order.
 *  - engine_state: the engine's ID counters and the id of the last batch it committed
 *    (a batch retried after an unclear commit is recognised and not written twice).
 *  - kill_switches: every change is announced with NOTIFY, so the running engine's
 *    in-memory copy follows at once, whoever changed the table.
 *  - indexes for recovery (open orders, an order's ClOrdIDs); the indexes on orders.state
 *    that only the per-command risk queries used are dropped: risk reads memory now.
 */
import type { Knex } from 'knex'

const OPEN = "('Held','PendingNew','New','PartiallyFilled','PendingCancel','PendingReplace','DoneForDay')"

export async function up (knex: Knex): Promise<void> {
  await knex.raw(`
    DROP TRIGGER audit_log_chain ON audit_log;
    DROP FUNCTION audit_log_chain();
    ALTER TABLE audit_log ADD COLUMN hash_version smallint NOT NULL DEFAULT 1;
    ALTER TABLE audit_log ALTER COLUMN hash_version SET DEFAULT 2;
  `)
  await knex.schema.createTable('engine_state', (t) => {
    t.integer('id').primary() // always 1: one row
    t.bigInteger('last_batch_id').notNullable().defaultTo(0)
    t.bigInteger('next_order_id').notNullable()
    t.bigInteger('next_broker_cl_ord_id').notNullable()
    t.bigInteger('next_client_exec_id').notNullable()
    t.bigInteger('next_execution_id').notNullable()
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now())
  })
  await knex.raw('ALTER TABLE engine_state ADD CONSTRAINT engine_state_one_row CHECK (id = 1)')
  // Carry on from the sequences the first design used (is_called: whether last_value was handed out).
  await knex.raw(`
    INSERT INTO engine_state (id, next_order_id, next_broker_cl_ord_id, next_client_exec_id, next_execution_id)
    SELECT 1,
      (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM order_id_seq),
      (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM broker_cl_ord_id_seq),
      (SELECT CASE WHEN is_called THEN last_value + 1 ELSE last_value END FROM client_exec_id_seq),
      (SELECT coalesce(max(id), 0) + 1 FROM executions)
  `)
  await knex.raw(`
    CREATE FUNCTION kill_switches_notify() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('fixgw_kill_switch', json_build_object('scope', OLD.scope, 'active', false)::text);
        RETURN OLD;
      END IF;
      PERFORM pg_notify('fixgw_kill_switch', json_build_object('scope', NEW.scope, 'active', NEW.active)::text);
      RETURN NEW;
    END $$;
    CREATE TRIGGER kill_switches_notify AFTER INSERT OR UPDATE OR DELETE ON kill_switches
      FOR EACH ROW EXECUTE FUNCTION kill_switches_notify();
  `)
  await knex.raw(`CREATE INDEX orders_open_index ON orders (order_id) WHERE state IN ${OPEN}`)
  await knex.schema.alterTable('client_order_ids', (t) => { t.index(['order_id'], 'client_order_ids_order_id_index') })
  await knex.schema.alterTable('orders', (t) => {
    t.dropIndex(['client_session', 'state'])
    t.dropIndex(['broker_session', 'state'])
    t.dropIndex(['client_session', 'symbol'])
    t.dropIndex(['account', 'symbol', 'state'], 'orders_account_symbol_state_index')
  })
}

export async function down (knex: Knex): Promise<void> {
  await knex.schema.alterTable('orders', (t) => {
    t.index(['client_session', 'state'])
    t.index(['broker_session', 'state'])
    t.index(['client_session', 'symbol'])
    t.index(['account', 'symbol', 'state'], 'orders_account_symbol_state_index')
  })
  await knex.schema.alterTable('client_order_ids', (t) => { t.dropIndex(['order_id'], 'client_order_ids_order_id_index') })
  await knex.raw('DROP INDEX orders_open_index')
  await knex.raw('DROP TRIGGER kill_switches_notify ON kill_switches; DROP FUNCTION kill_switches_notify()')
  await knex.schema.dropTable('engine_state')
  await knex.raw(`
    ALTER TABLE audit_log DROP COLUMN hash_version;
    CREATE FUNCTION audit_log_chain() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      PERFORM pg_advisory_xact_lock(72616001);
      SELECT hash INTO NEW.prev_hash FROM audit_log ORDER BY id DESC LIMIT 1;
      NEW.hash := encode(sha256(convert_to(
        coalesce(NEW.prev_hash, '') || '|' || NEW.id || '|' || to_char(NEW.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '|' || NEW.actor || '|' ||
        NEW.kind || '|' || coalesce(NEW.order_id, '') || '|' || coalesce(NEW.from_state, '') || '|' ||
        coalesce(NEW.to_state, '') || '|' || coalesce(NEW.detail::text, '') || '|' ||
        coalesce(NEW.fix_message, ''), 'UTF8')), 'hex');
      RETURN NEW;
    END $$;
    CREATE TRIGGER audit_log_chain BEFORE INSERT ON audit_log FOR EACH ROW EXECUTE FUNCTION audit_log_chain();
  `)
}
