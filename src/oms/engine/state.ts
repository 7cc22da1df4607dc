/**
 * The state the OMS decides on, in memory, owned by the engine's single writer:
 * open orders (by OrderID, client ClOrdID and broker ClOrdID), recently finished
 * orders, the dedupe filters, positions, the totals the risk checks read, the ID
 * counters and the kill switches. Loaded from Postgres at start (store/engine-loader.ts).
 *
 * Every change goes through a method here that keeps the indexes and totals in step,
 * and each has an inverse, so a command that fails is undone exactly.
 */
import { Decimal, ZERO } from '../../domain/money'
import type { Order } from '../../domain/order'
import { isTerminal } from '../../domain/order-state'
import type { Counters, PositionState, RouteState } from './journal'
import { KeyFilter } from './key-filter'

export const clOrdKey = (session: string, clOrdId: string): string => `${session}\u0001${clOrdId}`
export const routeKey = (broker: string, brokerClOrdId: string): string => `${broker}\u0001${brokerClOrdId}`
export const execKey = (broker: string, execId: string): string => `${broker}\u0001${execId}`
export const positionKey = (account: string, symbol: string): string => `${account}\u0001${symbol}`

interface OpenQty { buy: Decimal, sell: Decimal }

/** Recent fills of a symbol (newest last): the reference price falls back to the last active one. */
const LAST_FILLS_KEPT = 32

export interface EngineSnapshot {
  readonly counters: Counters
  readonly lastBatchId: bigint
  readonly orders: readonly Order[]
  readonly routes: readonly RouteState[]
  /** ClOrdIDs of the open orders */
  readonly clOrdIds: ReadonlyArray<{ session: string, clOrdId: string, orderId: string }>
  /**
   * every other ClOrdID of the retention window, as dedupe filter keys (clOrdKey). Built
   * while the rows stream in: millions of keys never exist as objects at once.
   */
  readonly clOrdFilter: KeyFilter
  /** broker ExecIDs (execKey) for the dedupe filter: the recent ones, and all of the open orders' */
  readonly execFilter: KeyFilter
  readonly positions: ReadonlyArray<{ account: string, symbol: string, p: PositionState }>
  readonly lastFills: ReadonlyArray<{ symbol: string, id: string, px: Decimal }>
  readonly killSwitches: readonly string[]
}

export class EngineState {
  readonly orders = new Map<string, Order>()
  /** finished orders still in memory, oldest first: evicted once committed and over the limit */
  private readonly finished = new Map<string, true>()
  /** (client session, ClOrdID) → OrderID, for orders in memory */
  readonly clOrdIndex = new Map<string, string>()
  private readonly clOrdKeysOf = new Map<string, string[]>()
  /** (broker session, our ClOrdID) → route, for orders in memory */
  readonly routes = new Map<string, RouteState>()
  private readonly routeKeysOf = new Map<string, string[]>()
  /** our first broker ClOrdID of each order in memory (the NewOrderSingle's) */
  readonly firstRoute = new Map<string, string>()
  /** every (client session, ClOrdID) of the retention window */
  readonly clOrdFilter: KeyFilter
  /** every (broker session, ExecID) applied */
  readonly execFilter: KeyFilter
  readonly positions = new Map<string, PositionState>()
  private readonly positionKeysOfAccount = new Map<string, Set<string>>()
  private readonly openCount = new Map<string, number>()
  private readonly openQty = new Map<string, OpenQty>()
  private readonly acceptedAt = new Map<string, number[]>()
  private readonly lastFills = new Map<string, Array<{ id: string, px: Decimal }>>()
  readonly killSwitches = new Set<string>()
  counters: Counters
  lastBatchId: bigint

  constructor (snapshot: EngineSnapshot, private readonly maxFinished = 20_000) {
    this.counters = { ...snapshot.counters }
    this.lastBatchId = snapshot.lastBatchId
    this.clOrdFilter = snapshot.clOrdFilter
    this.execFilter = snapshot.execFilter
    for (const o of snapshot.orders) this.putOrder(null, o)
    for (const r of snapshot.routes) this.putRoute(r)
    for (const c of snapshot.clOrdIds) this.addClOrdId(c.session, c.clOrdId, c.orderId)
    for (const p of snapshot.positions) this.setPosition(p.account, p.symbol, p.p)
    for (const f of snapshot.lastFills) this.addFill(f.symbol, f.id, f.px)
    for (const k of snapshot.killSwitches) this.killSwitches.add(k)
  }

