/** Hand-built inputs for the pure risk checks: a calm state, a plain order, decimal helpers. */
import { Decimal, ZERO } from '../../../../src/domain/money'
import type { RiskOrder, RiskState } from '../../../../src/domain/risk/risk-checks'

export const d = (s: string): Decimal => new Decimal(s)

/** A Monday, 15:00 UTC (10:00 in New York, winter time). */
export const MONDAY_NOON_NY = new Date('2024-01-15T15:00:00Z')

/** Nothing open, nothing filled, no kill switch, no history. */
export function state (over: Partial<RiskState> = {}): RiskState {
  return {
    killSwitchGlobal: false,
    killSwitchSession: false,
    openOrders: 0,
    position: ZERO,
    openBuyQty: ZERO,
    openSellQty: ZERO,
    realizedPnlToday: ZERO,
    ordersLastSecond: 0,
    lastFillPrice: null,
    now: MONDAY_NOON_NY,
    ...over
  }
}

/** Buy 100 AAPL limit 10. */
export function order (over: Partial<RiskOrder> = {}): RiskOrder {
  return { symbol: 'AAPL', side: '1', orderQty: d('100'), price: d('10'), ...over }
}
