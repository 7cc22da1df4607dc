/**
 * The pre-trade risk chain: pure checks over the order, the limits and a snapshot of
 * the state (open orders, position, P&L, rate, kill switches) read in the same
 * transaction. The chain stops at the first denial. Denials are a closed set of codes,
 * each rendered with its numbers (limit vs requested) and mapped to OrdRejReason(103)
 * in one table.
 */
import { Decimal, ZERO } from '../money'
import type { Side } from '../order'
import type { RiskLimits, TradingHours } from './risk-limits'

export interface RiskOrder {
  readonly symbol: string
  readonly side: Side
  readonly orderQty: Decimal
  /** limit price, else the reference price for market / stop orders; null if unknown */
  readonly price: Decimal | null
  /** replace: the order's quantity before the replace; the order is still in RiskState's open totals */
  readonly replacing?: { readonly orderQty: Decimal }
}

export interface RiskState {
  readonly killSwitchGlobal: boolean
  readonly killSwitchSession: boolean
  /** open orders of the session, not counting this one */
  readonly openOrders: number
  /** current signed position of the account in the symbol */
  readonly position: Decimal
  /** LeavesQty of open buy / sell orders of the account in the symbol (a replaced order included) */
  readonly openBuyQty: Decimal
  readonly openSellQty: Decimal
  /** realized P&L of the account today (negative = loss) */
  readonly realizedPnlToday: Decimal
  /** new orders of the session in the last second, not counting this one */
  readonly ordersLastSecond: number
  /** last fill price in the symbol, the reference when none is configured */
  readonly lastFillPrice: Decimal | null
  readonly now: Date
}

/** Which parts of RiskState the configured limits read: the rest need not be fetched. */
export interface RiskNeeds {
  readonly openOrders: boolean
  readonly position: boolean
  readonly pnl: boolean
  readonly rate: boolean
  readonly lastFill: boolean
}

export function riskNeeds (l: RiskLimits): RiskNeeds {
  return {
    openOrders: l.maxOpenOrders != null,
    position: l.maxPositionPerSymbol != null,
    pnl: l.dailyLossLimit != null,
    rate: l.maxOrdersPerSecond != null,
    // the reference price falls back to the last fill
    lastFill: l.maxNotional != null || l.priceCollarPct != null
  }
}

export type RiskDenial =
  | { readonly code: 'KILL_SWITCH', readonly scope: 'global' | 'session' }
  | { readonly code: 'TRADING_HOURS', readonly now: string, readonly window: string }
  | { readonly code: 'SYMBOL_DENIED', readonly symbol: string }
  | { readonly code: 'SYMBOL_NOT_ALLOWED', readonly symbol: string }
  | { readonly code: 'QTY_EXCEEDS_MAX', readonly qty: Decimal, readonly max: Decimal }
  | { readonly code: 'NOTIONAL_EXCEEDS_MAX', readonly notional: Decimal, readonly max: Decimal }
  | { readonly code: 'NO_REFERENCE_PRICE', readonly symbol: string }
  | { readonly code: 'PRICE_OUTSIDE_COLLAR', readonly price: Decimal, readonly reference: Decimal, readonly pct: Decimal }
  | { readonly code: 'MAX_OPEN_ORDERS', readonly open: number, readonly max: number }
  | { readonly code: 'POSITION_EXCEEDS_MAX', readonly projected: Decimal, readonly max: Decimal }
  | { readonly code: 'DAILY_LOSS_LIMIT', readonly loss: Decimal, readonly limit: Decimal }
  | { readonly code: 'ORDER_RATE', readonly rate: number, readonly max: number }

/** OrdRejReason(103) per denial: 2 exchange closed, 3 order exceeds limit, 99 other. */
export const ORD_REJ_REASON: { readonly [C in RiskDenial['code']]: number } = {
  KILL_SWITCH: 99,
  TRADING_HOURS: 2,
  SYMBOL_DENIED: 99,
  SYMBOL_NOT_ALLOWED: 99,
  QTY_EXCEEDS_MAX: 3,
  NOTIONAL_EXCEEDS_MAX: 3,
  NO_REFERENCE_PRICE: 99,
  PRICE_OUTSIDE_COLLAR: 99,
  MAX_OPEN_ORDERS: 3,
  POSITION_EXCEEDS_MAX: 3,
  DAILY_LOSS_LIMIT: 3,
  ORDER_RATE: 3
}

