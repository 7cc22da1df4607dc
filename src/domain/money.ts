/**
 * Quantities, prices and money: decimal.js only. A JS number never carries one of
 * these values in the domain; the wire carries strings and Postgres `numeric`.
 */
import Decimal from 'decimal.js'

export { Decimal }

// The one place decimal.js is configured (the library's constructor is global: every
// `import Decimal` in the process shares this setting). 60 significant digits, so sums and
// products of the values we accept are always exact: the widest bounds a session may
// configure (numeric-bounds.ts HARD_BOUNDS) are quantities below 10^15 with 10 decimals
// (25 digits) and prices below 10^12 with 12 decimals (24 digits), so a notional needs at
// most 49 digits, and a sum of notionals (positions, P&L) a few more. Broker values are held
// to the same ceilings (execution-normalizer.ts). Only quotients (AvgPx, average cost)
// round, at 60 digits, far below any tick; results are rounded explicitly where needed.
Decimal.set({ precision: 60, rounding: Decimal.ROUND_HALF_EVEN })

export const ZERO = new Decimal(0)

/**
 * A FIX float literal: optional sign, digits, optional fraction; "23.", ".5" and "23.0"
 * are all valid (FIX 4.4 float type). No exponent, no spaces inside.
 */
const DECIMAL_RE = /^-?(\d+(\.\d*)?|\.\d+)$/

/** Parse a FIX decimal field; null when it is not a plain decimal literal. */
export function parseDecimal (raw: string | null | undefined): Decimal | null {
  if (raw == null) return null
  const s = raw.trim()
  if (!DECIMAL_RE.test(s)) return null
  return new Decimal(s)
}

/** Significant digits after the decimal point (`1.50` → 1: trailing zeros do not count, as in FIX). */
export function decimalPlaces (d: Decimal): number {
  return d.decimalPlaces()
}

/** Render for the wire and for Postgres: plain notation, never exponent form. */
export function toWire (d: Decimal): string {
  return d.toFixed()
}
