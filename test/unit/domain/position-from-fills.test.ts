import { expect } from 'chai'
import { Decimal } from '../../../src/domain/money'
import { FLAT, applyToPosition, positionFromFills, type Position, type PositionFill } from '../../../src/domain/position'

const d = (s: string | number): Decimal => new Decimal(s)

/** A fill: signed quantity (buy > 0, sell < 0) @ price, fee. */
const fill = (qty: string, px: string, fee = '0'): PositionFill => ({ signedQty: d(qty), px: d(px), fee: d(fee) })

function show (p: Position): { qty: string, avgCost: string, realizedPnl: string, fees: string } {
  return { qty: p.qty.toFixed(), avgCost: p.avgCost.toFixed(), realizedPnl: p.realizedPnl.toFixed(), fees: p.fees.toFixed() }
}

/** What the gateway stores: each fill applied to the position left by the one before. */
function oneByOne (fills: readonly PositionFill[]): Position {
  let p = FLAT
  for (const f of fills) p = applyToPosition(p, f.signedQty, f.px, f.fee)
  return p
}

const without = <T>(xs: readonly T[], i: number): T[] => xs.filter((_, j) => j !== i)

// long, add, partial close, flip short, add short, cover, re-open: every branch of the method
const DAY: readonly PositionFill[] = [
  fill('100', '10', '1'),
  fill('50', '10.3', '0.5'),
  fill('-60', '11', '0.6'),
  fill('-150', '12', '1.5'),
  fill('-40', '11.5', '0.4'),
  fill('60', '11', '0.25'),
  fill('30', '10.75', '0.3'),
  fill('0.5', '10.5', '0.01')
]

