/**
 * The OMS persistence port on Postgres via knex. numeric columns come back from pg as
 * strings and go straight into decimal.js: no float ever touches a quantity or price.
 */
import type { Knex } from 'knex'
import { Decimal } from '../domain/money'
import type { Order } from '../domain/order'
import { ORD_STATUS, isOrdState } from '../domain/order-state'
import { FLAT, positionFromFills, type Position, type PositionFill } from '../domain/position'
import type { ClOrdId, OrderId } from '../domain/ids'
import type { AuditEntry, ExecutionRow, NewExecutionRow, OmsStore, OmsTx, OpenOrderFilter, OrderRef, RouteRow } from '../oms/ports'
import type { RiskNeeds, RiskState } from '../domain/risk/risk-checks'

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
  broker_cl_ord_id: string | null
  pending_kind: string | null
  pending_cl_ord_id: string | null
  pending_broker_cl_ord_id: string | null
  pending_order_qty: string | null
  pending_price: string | null
  pending_stop_px: string | null
  pending_time_in_force: string | null
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
    brokerClOrdId: r.broker_cl_ord_id,
    pending: r.pending_kind == null
      ? null
      : {
          kind: r.pending_kind as 'cancel' | 'replace',
          clOrdId: r.pending_cl_ord_id as ClOrdId | null,
          brokerClOrdId: r.pending_broker_cl_ord_id,
          orderQty: dec(r.pending_order_qty),
          price: dec(r.pending_price),
          stopPx: dec(r.pending_stop_px),
          timeInForce: r.pending_time_in_force as Order['timeInForce'] | null
        },
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
    broker_cl_ord_id: o.brokerClOrdId,
    pending_kind: o.pending?.kind ?? null,
    pending_cl_ord_id: o.pending?.clOrdId ?? null,
    pending_broker_cl_ord_id: o.pending?.brokerClOrdId ?? null,
    pending_order_qty: str(o.pending?.orderQty ?? null),
    pending_price: str(o.pending?.price ?? null),
    pending_stop_px: str(o.pending?.stopPx ?? null),
    pending_time_in_force: o.pending?.timeInForce ?? null,
    version: o.version
  }
}

