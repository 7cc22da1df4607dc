/**
 * CumQty, LeavesQty and AvgPx are computed by us from the fills, never copied from a
 * broker: the client sees numbers that add up whatever the broker sends.
 */
import { Decimal, ZERO } from './money'

export interface FillTotals {
  readonly cumQty: Decimal
  readonly avgPx: Decimal
}

/** Totals after adding a fill of lastQty @ lastPx (lastQty may be negative for a bust). */
export function addFill (t: FillTotals, lastQty: Decimal, lastPx: Decimal): FillTotals {
  const cumQty = t.cumQty.plus(lastQty)
  if (cumQty.lte(0)) return { cumQty: ZERO, avgPx: ZERO }
  const notional = t.cumQty.times(t.avgPx).plus(lastQty.times(lastPx))
  return { cumQty, avgPx: notional.div(cumQty) }
}

/** LeavesQty for an order still working: never negative (an overfill leaves 0). */
export function leavesQty (orderQty: Decimal, cumQty: Decimal, terminal: boolean): Decimal {
  if (terminal) return ZERO
  const leaves = orderQty.minus(cumQty)
  return leaves.isNegative() ? ZERO : leaves
}