  // ---- orders ------------------------------------------------------------------------

  /** Replace `before` (null: a new order) by `after`, keeping the risk totals in step. */
  putOrder (before: Order | null, after: Order | null): void {
    if (before != null) this.count(before, -1)
    if (after == null) {
      if (before != null) this.orders.delete(before.orderId)
      return
    }
    this.count(after, 1)
    this.orders.set(after.orderId, after)
    if (isTerminal(after.state)) this.finished.set(after.orderId, true)
    else this.finished.delete(after.orderId)
  }

  private count (o: Order, sign: 1 | -1): void {
    if (isTerminal(o.state) || o.state === 'Received' || o.state === 'PendingRisk') return
    this.openCount.set(o.clientSession, (this.openCount.get(o.clientSession) ?? 0) + sign)
    const key = positionKey(o.account ?? '', o.symbol)
    let q = this.openQty.get(key)
    if (q == null) { q = { buy: ZERO, sell: ZERO }; this.openQty.set(key, q) }
    const leaves = o.leavesQty.times(sign)
    if (o.side === '1') q.buy = q.buy.plus(leaves)
    else q.sell = q.sell.plus(leaves)
  }

  openOrders (clientSession: string): number { return this.openCount.get(clientSession) ?? 0 }

  openLeaves (account: string | null, symbol: string): OpenQty {
    return this.openQty.get(positionKey(account ?? '', symbol)) ?? { buy: ZERO, sell: ZERO }
  }

  /** Open orders (held included), oldest first, that match. */
  openOrdersWhere (match: (o: Order) => boolean): Order[] {
    const out: Order[] = []
    for (const o of this.orders.values()) if (!isTerminal(o.state) && match(o)) out.push(o)
    return out.sort((a, b) => compareOrderIds(a.orderId, b.orderId))
  }

  /** Drop finished orders beyond the limit whose last change is durable. */
  evictFinished (isDurable: (orderId: string) => boolean): number {
    let n = 0
    for (const id of this.finished.keys()) {
      if (this.finished.size <= this.maxFinished) break
      if (!isDurable(id)) break
      this.finished.delete(id)
      const o = this.orders.get(id)
      if (o != null && isTerminal(o.state)) this.forget(id)
      n++
    }
    return n
  }

  /** Remove an order and everything that indexes it (it stays in Postgres). */
  private forget (orderId: string): void {
    this.orders.delete(orderId)
    for (const k of this.clOrdKeysOf.get(orderId) ?? []) this.clOrdIndex.delete(k)
    this.clOrdKeysOf.delete(orderId)
    for (const k of this.routeKeysOf.get(orderId) ?? []) this.routes.delete(k)
    this.routeKeysOf.delete(orderId)
    this.firstRoute.delete(orderId)
  }

  /** How much is held, for the log and the memory check. */
  sizes (): Record<string, number> {
    return {
      orders: this.orders.size,
      finished: this.finished.size,
      clOrdIndex: this.clOrdIndex.size,
      routes: this.routes.size,
      clOrdFilterKeys: this.clOrdFilter.size,
      clOrdFilterBytes: this.clOrdFilter.bytes,
      execFilterKeys: this.execFilter.size,
      execFilterBytes: this.execFilter.bytes,
      positions: this.positions.size
    }
  }

  // ---- ClOrdIDs and routes -----------------------------------------------------------

  addClOrdId (session: string, clOrdId: string, orderId: string): void {
    const key = clOrdKey(session, clOrdId)
    this.clOrdFilter.add(key)
    this.clOrdIndex.set(key, orderId)
    const keys = this.clOrdKeysOf.get(orderId)
    if (keys == null) this.clOrdKeysOf.set(orderId, [key])
    else keys.push(key)
  }

  /** Inverse of addClOrdId for a claim that is rolled back (the key was not there before). */
  removeClOrdId (session: string, clOrdId: string, orderId: string): void {
    const key = clOrdKey(session, clOrdId)
    this.clOrdFilter.delete(key)
    this.clOrdIndex.delete(key)
    const keys = this.clOrdKeysOf.get(orderId)
    if (keys != null) {
      const i = keys.lastIndexOf(key)
      if (i >= 0) keys.splice(i, 1)
    }
  }

