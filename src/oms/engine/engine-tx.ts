/**
 * One command's view of the engine: the OmsTx port served from memory. Every change is
 * applied to the engine state at once (later reads see it), written to the command's
 * own journal, and recorded with its inverse, so a failed command or a rolled-back
 * savepoint leaves nothing behind. No locks, no version checks: the engine runs one
 * command at a time.
 *
 * Rare paths read Postgres (an order that left memory, a trade bust's fills, a dedupe
 * filter's "maybe"): they first have the engine commit everything journaled before this
 * command (`barrier`), so what they read is the truth, then overlay this command's own
 * changes.
 */
import { ZERO, type Decimal } from '../../domain/money'
import type { Order } from '../../domain/order'
import { FLAT, positionFromFills, type Position } from '../../domain/position'
import type { RiskNeeds, RiskState } from '../../domain/risk/risk-checks'
import type { AuditEntry, ExecutionRow, NewExecutionRow, OmsTx, OpenOrderFilter, OrderRef, RouteRow } from '../ports'
import { Journal, type PositionState, type RouteState } from './journal'
import { clOrdKey, execKey, positionKey, routeKey, type EngineState } from './state'
import type { EngineStore, FillRow } from './store-port'

const TRADES = new Set(['F', 'G'])

export function utcDay (d: Date): string { return d.toISOString().slice(0, 10) }

export class EngineTx implements OmsTx {
  readonly journal = new Journal()
  private readonly undoLog: Array<() => void> = []

  constructor (
    private readonly s: EngineState,
    private readonly store: EngineStore,
    private readonly barrier: () => Promise<void>,
    private readonly now: () => Date
  ) {}

  private aborted: Error | null = null

  /** Undo everything this command did (it failed). */
  rollback (): void { this.rollbackTo(0) }

  /**
   * The commands before this one were abandoned while it was waiting on Postgres: undo it
   * now (before them), and make whatever it tries next fail with `e`.
   */
  abort (e: Error): void {
    this.rollback()
    this.aborted = e
  }

  private live (): void {
    if (this.aborted != null) throw this.aborted
  }

  private rollbackTo (mark: number): void {
    while (this.undoLog.length > mark) (this.undoLog.pop() as () => void)()
  }

  private setIn<K, V> (m: Map<K, V>, k: K, v: V): void {
    const prev = m.get(k)
    m.set(k, v)
    this.undoLog.push(() => { if (prev === undefined) m.delete(k); else m.set(k, prev) })
  }

  private pushTo<T> (a: T[], v: T): void {
    a.push(v)
    this.undoLog.push(() => { a.pop() })
  }

  // ---- identifiers ---------------------------------------------------------------------
  // Numbers skipped by a rolled-back command are never reused: nothing durable names them.

  async nextOrderId (): Promise<string> { return `O${this.s.counters.nextOrderId++}` }
  async nextBrokerClOrdId (): Promise<string> { return `FGW${this.s.counters.nextBrokerClOrdId++}` }
  async nextClientExecId (): Promise<string> { return `E${this.s.counters.nextClientExecId++}` }

  // ---- orders and ClOrdIDs -------------------------------------------------------------

  async claimClOrdId (clientSession: string, clOrdId: string, orderId: string, kind: string): Promise<boolean> {
    this.live()
    const key = clOrdKey(clientSession, clOrdId)
    if (this.s.clOrdIndex.has(key)) return false
    // Keys of orders that left memory are only in the filter (and in Postgres).
    if (this.s.clOrdFilter.mayHave(key) && await this.store.orderIdOfClOrdId(clientSession, clOrdId) != null) return false
    this.s.addClOrdId(clientSession, clOrdId, orderId)
    this.undoLog.push(() => this.s.removeClOrdId(clientSession, clOrdId, orderId))
    this.pushTo(this.journal.clOrdIds, { session: clientSession, clOrdId, orderId, kind })
    return true
  }

  async insertOrder (o: Order): Promise<void> {
    this.live()
    this.s.putOrder(null, o)
    this.undoLog.push(() => this.s.putOrder(o, null))
    this.s.noteAccepted(o.clientSession, this.now().getTime())
    this.undoLog.push(() => this.s.unnoteAccepted(o.clientSession))
    this.setIn(this.journal.orders, o.orderId, o)
  }

  async updateOrder (o: Order): Promise<void> {
    this.live()
    const before = this.s.orders.get(o.orderId)
    if (before == null) throw new Error(`order ${o.orderId} is not in the engine`)
    this.s.putOrder(before, o)
    this.undoLog.push(() => this.s.putOrder(o, before))
    this.setIn(this.journal.orders, o.orderId, o)
  }

  async lockOrder (orderId: string): Promise<Order | null> {
    this.live()
    return this.s.orders.get(orderId) ?? await this.loadBack(orderId)
  }