const f = (d: Decimal): string => d.toFixed()

/** The Text(58) of a denial: the check, then the numbers. */
export function renderDenial (d: RiskDenial): string {
  switch (d.code) {
    case 'KILL_SWITCH': return `KILL_SWITCH: trading halted (${d.scope} kill switch is on)`
    case 'TRADING_HOURS': return `TRADING_HOURS: ${d.now} is outside trading hours ${d.window}`
    case 'SYMBOL_DENIED': return `SYMBOL_DENIED: ${d.symbol} is on the deny list`
    case 'SYMBOL_NOT_ALLOWED': return `SYMBOL_NOT_ALLOWED: ${d.symbol} is not on the allow list`
    case 'QTY_EXCEEDS_MAX': return `QTY_EXCEEDS_MAX: quantity ${f(d.qty)} > max ${f(d.max)}`
    case 'NOTIONAL_EXCEEDS_MAX': return `NOTIONAL_EXCEEDS_MAX: notional ${f(d.notional)} > max ${f(d.max)}`
    case 'NO_REFERENCE_PRICE': return `NO_REFERENCE_PRICE: no reference price for ${d.symbol} to check the order against`
    case 'PRICE_OUTSIDE_COLLAR': return `PRICE_OUTSIDE_COLLAR: price ${f(d.price)} is more than ${f(d.pct)}% from reference ${f(d.reference)}`
    case 'MAX_OPEN_ORDERS': return `MAX_OPEN_ORDERS: ${d.open} open orders, max ${d.max}`
    case 'POSITION_EXCEEDS_MAX': return `POSITION_EXCEEDS_MAX: projected position ${f(d.projected)} > max ${f(d.max)}`
    case 'DAILY_LOSS_LIMIT': return `DAILY_LOSS_LIMIT: realized loss today ${f(d.loss)} >= limit ${f(d.limit)}`
    case 'ORDER_RATE': return `ORDER_RATE: ${d.rate} orders in the last second, max ${d.max}`
  }
}

export type RiskCheck = (o: RiskOrder, l: RiskLimits, s: RiskState) => RiskDenial | null

export const killSwitch: RiskCheck = (_o, _l, s) =>
  s.killSwitchGlobal ? { code: 'KILL_SWITCH', scope: 'global' } : s.killSwitchSession ? { code: 'KILL_SWITCH', scope: 'session' } : null

export const tradingHours: RiskCheck = (_o, l, s) => {
  const h = l.tradingHours
  if (h == null || withinTradingHours(h, s.now)) return null
  const days = h.days == null ? '' : ` days ${h.days.join(',')}`
  return { code: 'TRADING_HOURS', now: s.now.toISOString(), window: `${h.start}-${h.end} ${h.timeZone}${days}` }
}

export const symbolLists: RiskCheck = (o, l) => {
  if (l.denySymbols?.includes(o.symbol) === true) return { code: 'SYMBOL_DENIED', symbol: o.symbol }
  if (l.allowSymbols != null && !l.allowSymbols.includes(o.symbol)) return { code: 'SYMBOL_NOT_ALLOWED', symbol: o.symbol }
  return null
}

export const maxOrderQty: RiskCheck = (o, l) =>
  l.maxOrderQty != null && o.orderQty.gt(l.maxOrderQty) ? { code: 'QTY_EXCEEDS_MAX', qty: o.orderQty, max: l.maxOrderQty } : null

export const maxNotional: RiskCheck = (o, l, s) => {
  if (l.maxNotional == null) return null
  const px = o.price ?? referencePrice(o.symbol, l, s)
  if (px == null) return { code: 'NO_REFERENCE_PRICE', symbol: o.symbol }
  const notional = o.orderQty.times(px)
  return notional.gt(l.maxNotional) ? { code: 'NOTIONAL_EXCEEDS_MAX', notional, max: l.maxNotional } : null
}

