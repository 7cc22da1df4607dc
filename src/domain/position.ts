/**
 * Positions per account × symbol, average-cost method. A fill that reduces the
 * position realizes P&L against the average cost; one that crosses through zero
 * realizes the closed part and opens the rest at the fill price.
 */
import { Decimal, ZERO } from './money'

export interface Position {
  readonly qty: Decimal // signed: long > 0
  readonly avgCost: Decimal
  readonly realizedPnl: Decimal
  readonly fees: Decimal
}

export const FLAT: Position = { qty: ZERO, avgCost: ZERO, realizedPnl: ZERO, fees: ZERO }

/** Apply a signed quantity (buy > 0, sell < 0) at price `px`, with an optional fee. */
export function applyToPosition (p: Position, signedQty: Decimal, px: Decimal, fee: Decimal = ZERO): Position {
  const fees = p.fees.plus(fee)
  const realizedAfterFee = p.realizedPnl.minus(fee)
  if (signedQty.isZero()) return { ...p, fees, realizedPnl: realizedAfterFee }
  const sameDirection = p.qty.isZero() || p.qty.isPositive() === signedQty.isPositive()
  if (sameDirection) {
    const qty = p.qty.plus(signedQty)
    const avgCost = p.qty.abs().times(p.avgCost).plus(signedQty.abs().times(px)).div(qty.abs())
    return { qty, avgCost, realizedPnl: realizedAfterFee, fees }
  }
  // Reducing (and maybe flipping): realize on the closed quantity.
  const closed = Decimal.min(p.qty.abs(), signedQty.abs())
  const direction = p.qty.isPositive() ? 1 : -1 // long closes by selling above cost
  const pnl = px.minus(p.avgCost).times(closed).times(direction)
  const qty = p.qty.plus(signedQty)
  const avgCost = qty.isZero() ? ZERO : (qty.isPositive() === p.qty.isPositive() ? p.avgCost : px)
  return { qty, avgCost, realizedPnl: realizedAfterFee.plus(pnl), fees }
}

/** One fill as positions see it. */
export interface PositionFill {
  readonly signedQty: Decimal
  readonly px: Decimal
  readonly fee: Decimal
}

/** The position the fills add up to, applied in trade order (how busts are undone exactly). */
export function positionFromFills (fills: readonly PositionFill[]): Position {
  return fills.reduce((p, f) => applyToPosition(p, f.signedQty, f.px, f.fee), FLAT)
}