  /** Bring a finished order that left memory back from Postgres. */
  private async loadBack (orderId: string): Promise<Order | null> {
    await this.barrier()
    const known = this.s.orders.get(orderId)
    if (known != null) return known
    const r = await this.store.loadOrder(orderId)
    if (r == null) return null
    this.s.putOrder(null, r.order)
    this.s.indexClOrdIds(orderId, r.clOrdIds)
    for (const route of r.routes) this.s.putRoute(route)
    return r.order
  }

  async findClientOrder (clientSession: string, ref: OrderRef): Promise<Order | null> {
    this.live()
    let orderId: string | null = null
    if (ref.clOrdId != null) {
      const key = clOrdKey(clientSession, ref.clOrdId)
      orderId = this.s.clOrdIndex.get(key) ?? null
      if (orderId == null && this.s.clOrdFilter.mayHave(key)) orderId = await this.store.orderIdOfClOrdId(clientSession, ref.clOrdId)
      // A ClOrdID and an OrderID that name two different orders name none.
      if (orderId != null && ref.orderId != null && ref.orderId !== orderId) return null
    }
    orderId ??= ref.orderId
    if (orderId == null) return null
    const o = await this.lockOrder(orderId)
    return o != null && o.clientSession === clientSession ? o : null
  }

  async lockBrokerOrders (brokerSession: string): Promise<Order[]> {
    this.live()
    return this.s.openOrdersWhere((o) => o.brokerSession === brokerSession)
  }

  async lockOpenOrders (clientSession: string, filter: OpenOrderFilter): Promise<Order[]> {
    this.live()
    return this.s.openOrdersWhere((o) => o.clientSession === clientSession &&
      (filter.symbol == null || o.symbol === filter.symbol) && (filter.securityType == null || o.securityType === filter.securityType))
  }

  async riskState (clientSession: string, account: string | null, symbol: string, excludeOrderId: string | null, _needs: RiskNeeds): Promise<Omit<RiskState, 'now'>> {
    this.live()
    const now = this.now()
    const open = this.s.openLeaves(account, symbol)
    let openOrders = this.s.openOrders(clientSession)
    let { buy, sell } = open
    const excluded = excludeOrderId == null ? null : this.s.orders.get(excludeOrderId)
    if (excluded != null && excluded.clientSession === clientSession) {
      openOrders--
      if (excluded.side === '1') buy = buy.minus(excluded.leavesQty)
      else sell = sell.minus(excluded.leavesQty)
    }
    return {
      killSwitchGlobal: this.s.killSwitches.has('global'),
      killSwitchSession: this.s.killSwitches.has(`session:${clientSession}`),
      openOrders,
      position: this.s.positions.get(positionKey(account ?? '', symbol))?.qty ?? ZERO,
      openBuyQty: buy,
      openSellQty: sell,
      realizedPnlToday: this.s.realizedPnlOn(account ?? '', utcDay(now)),
      ordersLastSecond: this.s.acceptedInLastSecond(clientSession, now.getTime()),
      lastFillPrice: this.s.lastFillPrice(symbol)
    }
  }

  // ---- broker routes -------------------------------------------------------------------

  async insertBrokerRoute (brokerSession: string, brokerClOrdId: string, orderId: string, kind: string): Promise<void> {
    this.live()
    const r: RouteState = { broker: brokerSession, brokerClOrdId, orderId, kind, status: 'sent', brokerOrderId: null }
    this.s.putRoute(r)
    this.undoLog.push(() => this.s.removeRoute(r))
    this.setIn(this.journal.routes, routeKey(brokerSession, brokerClOrdId), r)
  }

  async brokerClOrdIdOf (orderId: string, kind: string): Promise<string | null> {
    this.live()
    if (kind === 'new') return this.s.firstRoute.get(orderId) ?? null
    for (const r of this.s.routes.values()) if (r.orderId === orderId && r.kind === kind) return r.brokerClOrdId
    return null
  }

  async findRoute (brokerSession: string, brokerClOrdId: string): Promise<RouteRow | null> {
    this.live()
    const key = routeKey(brokerSession, brokerClOrdId)
    let r = this.s.routes.get(key)
    if (r == null) {
      const orderId = await this.store.orderIdOfRoute(brokerSession, brokerClOrdId)
      if (orderId == null || await this.loadBack(orderId) == null) return null
      r = this.s.routes.get(key)
    }
    return r == null ? null : { orderId: r.orderId, kind: r.kind }
  }

  async markRoute (brokerSession: string, brokerClOrdId: string, status: string, brokerOrderId: string | null): Promise<void> {
    this.live()
    const key = routeKey(brokerSession, brokerClOrdId)
    const r = this.s.routes.get(key)
    if (r == null) return
    const next: RouteState = { ...r, status, brokerOrderId: brokerOrderId ?? r.brokerOrderId }
    this.s.putRoute(next)
    this.undoLog.push(() => this.s.putRoute(r))
    this.setIn(this.journal.routes, key, next)
  }

