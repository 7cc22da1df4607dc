/**
 * The OMS persistence port on Postgres via knex. numeric columns come back from pg as
 * strings and go straight into decimal.js: no float ever touches a quantity or price.
 */
import type { Knex } from 'knex'
import { Decimal } from '../domain/money'
import type { Order } from '../domain/order'
import { ORD_STATUS, isOrdState } from '../domain/order-state'
import { FLAT, type Position } from '../domain/position'
import type { ClOrdId, OrderId } from '../domain/ids'
import type { AuditEntry, NewExecutionRow, OmsStore, OmsTx, RouteRow } from '../oms/ports'

const dec = (v: string | null): Decimal | null => (v == null ? null : new Decimal(v))
const str = (d: Decimal | null): string | null => (d == null ? null : d.toFixed())

interface OrderRow {
  order_id: string
  client_session: string
  cl_ord_id: string
  orig_cl_ord_id: string | null
  account: string | null
  symbol: string
  security_type: string | null
  side: string
  ord_type: string
  time_in_force: string | null
  expire_time: Date | null
  order_qty: string
  price: string | null
  stop_px: string | null
  handl_inst: string | null
  ex_destination: string | null
  state: string
  cum_qty: string
  leaves_qty: string
  avg_px: string
  broker_session: string | null
  broker_order_id: string | null
  version: number
}

export function rowToOrder (r: OrderRow): Order {
  if (!isOrdState(r.state)) throw new Error(`order ${r.order_id} has unknown state ${r.state}`)
  return {
    orderId: r.order_id as OrderId,
    clientSession: r.client_session,
    clOrdId: r.cl_ord_id as ClOrdId,
    origClOrdId: r.orig_cl_ord_id as ClOrdId | null,
    account: r.account,
    symbol: r.symbol,
    securityType: r.security_type,
    side: r.side as Order['side'],
    ordType: r.ord_type as Order['ordType'],
    timeInForce: (r.time_in_force ?? '0') as Order['timeInForce'],
    expireTime: r.expire_time,
    orderQty: new Decimal(r.order_qty),
    price: dec(r.price),
    stopPx: dec(r.stop_px),
    handlInst: r.handl_inst,
    exDestination: r.ex_destination,
    state: r.state,
    cumQty: new Decimal(r.cum_qty),
    leavesQty: new Decimal(r.leaves_qty),
    avgPx: new Decimal(r.avg_px),
    brokerSession: r.broker_session,
    brokerOrderId: r.broker_order_id,
    version: r.version
  }
}

function orderToRow (o: Order): Omit<OrderRow, 'order_id'> {
  return {
    client_session: o.clientSession,
    cl_ord_id: o.clOrdId,
    orig_cl_ord_id: o.origClOrdId,
    account: o.account,
    symbol: o.symbol,
    security_type: o.securityType,
    side: o.side,
    ord_type: o.ordType,
    time_in_force: o.timeInForce,
    expire_time: o.expireTime,
    order_qty: o.orderQty.toFixed(),
    price: str(o.price),
    stop_px: str(o.stopPx),
    handl_inst: o.handlInst,
    ex_destination: o.exDestination,
    state: o.state,
    cum_qty: o.cumQty.toFixed(),
    leaves_qty: o.leavesQty.toFixed(),
    avg_px: o.avgPx.toFixed(),
    broker_session: o.brokerSession,
    broker_order_id: o.brokerOrderId,
    version: o.version
  }
}

export class OptimisticLockError extends Error {}

class KnexOmsTx implements OmsTx {
  constructor (private readonly trx: Knex.Transaction, private readonly brokerIdPrefix: string) {}

  private async seq (name: string): Promise<string> {
    const r = await this.trx.raw('SELECT nextval(?) AS v', [name])
    return String(r.rows[0].v)
  }

  async nextOrderId (): Promise<string> { return `O${await this.seq('order_id_seq')}` }
  async nextBrokerClOrdId (): Promise<string> { return `${this.brokerIdPrefix}${await this.seq('broker_cl_ord_id_seq')}` }
  async nextClientExecId (): Promise<string> { return `E${await this.seq('client_exec_id_seq')}` }

  async claimClOrdId (clientSession: string, clOrdId: string, orderId: string, kind: string): Promise<boolean> {
    const rows = await this.trx('client_order_ids')
      .insert({ client_session: clientSession, cl_ord_id: clOrdId, order_id: orderId, kind })
      .onConflict(['client_session', 'cl_ord_id']).ignore().returning('cl_ord_id')
    return rows.length === 1
  }

