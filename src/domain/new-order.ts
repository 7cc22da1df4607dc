/**
 * A client's NewOrderSingle as the domain sees it, and its validation. The FIX mapper
 * fills NewOrderRequest with the raw field strings; validation parses and checks them
 * and answers with an OrdRejReason(103) and a Text a person on the client's desk can act on.
 */
import type { Decimal } from './money'
import { DEFAULT_BOUNDS, parseBounded, priceBound, qtyBound, showValue, type BoundProblem, type NumericBounds } from './numeric-bounds'
import { ORD_TYPES, SIDES, TIME_IN_FORCES, type OrdType, type Side, type TimeInForce } from './order'

export interface NewOrderRequest {
  readonly clOrdId: string
  readonly account: string | null
  readonly symbol: string | null
  readonly securityType: string | null
  readonly side: string | null
  readonly ordType: string | null
  readonly timeInForce: string | null
  readonly orderQty: string | null
  readonly price: string | null
  readonly stopPx: string | null
  readonly handlInst: string | null
  readonly exDestination: string | null
  readonly expireTime: Date | null
}

export interface ValidNewOrder {
  readonly clOrdId: string
  readonly account: string | null
  readonly symbol: string
  readonly securityType: string | null
  readonly side: Side
  readonly ordType: OrdType
  readonly timeInForce: TimeInForce
  readonly orderQty: Decimal
  readonly price: Decimal | null
  readonly stopPx: Decimal | null
  readonly handlInst: string | null
  readonly exDestination: string | null
  readonly expireTime: Date | null
}

/** OrdRejReason(103) values we use. */
export const ORD_REJ = {
  BROKER_OPTION: 0,
  UNKNOWN_SYMBOL: 1,
  EXCHANGE_CLOSED: 2,
  EXCEEDS_LIMIT: 3,
  UNKNOWN_ORDER: 5,
  DUPLICATE_ORDER: 6,
  UNSUPPORTED_ORDER_CHARACTERISTIC: 11,
  INCORRECT_QUANTITY: 13,
  OTHER: 99
} as const

export type Rejection = { readonly ordRejReason: number, readonly text: string }
export type Validation = { readonly ok: true, readonly order: ValidNewOrder } | ({ readonly ok: false } & Rejection)

/**
 * A session's rules for the numbers in an order: OrderQty(38) digits, decimals and
 * magnitude, Price(44) / StopPx(99) range and decimals (numeric-bounds.ts).
 */
export type ValidationRules = NumericBounds

export const DEFAULT_RULES: ValidationRules = DEFAULT_BOUNDS

const reject = (ordRejReason: number, text: string): Validation => ({ ok: false, ordRejReason, text })

export function validateNewOrder (r: NewOrderRequest, rules: ValidationRules = DEFAULT_RULES): Validation {
  if (r.symbol == null || r.symbol === '') return reject(ORD_REJ.UNKNOWN_SYMBOL, 'Symbol(55) is required')
  if (r.side == null || !Object.hasOwn(SIDES, r.side)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `Side(54)=${r.side ?? ''} is not supported (1 Buy, 2 Sell, 5 SellShort)`)
  if (r.ordType == null || !Object.hasOwn(ORD_TYPES, r.ordType)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `OrdType(40)=${r.ordType ?? ''} is not supported (1 Market, 2 Limit, 3 Stop, 4 StopLimit)`)
  const tif = r.timeInForce ?? '0' // FIX default: Day
  if (!Object.hasOwn(TIME_IN_FORCES, tif)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `TimeInForce(59)=${tif} is not supported (0 Day, 1 GTC, 3 IOC, 4 FOK, 6 GTD)`)
  // Numbers are checked on the raw string, against the session's bounds, before any
  // Decimal is built: a 1,000-digit OrderQty is refused by its length.
  const q = r.orderQty == null ? null : parseBounded(r.orderQty, qtyBound(rules))
  if (q == null || !q.ok) {
    const why = q == null ? 'is not a number' : boundWhy(q, 'is not a number', 'must be positive')
    return reject(ORD_REJ.INCORRECT_QUANTITY, `OrderQty(38)=${showValue(r.orderQty)} ${why}`)
  }
  const qty = q.value
  const ordType = r.ordType as OrdType
  const p = priceField(r.price, 'Price(44)', rules)
  if (!p.ok) return reject(ORD_REJ.OTHER, p.text)
  const price = p.value
  const sp = priceField(r.stopPx, 'StopPx(99)', rules)
  if (!sp.ok) return reject(ORD_REJ.OTHER, sp.text)
  const stopPx = sp.value
  const needsPrice = ordType === '2' || ordType === '4'
  if (needsPrice && price == null) return reject(ORD_REJ.OTHER, `Price(44) is required for OrdType(40)=${ordType} (${ORD_TYPES[ordType]})`)
  if (!needsPrice && price != null) return reject(ORD_REJ.OTHER, `Price(44) is not allowed for OrdType(40)=${ordType} (${ORD_TYPES[ordType]})`)
  const needsStop = ordType === '3' || ordType === '4'
  if (needsStop && stopPx == null) return reject(ORD_REJ.OTHER, `StopPx(99) is required for OrdType(40)=${ordType} (${ORD_TYPES[ordType]})`)
  if (tif === '6' && r.expireTime == null) return reject(ORD_REJ.OTHER, 'TimeInForce(59)=6 (GTD) requires ExpireTime(126) or ExpireDate(432)')
  return {
    ok: true,
    order: {
      clOrdId: r.clOrdId,
      account: r.account,
      symbol: r.symbol,
      securityType: r.securityType,
      side: r.side as Side,
      ordType,
      timeInForce: tif as TimeInForce,
      orderQty: qty,
      price,
      stopPx: needsStop ? stopPx : null,
      handlInst: r.handlInst,
      exDestination: r.exDestination,
      expireTime: r.expireTime
    }
  }
}

/**
 * An optional Price(44) / StopPx(99) within the session's price bounds; the refusal Text
 * names the field and the bound. Shared with replace.ts.
 */
export function priceField (raw: string | null, label: string, rules: ValidationRules): { readonly ok: true, readonly value: Decimal | null } | { readonly ok: false, readonly text: string } {
  if (raw == null) return { ok: true, value: null }
  const p = parseBounded(raw, priceBound(rules))
  if (p.ok) return p
  return { ok: false, text: `${label}=${showValue(raw)} ${boundWhy(p, 'is not a positive number', 'is not a positive number')}` }
}

/** The words after `Field(tag)=value` for a refused number. */
export function boundWhy (p: BoundProblem, syntax: string, sign: string): string {
  if (p.kind === 'bound') return p.text
  return p.kind === 'syntax' ? syntax : sign
}
