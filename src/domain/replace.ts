/**
 * OrderCancelReplaceRequest rules, pure. A replace may change OrderQty, Price, StopPx
 * and TimeInForce; Symbol, Side and OrdType stay. Fields the request leaves out keep
 * the order's values. The answer to a refused replace is an OrderCancelReject with
 * CxlRejReason(102) and a Text naming the tag.
 */
import type { Decimal } from './money'
import { TIME_IN_FORCES, type Order, type TimeInForce } from './order'
import { DEFAULT_RULES, boundWhy, priceField, type ValidationRules } from './new-order'
import { parseBounded, qtyBound, showValue } from './numeric-bounds'

/** CxlRejReason(102) values. */
export const CXL_REJ = {
  TOO_LATE: 0,
  UNKNOWN_ORDER: 1,
  BROKER_OPTION: 2,
  ALREADY_PENDING: 3,
  DUPLICATE_CLORDID: 6,
  OTHER: 99
} as const

export interface ReplaceRequest {
  readonly symbol: string | null
  readonly side: string | null
  readonly ordType: string | null
  readonly orderQty: string | null
  readonly price: string | null
  readonly stopPx: string | null
  readonly timeInForce: string | null
}

export interface ReplaceValues {
  readonly orderQty: Decimal
  readonly price: Decimal | null
  readonly stopPx: Decimal | null
  readonly timeInForce: TimeInForce
}

export type ReplaceValidation =
  | { readonly ok: true, readonly values: ReplaceValues }
  | { readonly ok: false, readonly cxlRejReason: number, readonly text: string }

const refuse = (text: string): ReplaceValidation => ({ ok: false, cxlRejReason: CXL_REJ.OTHER, text })

export function validateReplace (o: Order, r: ReplaceRequest, rules: ValidationRules = DEFAULT_RULES): ReplaceValidation {
  if (r.symbol != null && r.symbol !== o.symbol) return refuse(`Symbol(55) cannot change on replace (${o.symbol} -> ${r.symbol})`)
  if (r.side != null && r.side !== o.side) return refuse(`Side(54) cannot change on replace (${o.side} -> ${r.side})`)
  if (r.ordType != null && r.ordType !== o.ordType) return refuse(`OrdType(40) cannot change on replace (${o.ordType} -> ${r.ordType})`)
  // The session's bounds, on the raw string, as for a new order (numeric-bounds.ts).
  const q = r.orderQty == null ? null : parseBounded(r.orderQty, qtyBound(rules))
  if (q != null && !q.ok) return refuse(`OrderQty(38)=${showValue(r.orderQty)} ${boundWhy(q, 'must be a positive number', 'must be a positive number')}`)
  const qty = q == null ? o.orderQty : q.value
  if (qty.lt(o.cumQty)) return refuse(`OrderQty(38)=${qty.toFixed()} is below CumQty(14)=${o.cumQty.toFixed()}`)
  const tif = r.timeInForce ?? o.timeInForce
  if (!Object.hasOwn(TIME_IN_FORCES, tif)) return refuse(`TimeInForce(59)=${tif} is not supported`)
  const p = priceField(r.price, 'Price(44)', rules)
  if (!p.ok) return refuse(p.text)
  const price = p.value ?? o.price
  const sp = priceField(r.stopPx, 'StopPx(99)', rules)
  if (!sp.ok) return refuse(sp.text)
  const stopPx = sp.value ?? o.stopPx
  const needsPrice = o.ordType === '2' || o.ordType === '4'
  if (!needsPrice && r.price != null) return refuse(`Price(44) is not allowed for OrdType(40)=${o.ordType}`)
  const needsStop = o.ordType === '3' || o.ordType === '4'
  if (!needsStop && r.stopPx != null) return refuse(`StopPx(99) is not allowed for OrdType(40)=${o.ordType}`)
  // A replace carries no ExpireTime here: an order becomes GTD only if it already has one.
  if (tif === '6' && o.expireTime == null) return refuse('TimeInForce(59)=6 (GTD) needs an ExpireTime(126) the order does not have: send a new order')
  return { ok: true, values: { orderQty: qty, price: needsPrice ? price : null, stopPx: needsStop ? stopPx : null, timeInForce: tif as TimeInForce } }
}