const OPEN_STATES = ['Held', 'PendingNew', 'New', 'PartiallyFilled', 'PendingCancel', 'PendingReplace', 'DoneForDay']

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

  async findClientOrder (clientSession: string, ref: OrderRef): Promise<Order | null> {
    let orderId: string | null = null
    if (ref.clOrdId != null) {
      const r = await this.trx('client_order_ids').where({ client_session: clientSession, cl_ord_id: ref.clOrdId }).first('order_id')
      orderId = r?.order_id ?? null
      // A ClOrdID and an OrderID that name two different orders name none.
      if (orderId != null && ref.orderId != null && ref.orderId !== orderId) return null
    }
    orderId ??= ref.orderId
    if (orderId == null) return null
    const o = await this.trx('orders').where({ order_id: orderId, client_session: clientSession }).forUpdate().first()
    return o == null ? null : rowToOrder(o)
  }

  async lockBrokerOrders (brokerSession: string): Promise<Order[]> {
    const rows = await this.trx('orders').where({ broker_session: brokerSession }).whereIn('state', OPEN_STATES)
      .orderBy('created_at').orderBy('order_id').forUpdate()
    return rows.map(rowToOrder)
  }

  async lockOpenOrders (clientSession: string, filter: OpenOrderFilter): Promise<Order[]> {
    const q = this.trx('orders').where({ client_session: clientSession }).whereIn('state', OPEN_STATES)
    if (filter.symbol != null) q.andWhere({ symbol: filter.symbol })
    if (filter.securityType != null) q.andWhere({ security_type: filter.securityType })
    const rows = await q.orderBy('created_at').orderBy('order_id').forUpdate()
    return rows.map(rowToOrder)
  }

  async riskState (clientSession: string, account: string | null, symbol: string, excludeOrderId: string | null, needs: RiskNeeds): Promise<Omit<RiskState, 'now'>> {
    const t = this.trx
    const exclude = excludeOrderId ?? ''
    const none = Promise.resolve(null)
    // Only what the configured limits read; the kill switches always.
    const [ks, open, pos, openQty, pnl, rate, last] = await Promise.all([
      t('kill_switches').whereIn('scope', ['global', `session:${clientSession}`]).andWhere({ active: true }).select('scope'),
      needs.openOrders ? t('orders').where({ client_session: clientSession }).whereIn('state', OPEN_STATES).whereNot({ order_id: exclude }).count<Array<{ n: string }>>({ n: '*' }) : none,
      needs.position ? t('positions').where({ account: account ?? '', symbol }).first('qty') : none,
      needs.position
        ? t('orders').where({ account, symbol }).whereIn('state', OPEN_STATES).whereNot({ order_id: exclude })
          .select(t.raw("coalesce(sum(case when side = '1' then leaves_qty else 0 end), 0)::text as buy"), t.raw("coalesce(sum(case when side <> '1' then leaves_qty else 0 end), 0)::text as sell")).first()
        : none,
      needs.pnl
        ? t('positions').where({ account: account ?? '' })
          .select(t.raw('coalesce(sum(case when pnl_day = current_date then realized_pnl - realized_pnl_day_start else 0 end), 0)::text as today')).first()
        : none,
      needs.rate ? t('orders').where({ client_session: clientSession }).andWhere('created_at', '>', t.raw("now() - interval '1 second'")).count<Array<{ n: string }>>({ n: '*' }) : none,
      needs.lastFill ? t('executions').where({ symbol, status: 'active' }).whereIn('exec_type', ['F', 'G']).orderBy('id', 'desc').first('last_px') : none
    ])
    return {
      killSwitchGlobal: ks.some((r: { scope: string }) => r.scope === 'global'),
      killSwitchSession: ks.some((r: { scope: string }) => r.scope !== 'global'),
      openOrders: open == null ? 0 : Number(open[0].n),
      position: pos == null ? new Decimal(0) : new Decimal(pos.qty),
      openBuyQty: new Decimal(openQty?.buy ?? '0'),
      openSellQty: new Decimal(openQty?.sell ?? '0'),
      realizedPnlToday: new Decimal(pnl?.today ?? '0'),
      ordersLastSecond: rate == null ? 0 : Number(rate[0].n),
      lastFillPrice: last == null ? null : new Decimal(last.last_px)
    }
  }

  async brokerClOrdIdOf (orderId: string, kind: string): Promise<string | null> {
    const r = await this.trx('broker_routes').where({ order_id: orderId, kind }).orderBy('created_at').first('broker_cl_ord_id')
    return r?.broker_cl_ord_id ?? null
  }

  private savepoints = 0

  async savepoint<T> (fn: () => Promise<T>): Promise<T> {
    const name = `sp${++this.savepoints}`
    await this.trx.raw(`SAVEPOINT ${name}`)
    try {
      const r = await fn()
      await this.trx.raw(`RELEASE SAVEPOINT ${name}`)
      return r
    } catch (e) {
      await this.trx.raw(`ROLLBACK TO SAVEPOINT ${name}`)
      throw e
    }
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
      account: row.account,
      symbol: row.symbol,
      side: row.side,
      corrects_id: row.correctsId ?? null,
      exec_type: row.execType,
      last_qty: str(row.lastQty),
      last_px: str(row.lastPx),
      commission: str(row.commission),
      client_exec_id: row.clientExecId
    }).onConflict(['broker_session', 'exec_id']).ignore().returning('id')
    return rows.length === 1
  }

  async findExecution (brokerSession: string, execId: string): Promise<ExecutionRow | null> {
    const r = await this.trx('executions').where({ broker_session: brokerSession, exec_id: execId }).forUpdate().first()
    if (r == null) return null
    return { id: String(r.id), orderId: r.order_id, execType: r.exec_type, status: r.status, lastQty: dec(r.last_qty), lastPx: dec(r.last_px), clientExecId: r.client_exec_id }
  }

  async setExecutionStatus (id: string, status: ExecutionRow['status']): Promise<void> {
    await this.trx('executions').where({ id }).update({ status })
  }

  async orderFills (orderId: string): Promise<Array<{ qty: Decimal, px: Decimal }>> {
    const rows = await this.trx('executions').where({ order_id: orderId, status: 'active' }).whereIn('exec_type', ['F', 'G'])
      .orderByRaw('coalesce(corrects_id, id)').select('last_qty', 'last_px')
    return rows.map((r: { last_qty: string, last_px: string }) => ({ qty: new Decimal(r.last_qty), px: new Decimal(r.last_px) }))
  }

  async positionFromFills (account: string, symbol: string): Promise<Position> {
    return positionFromFills(await activeFills(this.trx, account, symbol))
  }

  async lockPosition (account: string, symbol: string): Promise<Position> {
    await this.trx('positions').insert({ account, symbol }).onConflict(['account', 'symbol']).ignore()
    const r = await this.trx('positions').where({ account, symbol }).forUpdate().first()
    if (r == null) return FLAT
    return { qty: new Decimal(r.qty), costBasis: new Decimal(r.cost_basis), avgCost: new Decimal(r.avg_cost), realizedPnl: new Decimal(r.realized_pnl), fees: new Decimal(r.fees) }
  }

  async savePosition (account: string, symbol: string, p: Position): Promise<void> {
    // The first change of a UTC day snapshots realized P&L, so today's P&L is the difference.
    await this.trx('positions').where({ account, symbol }).update({
      realized_pnl_day_start: this.trx.raw('case when pnl_day = current_date then realized_pnl_day_start else realized_pnl end'),
      pnl_day: this.trx.raw('current_date'),
      qty: p.qty.toFixed(), cost_basis: p.costBasis.toFixed(), avg_cost: p.avgCost.toFixed(), realized_pnl: p.realizedPnl.toFixed(), fees: p.fees.toFixed(), updated_at: this.trx.fn.now()
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

/** Active fills of an account in a symbol, in trade order (a correction takes its original's place). */
export async function activeFills (db: Knex, account: string, symbol: string): Promise<PositionFill[]> {
  const rows = await db('executions').where({ account, symbol, status: 'active' }).whereIn('exec_type', ['F', 'G'])
    .orderByRaw('coalesce(corrects_id, id)').select('last_qty', 'last_px', 'commission', 'side')
  return rows.map((r: { last_qty: string, last_px: string, commission: string | null, side: string }) => ({
    signedQty: new Decimal(r.last_qty).times(r.side === '1' ? 1 : -1),
    px: new Decimal(r.last_px),
    fee: new Decimal(r.commission ?? '0')
  }))
}

export class KnexOmsStore implements OmsStore {
  constructor (private readonly db: Knex, private readonly brokerIdPrefix = 'FGW') {}

  async transaction<T> (fn: (tx: OmsTx) => Promise<T>): Promise<T> {
    return await this.db.transaction(async (trx) => await fn(new KnexOmsTx(trx, this.brokerIdPrefix)))
  }
}