export const priceCollar: RiskCheck = (o, l, s) => {
  if (l.priceCollarPct == null || o.price == null) return null
  const ref = referencePrice(o.symbol, l, s)
  if (ref == null) return null // nothing to compare with yet: the notional check covers market orders
  const distance = o.price.minus(ref).abs().div(ref).times(100)
  return distance.gt(l.priceCollarPct) ? { code: 'PRICE_OUTSIDE_COLLAR', price: o.price, reference: ref, pct: l.priceCollarPct } : null
}

export const maxOpenOrders: RiskCheck = (o, l, s) => {
  if (l.maxOpenOrders == null || o.replacing != null) return null
  return s.openOrders + 1 > l.maxOpenOrders ? { code: 'MAX_OPEN_ORDERS', open: s.openOrders, max: l.maxOpenOrders } : null
}

export const maxPosition: RiskCheck = (o, l, s) => {
  if (l.maxPositionPerSymbol == null) return null
  const buy = o.side === '1'
  const added = o.orderQty.minus(o.replacing?.orderQty ?? ZERO)
  const projected = buy ? s.position.plus(s.openBuyQty).plus(added) : s.position.minus(s.openSellQty).minus(added)
  return projected.abs().gt(l.maxPositionPerSymbol) ? { code: 'POSITION_EXCEEDS_MAX', projected, max: l.maxPositionPerSymbol } : null
}

export const dailyLoss: RiskCheck = (_o, l, s) => {
  if (l.dailyLossLimit == null) return null
  const loss = s.realizedPnlToday.negated()
  return loss.gte(l.dailyLossLimit) ? { code: 'DAILY_LOSS_LIMIT', loss, limit: l.dailyLossLimit } : null
}

export const orderRate: RiskCheck = (o, l, s) => {
  if (l.maxOrdersPerSecond == null || o.replacing != null) return null
  return s.ordersLastSecond + 1 > l.maxOrdersPerSecond ? { code: 'ORDER_RATE', rate: s.ordersLastSecond + 1, max: l.maxOrdersPerSecond } : null
}

/** The chain, in order: cheapest and most absolute first. */
export const RISK_CHAIN: ReadonlyArray<readonly [string, RiskCheck]> = [
  ['killSwitch', killSwitch],
  ['tradingHours', tradingHours],
  ['symbolLists', symbolLists],
  ['orderRate', orderRate],
  ['maxOrderQty', maxOrderQty],
  ['maxNotional', maxNotional],
  ['priceCollar', priceCollar],
  ['maxOpenOrders', maxOpenOrders],
  ['maxPosition', maxPosition],
  ['dailyLoss', dailyLoss]
]

export interface RiskEvaluation {
  /** names of the checks that ran and passed, in order */
  readonly passed: readonly string[]
  readonly denial: RiskDenial | null
  readonly deniedBy: string | null
}

export function evaluateRisk (o: RiskOrder, l: RiskLimits, s: RiskState): RiskEvaluation {
  const passed: string[] = []
  for (const [name, check] of RISK_CHAIN) {
    const denial = check(o, l, s)
    if (denial != null) return { passed, denial, deniedBy: name }
    passed.push(name)
  }
  return { passed, denial: null, deniedBy: null }
}

export function referencePrice (symbol: string, l: RiskLimits, s: RiskState): Decimal | null {
  // hasOwn: Symbol(55) is client input, and 'constructor' must not find Object.prototype's
  const refs = l.referencePrices
  return (refs != null && Object.hasOwn(refs, symbol) ? refs[symbol] : null) ?? s.lastFillPrice
}

/** Local wall-clock time and ISO weekday of `now` in `timeZone`. */
function localTime (now: Date, timeZone: string): { minutes: number, weekday: number } {
  const parts = new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', weekday: 'short', hourCycle: 'h23' }).formatToParts(now)
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? ''
  const weekday = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(get('weekday')) + 1
  return { minutes: Number(get('hour')) * 60 + Number(get('minute')), weekday }
}

const toMinutes = (hhmm: string): number => Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5))

export function withinTradingHours (h: TradingHours, now: Date): boolean {
  const { minutes, weekday } = localTime(now, h.timeZone)
  if (h.days != null && !h.days.includes(weekday)) return false
  const start = toMinutes(h.start)
  const end = toMinutes(h.end)
  return start <= end ? minutes >= start && minutes < end : minutes >= start || minutes < end
}
