/**
 * The `bounds` block of a client session file: the digits, decimals and magnitude this
 * client's OrderQty(38), Price(44) and StopPx(99) may have (domain/numeric-bounds.ts).
 * Every field is optional; a field left out keeps its default. Decimals are strings (or
 * whole JSON numbers), as in the `risk` block.
 *
 * ```jsonc
 * "bounds": {
 *   "maxQty": "1000000000000",   // default 10^12; at most 10^15
 *   "maxQtyDecimals": 8,         // default 8; 0..10
 *   "minPrice": "0.00000001",    // default 10^-8 (10^-maxPriceDecimals if larger); at least 10^-12
 *   "maxPrice": "1000000000",    // default 10^9; at most 10^12
 *   "maxPriceDecimals": 8        // default 8; 0..12
 * }
 * ```
 *
 * The ceilings are HARD_BOUNDS, on which money.ts sizes the decimal precision: a session
 * cannot configure its way into silently rounded arithmetic.
 */
import { Decimal } from '../domain/money'
import { DEFAULT_BOUNDS, HARD_BOUNDS, type NumericBounds } from '../domain/numeric-bounds'

type Fail = (field: string, problem: string) => never
type Json = Record<string, unknown>

export const BOUNDS_FIELDS = ['maxQty', 'maxQtyDecimals', 'minPrice', 'maxPrice', 'maxPriceDecimals'] as const

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

/** A positive decimal written as a string ("0.00000001") or a whole JSON number. */
function positiveDecimal (v: unknown, at: string, fail: Fail): Decimal {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail(at, `write fractional or large numbers as strings, e.g. "${String(v)}" (JSON numbers are binary floats)`)
    v = String(v)
  }
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) fail(at, `must be a positive decimal such as "1000000" or "0.0001" (got ${JSON.stringify(v)})`)
  // At most 40 characters: anything longer is beyond every ceiling below, and not worth parsing.
  if ((v as string).length > 40) fail(at, `must be at most 40 characters long (got ${(v as string).length})`)
  const d = new Decimal(v as string)
  if (d.isZero()) fail(at, 'must be greater than 0')
  return d
}

function decimals (v: unknown, at: string, max: number, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(at, `must be a whole number of decimals (got ${typeof v === 'number' ? String(v) : kind(v)})`)
  if ((v as number) < 0 || (v as number) > max) fail(at, `must be between 0 and ${max} (got ${v as number})`)
  return v as number
}

/** Parse the `bounds` block (undefined → the defaults). */
export function parseBounds (raw: unknown, fail: Fail): NumericBounds {
  if (raw === undefined) return DEFAULT_BOUNDS
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('bounds', `must be an object (got ${kind(raw)})`)
  const o = raw as Json
  for (const k of Object.keys(o)) {
    if (!(BOUNDS_FIELDS as readonly string[]).includes(k)) fail(`bounds.${k}`, `unknown field (known: ${BOUNDS_FIELDS.join(', ')})`)
  }
  const maxQty = o.maxQty === undefined ? DEFAULT_BOUNDS.maxQty : positiveDecimal(o.maxQty, 'bounds.maxQty', fail)
  if (maxQty.gt(HARD_BOUNDS.maxQty)) fail('bounds.maxQty', `must be at most ${HARD_BOUNDS.maxQty.toFixed()} (got ${maxQty.toFixed()})`)
  const maxQtyDecimals = o.maxQtyDecimals === undefined ? DEFAULT_BOUNDS.maxQtyDecimals : decimals(o.maxQtyDecimals, 'bounds.maxQtyDecimals', HARD_BOUNDS.maxQtyDecimals, fail)
  const maxPriceDecimals = o.maxPriceDecimals === undefined ? DEFAULT_BOUNDS.maxPriceDecimals : decimals(o.maxPriceDecimals, 'bounds.maxPriceDecimals', HARD_BOUNDS.maxPriceDecimals, fail)
  // Left out, minPrice is the default or the smallest price maxPriceDecimals can write, whichever is larger.
  const minPrice = o.minPrice === undefined
    ? Decimal.max(DEFAULT_BOUNDS.minPrice, new Decimal(10).pow(-maxPriceDecimals))
    : positiveDecimal(o.minPrice, 'bounds.minPrice', fail)
  if (minPrice.lt(HARD_BOUNDS.minPrice)) fail('bounds.minPrice', `must be at least ${HARD_BOUNDS.minPrice.toFixed()} (got ${minPrice.toFixed()})`)
  const maxPrice = o.maxPrice === undefined ? DEFAULT_BOUNDS.maxPrice : positiveDecimal(o.maxPrice, 'bounds.maxPrice', fail)
  if (maxPrice.gt(HARD_BOUNDS.maxPrice)) fail('bounds.maxPrice', `must be at most ${HARD_BOUNDS.maxPrice.toFixed()} (got ${maxPrice.toFixed()})`)
  if (!maxPrice.gt(minPrice)) fail('bounds.maxPrice', `must be greater than bounds.minPrice (${minPrice.toFixed()})`)
  // A price with more decimals than allowed could never be sent: the two settings disagree.
  if (minPrice.decimalPlaces() > maxPriceDecimals) {
    fail('bounds.minPrice', `has ${minPrice.decimalPlaces()} decimals, more than bounds.maxPriceDecimals (${maxPriceDecimals}): no price could be that small`)
  }
  return Object.freeze({ maxQty, maxQtyDecimals, minPrice, maxPrice, maxPriceDecimals })
}
