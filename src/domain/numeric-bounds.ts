/**
 * Bounds on the numbers a client may send: OrderQty(38), Price(44), StopPx(99). A number
 * outside them is refused before it becomes a Decimal of any size and before anything is
 * stored, so a 1,000-digit OrderQty costs a string scan and nothing more.
 *
 * A session's bounds come from its `bounds` block (config/bounds-config.ts); the defaults
 * are what a desk would pick. No session may go beyond HARD_BOUNDS: money.ts sizes the
 * decimal.js precision on them so that no sum or product of accepted values is rounded.
 */
import { Decimal } from './money'

export interface NumericBounds {
  /** largest OrderQty(38) */
  readonly maxQty: Decimal
  /** most decimals in OrderQty(38) (trailing zeros do not count) */
  readonly maxQtyDecimals: number
  /** smallest Price(44) / StopPx(99) */
  readonly minPrice: Decimal
  /** largest Price(44) / StopPx(99) */
  readonly maxPrice: Decimal
  /** most decimals in Price(44) / StopPx(99) */
  readonly maxPriceDecimals: number
}

/** Quantities up to 10^12 with 8 decimals, prices 10^-8 … 10^9 with 8 decimals. */
export const DEFAULT_BOUNDS: NumericBounds = Object.freeze({
  maxQty: new Decimal('1000000000000'),
  maxQtyDecimals: 8,
  minPrice: new Decimal('0.00000001'),
  maxPrice: new Decimal('1000000000'),
  maxPriceDecimals: 8
})

/**
 * The widest any session may configure, and what a broker's ExecutionReport may carry.
 * money.ts's precision (60) is chosen from these: 25 + 24 digits for a notional.
 */
export const HARD_BOUNDS = Object.freeze({
  maxQty: new Decimal('1000000000000000'), // 10^15
  maxQtyDecimals: 10,
  minPrice: new Decimal('0.000000000001'), // 10^-12
  maxPrice: new Decimal('1000000000000'), // 10^12
  maxPriceDecimals: 12
})

/** One field's bound: (min or above zero) … max, with at most maxDecimals decimals. */
export interface Bound {
  /** null: any value above zero */
  readonly min: Decimal | null
  readonly max: Decimal
  readonly maxDecimals: number
  /** zero is allowed (a broker's LastPx(31) of 0, CumQty(14) of 0) */
  readonly zeroAllowed?: boolean
  /** negative values are allowed and bounded by -max (a broker's Commission(12) rebate) */
  readonly negativeAllowed?: boolean
}

export const qtyBound = (b: NumericBounds): Bound => ({ min: null, max: b.maxQty, maxDecimals: b.maxQtyDecimals })
export const priceBound = (b: NumericBounds): Bound => ({ min: b.minPrice, max: b.maxPrice, maxDecimals: b.maxPriceDecimals })

/**
 * Why a value was refused: `syntax` (not a plain decimal literal), `sign` (zero or
 * negative), or a bound, with `text` naming it ("has more than 8 decimals", "is above the
 * maximum 1000000000000", "is below the minimum 0.00000001").
 */
export type BoundProblem = { readonly kind: 'syntax' | 'sign' } | { readonly kind: 'bound', readonly text: string }

export type Bounded = { readonly ok: true, readonly value: Decimal } | ({ readonly ok: false } & BoundProblem)

/** Same literal as money.ts parseDecimal: optional sign, digits, optional fraction. */
const LITERAL_RE = /^(-?)(\d+(?:\.\d*)?|\.\d+)$/

/**
 * Parse `raw` (a FIX float field) within bound `b`, reading the string first: the sign,
 * the decimals (trailing zeros do not count) and the number of integer digits (leading
 * zeros do not count) are checked before a Decimal is built, so the Decimal built is
 * never longer than the bound allows.
 */
export function parseBounded (raw: string, b: Bound): Bounded {
  const s = raw.trim()
  const m = LITERAL_RE.exec(s)
  if (m == null) return { ok: false, kind: 'syntax' }
  const negative = m[1] === '-'
  const body = m[2]
  const dot = body.indexOf('.')
  const intPart = dot < 0 ? body : body.slice(0, dot)
  const fracPart = dot < 0 ? '' : body.slice(dot + 1)
  let i = 0
  while (i < intPart.length && intPart[i] === '0') i++
  const int = intPart.slice(i)
  let j = fracPart.length // a loop, not /0+$/, which backtracks quadratically on long runs of zeros
  while (j > 0 && fracPart[j - 1] === '0') j--
  const frac = fracPart.slice(0, j)
  const zero = int === '' && frac === ''
  if (zero ? b.zeroAllowed !== true : negative && b.negativeAllowed !== true) return { ok: false, kind: 'sign' }
  if (frac.length > b.maxDecimals) return { ok: false, kind: 'bound', text: `has more than ${b.maxDecimals} decimals` }
  const above = { ok: false, kind: 'bound', text: `is above the maximum ${b.max.toFixed()}` } as const
  if (int.length > integerDigits(b.max)) return negative ? { ok: false, kind: 'bound', text: `is below the minimum -${b.max.toFixed()}` } : above
  const value = new Decimal(`${negative && !zero ? '-' : ''}${int === '' ? '0' : int}${frac === '' ? '' : `.${frac}`}`)
  if (value.abs().gt(b.max)) return negative ? { ok: false, kind: 'bound', text: `is below the minimum -${b.max.toFixed()}` } : above
  if (!zero && !negative && b.min != null && value.lt(b.min)) return { ok: false, kind: 'bound', text: `is below the minimum ${b.min.toFixed()}` }
  return { ok: true, value }
}

/** Digits before the point of d's integer part (0 for a value below 1). */
function integerDigits (d: Decimal): number {
  return d.lt(1) ? 0 : d.trunc().toFixed().length
}

/**
 * A client's value for Text(58): as sent when short, else its start and its length, so a
 * 1,000-digit OrderQty does not come back 1,000 digits long.
 */
export function showValue (raw: string | null | undefined): string {
  if (raw == null) return ''
  return raw.length <= 32 ? raw : `${raw.slice(0, 20)}...(${raw.length} chars)`
}
