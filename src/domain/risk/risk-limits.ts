/**
 * Pre-trade risk limits, as configured per client session (with per-account
 * overrides) in sessions/*.json. Every limit is optional: absent means unchecked.
 */
import type { Decimal } from '../money'

export interface TradingHours {
  /** 'HH:MM' local to timeZone, inclusive start, exclusive end; end < start spans midnight */
  readonly start: string
  readonly end: string
  readonly timeZone: string
  /** ISO weekdays 1 (Mon) .. 7 (Sun); absent = every day */
  readonly days?: readonly number[]
}

export interface RiskLimits {
  readonly maxOrderQty?: Decimal
  readonly maxNotional?: Decimal
  /** largest distance from the reference price, in percent */
  readonly priceCollarPct?: Decimal
  readonly referencePrices?: Readonly<Record<string, Decimal>>
  readonly allowSymbols?: readonly string[]
  readonly denySymbols?: readonly string[]
  readonly maxOpenOrders?: number
  /** largest absolute position per symbol, counting this order and open orders on its side */
  readonly maxPositionPerSymbol?: Decimal
  /** stop new orders once today's realized loss reaches this (positive number) */
  readonly dailyLossLimit?: Decimal
  readonly maxOrdersPerSecond?: number
  readonly tradingHours?: TradingHours
}

/** The session's limits with the account's overrides on top. */
export function limitsFor (session: RiskLimits, accounts: Readonly<Record<string, RiskLimits>> | undefined, account: string | null): RiskLimits {
  const o = account == null ? undefined : accounts?.[account]
  return o == null ? session : { ...session, ...o }
}
