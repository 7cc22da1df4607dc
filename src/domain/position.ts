/**
 * Positions per account × symbol, average-cost method. A fill that reduces the
 * position realizes P&L against the average cost; one that crosses through zero
 * realizes the closed part and opens the rest at the fill price.
 */
import { Decimal, ZERO } from './money'

export interface Position {
  readonly qty: Decimal // signed: long > 0
  /** total cost of the open quantity (>= 0); the average is derived from it */
  readonly costBasis: Decimal
  readonly avgCost: Decimal
  readonly realizedPnl: Decimal
  readonly fees: Decimal
}

export const FLAT: Position = { qty: ZERO, costBasis: ZERO, avgCost: ZERO, realizedPnl: ZERO, fees: ZERO }

const avg = (cost: Decimal, qty: Decimal): Decimal => (qty.isZero() ? ZERO : cost.div(qty.abs()))

/**
 * Apply a signed quantity (buy > 0, sell < 0) at price `px`, with an optional fee.
 * The cost basis is carried whole, so closing the whole position realizes exactly
 * proceeds − cost; a partial close takes its share of the basis.
 */
export function applyToPosition (p: Position, signedQty: Decimal, px: Decimal, fee: Decimal = ZERO): Position {
  const fees = p.fees.plus(fee)
  const realizedAfterFee = p.realizedPnl.minus(fee)
  if (signedQty.isZero()) return { ...p, fees, realizedPnl: realizedAfterFee }
  const sameDirection = p.qty.isZero() || p.qty.isPositive() === signedQty.isPositive()
  if (sameDirection) {
    const qty = p.qty.plus(signedQty)
    // a flat position has no basis, whatever a stale row says
    const costBasis = (p.qty.isZero() ? ZERO : p.costBasis).plus(signedQty.abs().times(px))
    return { qty, costBasis, avgCost: avg(costBasis, qty), realizedPnl: realizedAfterFee, fees }
  }
  // Reducing (and maybe flipping): realize on the closed quantity against its share of the basis.
  const open = p.qty.abs()
  const closed = Decimal.min(open, signedQty.abs())
  const closedCost = closed.eq(open) ? p.costBasis : p.costBasis.times(closed).div(open)
  const direction = p.qty.isPositive() ? 1 : -1 // a long closes by selling above cost
  const pnl = px.times(closed).minus(closedCost).times(direction)
  const qty = p.qty.plus(signedQty)
  let costBasis: Decimal
  if (qty.isZero()) costBasis = ZERO
  else if (qty.isPositive() === p.qty.isPositive()) costBasis = p.costBasis.minus(closedCost)
  else costBasis = qty.abs().times(px) // flipped: the new side opens at the fill price
  return { qty, costBasis, avgCost: avg(costBasis, qty), realizedPnl: realizedAfterFee.plus(pnl), fees }
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