  /** A ClOrdID released by the retention purge: it may be used again. */
  forgetClOrdId (session: string, clOrdId: string): void {
    const key = clOrdKey(session, clOrdId)
    this.clOrdFilter.delete(key)
    this.clOrdIndex.delete(key)
  }

  /** Index the ClOrdIDs of an order loaded back from Postgres (the filter has them already). */
  indexClOrdIds (orderId: string, keys: ReadonlyArray<{ session: string, clOrdId: string }>): void {
    const list = keys.map((k) => clOrdKey(k.session, k.clOrdId))
    for (const k of list) this.clOrdIndex.set(k, orderId)
    this.clOrdKeysOf.set(orderId, list)
  }

  putRoute (r: RouteState): void {
    const key = routeKey(r.broker, r.brokerClOrdId)
    const known = this.routes.has(key)
    this.routes.set(key, r)
    if (known) return
    const keys = this.routeKeysOf.get(r.orderId)
    if (keys == null) this.routeKeysOf.set(r.orderId, [key])
    else keys.push(key)
    if (r.kind === 'new' && !this.firstRoute.has(r.orderId)) this.firstRoute.set(r.orderId, r.brokerClOrdId)
  }

  removeRoute (r: RouteState): void {
    const key = routeKey(r.broker, r.brokerClOrdId)
    this.routes.delete(key)
    const keys = this.routeKeysOf.get(r.orderId)
    if (keys != null) {
      const i = keys.lastIndexOf(key)
      if (i >= 0) keys.splice(i, 1)
    }
    if (this.firstRoute.get(r.orderId) === r.brokerClOrdId) this.firstRoute.delete(r.orderId)
  }

  // ---- positions, fills, rate --------------------------------------------------------

  setPosition (account: string, symbol: string, p: PositionState | null): void {
    const key = positionKey(account, symbol)
    if (p == null) { this.positions.delete(key); this.positionKeysOfAccount.get(account)?.delete(key); return }
    this.positions.set(key, p)
    let keys = this.positionKeysOfAccount.get(account)
    if (keys == null) { keys = new Set(); this.positionKeysOfAccount.set(account, keys) }
    keys.add(key)
  }

  /** Realized P&L of an account on the UTC day `today` (negative: a loss). */
  realizedPnlOn (account: string, today: string): Decimal {
    let sum = ZERO
    for (const key of this.positionKeysOfAccount.get(account) ?? []) {
      const p = this.positions.get(key)
      if (p != null && p.pnlDay === today) sum = sum.plus(p.realizedPnl.minus(p.dayStart))
    }
    return sum
  }

  addFill (symbol: string, id: string, px: Decimal): void {
    let list = this.lastFills.get(symbol)
    if (list == null) { list = []; this.lastFills.set(symbol, list) }
    list.push({ id, px })
    if (list.length > LAST_FILLS_KEPT) list.shift()
  }

  /** A fill that no longer counts (busted, corrected, or rolled back); returns how to put it back. */
  dropFill (symbol: string, id: string): (() => void) | null {
    const list = this.lastFills.get(symbol)
    if (list == null) return null
    const i = list.findIndex((f) => f.id === id)
    if (i < 0) return null
    const [f] = list.splice(i, 1)
    return () => { list.splice(i, 0, f) }
  }

  lastFillPrice (symbol: string): Decimal | null {
    const list = this.lastFills.get(symbol)
    return list == null || list.length === 0 ? null : list[list.length - 1].px
  }

  /** Record an accepted new order (the order-rate check counts them). */
  noteAccepted (clientSession: string, atMs: number): void {
    let list = this.acceptedAt.get(clientSession)
    if (list == null) { list = []; this.acceptedAt.set(clientSession, list) }
    list.push(atMs)
  }

  unnoteAccepted (clientSession: string): void { this.acceptedAt.get(clientSession)?.pop() }

  /** New orders of the session accepted in the second before `nowMs`. */
  acceptedInLastSecond (clientSession: string, nowMs: number): number {
    const list = this.acceptedAt.get(clientSession)
    if (list == null) return 0
    let drop = 0
    while (drop < list.length && list[drop] <= nowMs - 1000) drop++
    if (drop > 0) list.splice(0, drop)
    return list.length
  }
}

/** Our OrderIDs are O<n>: numeric order is creation order. */
export function compareOrderIds (a: string, b: string): number {
  if (a.length !== b.length) return a.length - b.length
  return a < b ? -1 : a > b ? 1 : 0
}
