/**
 * The order as the OMS sees it. FIX wire codes appear here only as the values of the
 * closed enums below (Side, OrdType, TimeInForce): they are the FIX values on purpose,
 * so the mappers do not need a second translation table for them.
 */
import { Decimal } from './money'
import type { ClOrdId, OrderId } from './ids'
import type { OrdState } from './order-state'

export const SIDES = { '1': 'Buy', '2': 'Sell', '5': 'SellShort' } as const
export type Side = keyof typeof SIDES

export const ORD_TYPES = { '1': 'Market', '2': 'Limit', '3': 'Stop', '4': 'StopLimit' } as const
export type OrdType = keyof typeof ORD_TYPES

export const TIME_IN_FORCES = { '0': 'Day', '1': 'GTC', '3': 'IOC', '4': 'FOK', '6': 'GTD' } as const
export type TimeInForce = keyof typeof TIME_IN_FORCES

/** The one cancel or replace an order may have in flight toward its broker. */
export interface PendingRequest {
  readonly kind: 'cancel' | 'replace'
  /** the client's ClOrdID of the request; null for a mass cancel (no ClOrdID per order) */
  readonly clOrdId: ClOrdId | null
  readonly brokerClOrdId: string | null
  /** replace only: the values the order takes once the broker confirms */
  readonly orderQty: Decimal | null
  readonly price: Decimal | null
  readonly stopPx: Decimal | null
  readonly timeInForce: TimeInForce | null
}

export interface Order {
  readonly orderId: OrderId
  readonly clientSession: string
  readonly clOrdId: ClOrdId // last accepted ClOrdID
  readonly origClOrdId: ClOrdId | null
  readonly account: string | null
  readonly symbol: string
  readonly securityType: string | null
  readonly side: Side
  readonly ordType: OrdType
  readonly timeInForce: TimeInForce
  readonly expireTime: Date | null
  readonly orderQty: Decimal
  readonly price: Decimal | null
  readonly stopPx: Decimal | null
  readonly handlInst: string | null
  readonly exDestination: string | null
  readonly state: OrdState
  readonly cumQty: Decimal
  readonly leavesQty: Decimal
  readonly avgPx: Decimal
  readonly brokerSession: string | null
  readonly brokerOrderId: string | null
  /** last ClOrdID the broker accepted for this order (OrigClOrdID of our next request) */
  readonly brokerClOrdId: string | null
  readonly pending: PendingRequest | null
  readonly version: number
}

/** +1 for buys, -1 for sells: the sign a fill adds to a position. */
export function sideSign (side: Side): 1 | -1 {
  return side === '1' ? 1 : -1
}