  async savepoint<T> (fn: () => Promise<T>): Promise<T> {
    const mark = this.undoLog.length
    try {
      return await fn()
    } catch (e) {
      this.rollbackTo(mark)
      throw e
    }
  }

  // ---- executions and positions --------------------------------------------------------

  async insertExecution (row: NewExecutionRow): Promise<boolean> {
    this.live()
    const key = execKey(row.brokerSession, row.execId)
    if (this.journal.executions.some((e) => e.brokerSession === row.brokerSession && e.execId === row.execId)) return false
    if (this.s.execFilter.mayHave(key)) {
      await this.barrier()
      if (await this.store.execIdTaken(row.brokerSession, row.execId)) return false
    }
    const id = String(this.s.counters.nextExecutionId++)
    this.s.execFilter.add(key)
    this.undoLog.push(() => this.s.execFilter.delete(key))
    this.pushTo(this.journal.executions, { ...row, id })
    if (TRADES.has(row.execType) && row.lastPx != null) {
      this.s.addFill(row.symbol, id, row.lastPx)
      this.undoLog.push(() => { this.s.dropFill(row.symbol, id) })
    }
    return true
  }

  async findExecution (brokerSession: string, execId: string): Promise<ExecutionRow | null> {
    this.live()
    await this.barrier()
    const e = await this.store.findExecution(brokerSession, execId)
    if (e == null) return null
    const status = (this.journal.executionStatus.get(e.id) ?? e.status) as ExecutionRow['status']
    return { ...e, status }
  }

  async setExecutionStatus (id: string, status: ExecutionRow['status']): Promise<void> {
    this.live()
    this.setIn(this.journal.executionStatus, id, status)
  }

  /** Fill rows from Postgres with this command's own changes laid over them, active only, in trade order. */
  private activeOf (stored: readonly FillRow[], mine: (e: NewExecutionRow) => boolean): FillRow[] {
    const rows: FillRow[] = stored.map((r) => ({ ...r, status: this.journal.executionStatus.get(r.id) ?? r.status }))
    for (const e of this.journal.executions) {
      if (!mine(e) || !TRADES.has(e.execType) || e.lastQty == null || e.lastPx == null) continue
      rows.push({ id: e.id, correctsId: e.correctsId ?? null, status: 'active', execType: e.execType, side: e.side, qty: e.lastQty, px: e.lastPx, commission: e.commission })
    }
    const order = (r: FillRow): bigint => BigInt(r.correctsId ?? r.id)
    return rows.filter((r) => r.status === 'active' && TRADES.has(r.execType)).sort((a, b) => (order(a) < order(b) ? -1 : order(a) > order(b) ? 1 : 0))
  }

  async orderFills (orderId: string): Promise<Array<{ qty: Decimal, px: Decimal }>> {
    this.live()
    await this.barrier()
    const rows = this.activeOf(await this.store.orderFills(orderId), (e) => e.orderId === orderId)
    // a busted or corrected fill no longer sets the symbol's reference price
    const symbol = this.s.orders.get(orderId)?.symbol
    if (symbol != null) {
      for (const [id, status] of this.journal.executionStatus) {
        if (status === 'active') continue
        const restore = this.s.dropFill(symbol, id)
        if (restore != null) this.undoLog.push(restore)
      }
    }
    return rows.map((r) => ({ qty: r.qty, px: r.px }))
  }

  async positionFromFills (account: string, symbol: string): Promise<Position> {
    this.live()
    await this.barrier()
    const rows = this.activeOf(await this.store.accountFills(account, symbol), (e) => e.account === account && e.symbol === symbol)
    return positionFromFills(rows.map((r) => ({ signedQty: r.qty.times(r.side === '1' ? 1 : -1), px: r.px, fee: r.commission ?? ZERO })))
  }

  async lockPosition (account: string, symbol: string): Promise<Position> {
    this.live()
    const p = this.s.positions.get(positionKey(account, symbol))
    if (p == null) return FLAT
    return { qty: p.qty, costBasis: p.costBasis, avgCost: p.avgCost, realizedPnl: p.realizedPnl, fees: p.fees }
  }

  async savePosition (account: string, symbol: string, p: Position): Promise<void> {
    this.live()
    const key = positionKey(account, symbol)
    const before = this.s.positions.get(key) ?? null
    // The first change of a UTC day snapshots realized P&L, so today's P&L is the difference.
    const today = utcDay(this.now())
    const next: PositionState = {
      ...p,
      pnlDay: today,
      dayStart: before != null && before.pnlDay === today ? before.dayStart : (before?.realizedPnl ?? ZERO)
    }
    this.s.setPosition(account, symbol, next)
    this.undoLog.push(() => this.s.setPosition(account, symbol, before))
    this.setIn(this.journal.positions, key, { account, symbol, p: next })
  }

  async audit (e: AuditEntry): Promise<void> {
    this.live()
    this.pushTo(this.journal.audit, { ...e, at: this.now() })
  }
}
