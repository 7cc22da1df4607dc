/**
 * A client's NewOrderSingle as the domain sees it, and its validation. The FIX mapper
 * fills NewOrderRequest with the raw field strings; validation parses and checks them
 * and answers with an OrdRejReason(103) and a Text a person on the client's desk can act on.
 */
import { Decimal, parseDecimal } from './money'
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

export interface ValidationRules {
  /** most decimals allowed in OrderQty */
  readonly maxQtyDecimals: number
}

export const DEFAULT_RULES: ValidationRules = { maxQtyDecimals: 8 }

const reject = (ordRejReason: number, text: string): Validation => ({ ok: false, ordRejReason, text })

export function validateNewOrder (r: NewOrderRequest, rules: ValidationRules = DEFAULT_RULES): Validation {
  if (r.symbol == null || r.symbol === '') return reject(ORD_REJ.UNKNOWN_SYMBOL, 'Symbol(55) is required')
  if (r.side == null || !Object.hasOwn(SIDES, r.side)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `Side(54)=${r.side ?? ''} is not supported (1 Buy, 2 Sell, 5 SellShort)`)
  if (r.ordType == null || !Object.hasOwn(ORD_TYPES, r.ordType)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `OrdType(40)=${r.ordType ?? ''} is not supported (1 Market, 2 Limit, 3 Stop, 4 StopLimit)`)
  const tif = r.timeInForce ?? '0' // FIX default: Day
  if (!Object.hasOwn(TIME_IN_FORCES, tif)) return reject(ORD_REJ.UNSUPPORTED_ORDER_CHARACTERISTIC, `TimeInForce(59)=${tif} is not supported (0 Day, 1 GTC, 3 IOC, 4 FOK, 6 GTD)`)
  const qty = parseDecimal(r.orderQty)
  if (qty == null) return reject(ORD_REJ.INCORRECT_QUANTITY, `OrderQty(38)=${r.orderQty ?? ''} is not a number`)
  if (!qty.isPositive() || qty.isZero()) return reject(ORD_REJ.INCORRECT_QUANTITY, `OrderQty(38)=${r.orderQty ?? ''} must be positive`)
  if (qty.decimalPlaces() > rules.maxQtyDecimals) return reject(ORD_REJ.INCORRECT_QUANTITY, `OrderQty(38)=${r.orderQty ?? ''} has more than ${rules.maxQtyDecimals} decimals`)
  const ordType = r.ordType as OrdType
  const price = r.price == null ? null : parseDecimal(r.price)
  if (r.price != null && (price == null || !price.isPositive() || price.isZero())) return reject(ORD_REJ.OTHER, `Price(44)=${r.price} is not a positive number`)
  const stopPx = r.stopPx == null ? null : parseDecimal(r.stopPx)
  if (r.stopPx != null && (stopPx == null || !stopPx.isPositive() || stopPx.isZero())) return reject(ORD_REJ.OTHER, `StopPx(99)=${r.stopPx} is not a positive number`)
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