  async insertOrder (o: Order): Promise<void> {
    await this.trx('orders').insert({ order_id: o.orderId, ...orderToRow(o), ord_status: ORD_STATUS[o.state] })
  }

  async lockOrder (orderId: string): Promise<Order | null> {
    const r = await this.trx('orders').where({ order_id: orderId }).forUpdate().first()
    return r == null ? null : rowToOrder(r)
  }

  async findOrderByClOrdId (clientSession: string, clOrdId: string): Promise<Order | null> {
    const r = await this.trx('orders').join('client_order_ids', 'orders.order_id', 'client_order_ids.order_id')
      .where({ 'client_order_ids.client_session': clientSession, 'client_order_ids.cl_ord_id': clOrdId })
      .select('orders.*').forUpdate().first()
    return r == null ? null : rowToOrder(r)
  }

  async updateOrder (o: Order): Promise<void> {
    const n = await this.trx('orders').where({ order_id: o.orderId, version: o.version - 1 })
      .update({ ...orderToRow(o), ord_status: ORD_STATUS[o.state], updated_at: this.trx.fn.now() })
    if (n !== 1) throw new OptimisticLockError(`order ${o.orderId}: version ${o.version - 1} is stale`)
  }

  async insertBrokerRoute (brokerSession: string, brokerClOrdId: string, orderId: string, kind: string): Promise<void> {
    await this.trx('broker_routes').insert({ broker_session: brokerSession, broker_cl_ord_id: brokerClOrdId, order_id: orderId, kind })
  }

  async findRoute (brokerSession: string, brokerClOrdId: string): Promise<RouteRow | null> {
    const r = await this.trx('broker_routes').where({ broker_session: brokerSession, broker_cl_ord_id: brokerClOrdId }).first()
    return r == null ? null : { orderId: r.order_id, kind: r.kind }
  }

  async markRoute (brokerSession: string, brokerClOrdId: string, status: string, brokerOrderId: string | null): Promise<void> {
    const patch: Record<string, string> = { status }
    if (brokerOrderId != null) patch.broker_order_id = brokerOrderId
    await this.trx('broker_routes').where({ broker_session: brokerSession, broker_cl_ord_id: brokerClOrdId }).update(patch)
  }

  async insertExecution (row: NewExecutionRow): Promise<boolean> {
    const rows = await this.trx('executions').insert({
      broker_session: row.brokerSession,
      exec_id: row.execId,
      order_id: row.orderId,
      exec_type: row.execType,
      last_qty: str(row.lastQty),
      last_px: str(row.lastPx),
      commission: str(row.commission),
      client_exec_id: row.clientExecId
    }).onConflict(['broker_session', 'exec_id']).ignore().returning('id')
    return rows.length === 1
  }

  async lockPosition (account: string, symbol: string): Promise<Position> {
    await this.trx('positions').insert({ account, symbol }).onConflict(['account', 'symbol']).ignore()
    const r = await this.trx('positions').where({ account, symbol }).forUpdate().first()
    if (r == null) return FLAT
    return { qty: new Decimal(r.qty), avgCost: new Decimal(r.avg_cost), realizedPnl: new Decimal(r.realized_pnl), fees: new Decimal(r.fees) }
  }

  async savePosition (account: string, symbol: string, p: Position): Promise<void> {
    await this.trx('positions').where({ account, symbol }).update({
      qty: p.qty.toFixed(), avg_cost: p.avgCost.toFixed(), realized_pnl: p.realizedPnl.toFixed(), fees: p.fees.toFixed(), updated_at: this.trx.fn.now()
    })
  }

  async audit (e: AuditEntry): Promise<void> {
    await this.trx('audit_log').insert({
      actor: e.actor,
      kind: e.kind,
      order_id: e.orderId ?? null,
      from_state: e.fromState ?? null,
      to_state: e.toState ?? null,
      detail: e.detail == null ? null : JSON.stringify(e.detail),
      fix_message: e.fixMessage ?? null,
      hash: '' // computed by the audit_log_chain trigger
    })
  }
}

export class KnexOmsStore implements OmsStore {
  constructor (private readonly db: Knex, private readonly brokerIdPrefix = 'FGW') {}

  async transaction<T> (fn: (tx: OmsTx) => Promise<T>): Promise<T> {
    return await this.db.transaction(async (trx) => await fn(new KnexOmsTx(trx, this.brokerIdPrefix)))
  }
}