describe('domain/position positionFromFills (how busts and corrections are undone)', () => {
  it('no fills: flat, nothing realized, no fees', () => {
    expect(show(positionFromFills([]))).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '0', fees: '0' })
  })

  it('equals applying the fills one by one, after every prefix of the day', () => {
    for (let n = 0; n <= DAY.length; n++) {
      expect(show(positionFromFills(DAY.slice(0, n))), `first ${n} fills`).to.deep.equal(show(oneByOne(DAY.slice(0, n))))
    }
  })

  it('the day by hand: 100@10 + 50@10.3 → 150@10.1; −60@11 realizes 54; −150@12 closes 90 (+171) and opens −60@12; …', () => {
    expect(show(positionFromFills(DAY.slice(0, 4)))).to.deep.equal({ qty: '-60', avgCost: '12', realizedPnl: '221.4', fees: '3.6' })
    // −40@11.5 → −100 @ 11.8; +60@11 realizes 0.8 × 60 = 48; +30@10.75 realizes 1.05 × 30 = 31.5; +0.5@10.5 realizes 0.65
    expect(show(positionFromFills(DAY))).to.deep.equal({ qty: '-9.5', avgCost: '11.8', realizedPnl: '300.59', fees: '4.56' })
  })

  it('does not modify the fills it is given', () => {
    const fills = DAY.slice()
    const before = JSON.stringify(fills)
    positionFromFills(fills)
    expect(JSON.stringify(fills)).to.equal(before)
  })

  describe('a bust: the fill removed from the list', () => {
    it('gives, for every fill of the day, the position as if that fill never happened', () => {
      for (let i = 0; i < DAY.length; i++) {
        expect(show(positionFromFills(without(DAY, i))), `bust of fill ${i}`).to.deep.equal(show(oneByOne(without(DAY, i))))
      }
    })

    it('busting a closing sell takes its realized P&L and its fee away', () => {
      const fills = [fill('100', '10', '1'), fill('-60', '11', '1'), fill('50', '12', '0.5')]
      expect(show(positionFromFills(fills))).to.deep.equal({ qty: '90', avgCost: d(40 * 10 + 50 * 12).div(90).toFixed(), realizedPnl: '57.5', fees: '2.5' })
      // 100@10 + 50@12 → 150 @ 10.6666…; only the two buys' fees remain
      expect(show(positionFromFills(without(fills, 1)))).to.deep.equal({ qty: '150', avgCost: d(1600).div(150).toFixed(), realizedPnl: '-1.5', fees: '1.5' })
    })

    it('is not the same as trading the fill back: an offsetting trade would keep the realized P&L', () => {
      const fills = [fill('100', '10'), fill('-60', '11')]
      const offset = positionFromFills([...fills, fill('60', '11')])
      expect(show(offset)).to.deep.equal({ qty: '100', avgCost: '10.6', realizedPnl: '60', fees: '0' })
      expect(show(positionFromFills(without(fills, 1)))).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '0', fees: '0' })
    })

    it('busting an opening buy changes the P&L later closes realized against it', () => {
      const fills = [fill('100', '10'), fill('100', '12'), fill('-100', '13')]
      expect(show(positionFromFills(fills))).to.deep.equal({ qty: '100', avgCost: '11', realizedPnl: '200', fees: '0' })
      expect(show(positionFromFills(without(fills, 0)))).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '100', fees: '0' })
    })

    it('busting the fill that flipped the position leaves it on its original side', () => {
      const fills = [fill('100', '10'), fill('-150', '12'), fill('-10', '12.5')]
      expect(show(positionFromFills(fills))).to.deep.equal({ qty: '-60', avgCost: d(50 * 12 + 10 * 12.5).div(60).toFixed(), realizedPnl: '200', fees: '0' })
      expect(show(positionFromFills(without(fills, 1)))).to.deep.equal({ qty: '90', avgCost: '10', realizedPnl: '25', fees: '0' })
    })

    it('busting every fill is flat with nothing realized and no fees', () => {
      expect(show(positionFromFills(without([fill('10', '5', '0.1')], 0)))).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '0', fees: '0' })
    })
  })

  describe('trade order (a correction takes its original\'s place)', () => {
    it('the same fills in another order give another position: the list order is applied as is', () => {
      const corrected = [fill('60', '10'), fill('40', '10.4'), fill('-50', '11')]
      const appended = [fill('60', '10'), fill('-50', '11'), fill('40', '10.4')]
      expect(show(positionFromFills(corrected))).to.deep.equal({ qty: '50', avgCost: '10.16', realizedPnl: '42', fees: '0' })
      expect(show(positionFromFills(appended))).to.deep.equal({ qty: '50', avgCost: '10.32', realizedPnl: '50', fees: '0' })
    })
  })

  describe('fees', () => {
    it('add up whatever the side, and come off realized P&L, opening fills included', () => {
      const p = positionFromFills([fill('100', '10', '1.25'), fill('-100', '10', '1.25')])
      expect(show(p)).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '-2.5', fees: '2.5' })
    })

    it('do not change quantity or average cost', () => {
      const withFees = positionFromFills([fill('100', '10', '3'), fill('50', '10.3', '2')])
      const withoutFees = positionFromFills([fill('100', '10'), fill('50', '10.3')])
      expect([withFees.qty.toFixed(), withFees.avgCost.toFixed()]).to.deep.equal([withoutFees.qty.toFixed(), withoutFees.avgCost.toFixed()])
      expect(show(withFees)).to.deep.equal({ qty: '150', avgCost: '10.1', realizedPnl: '-5', fees: '5' })
    })

    it('a fee-only fill (quantity 0) only adds the fee', () => {
      expect(show(positionFromFills([fill('100', '10'), fill('0', '0', '0.75')]))).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '-0.75', fees: '0.75' })
    })

    it('a rebate (negative fee) adds to realized P&L', () => {
      expect(show(positionFromFills([fill('100', '10', '-0.2')]))).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '0.2', fees: '-0.2' })
    })

    it('are exact decimals: ten fees of 0.1 are 1, not 0.9999999999999999', () => {
      const fills = Array.from({ length: 10 }, () => fill('1', '0.1', '0.1'))
      expect(show(positionFromFills(fills))).to.deep.equal({ qty: '10', avgCost: '0.1', realizedPnl: '-1', fees: '1' })
    })
  })

  describe('exactness of realized P&L', () => {
    it('a round trip at prices that average exactly realizes proceeds − cost', () => {
      expect(show(positionFromFills([fill('3', '10'), fill('3', '10.01'), fill('3', '10.02'), fill('-9', '11')])))
        .to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '8.91', fees: '0' })
    })

    // Regression: only a rounded per-unit average used to be kept, so 100 @ 10 + 200 @ 10.01 sold at 10.5
    // realized 147.99…9; the cost basis is now carried whole.
    it('closing a position flat realizes exactly proceeds − cost, even when the average cost repeats', () => {
      expect(show(positionFromFills([fill('100', '10'), fill('200', '10.01'), fill('-300', '10.5')])))
        .to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '148', fees: '0' })
      expect(show(positionFromFills([fill('1', '1'), fill('2', '2'), fill('-1', '2'), fill('-2', '2')])))
        .to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '1', fees: '0' })
    })
  })
})
