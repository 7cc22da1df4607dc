import { expect } from 'chai'
import { Decimal } from '../../../src/domain/money'
import { FLAT, applyToPosition, type Position } from '../../../src/domain/position'

const d = (s: string): Decimal => new Decimal(s)

type Trade = readonly [qty: string, px: string, fee?: string]

/** Apply signed trades (buy > 0, sell < 0) in order, starting from `start`. */
function trade (start: Position, ...trades: Trade[]): Position {
  return trades.reduce<Position>((p, [q, px, fee]) => applyToPosition(p, d(q), d(px), fee === undefined ? undefined : d(fee)), start)
}

function show (p: Position): { qty: string, avgCost: string, realizedPnl: string, fees: string } {
  return { qty: p.qty.toFixed(), avgCost: p.avgCost.toFixed(), realizedPnl: p.realizedPnl.toFixed(), fees: p.fees.toFixed() }
}

describe('domain/position (average-cost method)', () => {
  describe('long positions', () => {
    it('opens a long at the fill price with nothing realized', () => {
      expect(show(trade(FLAT, ['100', '10']))).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '0', fees: '0' })
    })

    it('adding to a long re-averages the cost by quantity (100@10 + 50@10.3 → 10.1)', () => {
      expect(show(trade(FLAT, ['100', '10'], ['50', '10.3']))).to.deep.equal({ qty: '150', avgCost: '10.1', realizedPnl: '0', fees: '0' })
    })

    it('a partial close realizes (price − avgCost) × closed and keeps the average cost', () => {
      const p = trade(FLAT, ['100', '10'], ['50', '10.3'], ['-60', '11'])
      expect(show(p)).to.deep.equal({ qty: '90', avgCost: '10.1', realizedPnl: '54', fees: '0' })
    })

    it('a losing close realizes a negative P&L', () => {
      const p = trade(FLAT, ['100', '10'], ['-40', '9.75'])
      expect(show(p)).to.deep.equal({ qty: '60', avgCost: '10', realizedPnl: '-10', fees: '0' })
    })

    it('a full close goes flat with avgCost 0 and the P&L realized', () => {
      const p = trade(FLAT, ['100', '10'], ['50', '10.3'], ['-60', '11'], ['-90', '9.6'])
      expect(show(p)).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '9', fees: '0' })
    })

    it('flips long → short through zero: realizes on the closed 100, opens the other 50 at the fill price', () => {
      const p = trade(FLAT, ['100', '10'], ['-150', '12'])
      expect(show(p)).to.deep.equal({ qty: '-50', avgCost: '12', realizedPnl: '200', fees: '0' })
    })
  })

  describe('short positions', () => {
    it('opens a short at the fill price (qty negative)', () => {
      expect(show(trade(FLAT, ['-100', '50']))).to.deep.equal({ qty: '-100', avgCost: '50', realizedPnl: '0', fees: '0' })
    })

    it('adding to a short re-averages the cost (−100@50 − 100@52 → 51)', () => {
      expect(show(trade(FLAT, ['-100', '50'], ['-100', '52']))).to.deep.equal({ qty: '-200', avgCost: '51', realizedPnl: '0', fees: '0' })
    })

    it('buying back below the average cost realizes a profit', () => {
      const p = trade(FLAT, ['-100', '50'], ['-100', '52'], ['50', '49'])
      expect(show(p)).to.deep.equal({ qty: '-150', avgCost: '51', realizedPnl: '100', fees: '0' })
    })

    it('buying back above the average cost realizes a loss', () => {
      const p = trade(FLAT, ['-100', '50'], ['40', '50.5'])
      expect(show(p)).to.deep.equal({ qty: '-60', avgCost: '50', realizedPnl: '-20', fees: '0' })
    })

    it('a full cover goes flat with avgCost 0', () => {
      const p = trade(FLAT, ['-100', '50'], ['100', '48'])
      expect(show(p)).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '200', fees: '0' })
    })

    it('flips short → long through zero: realizes on the closed 150, opens the other 50 at the fill price', () => {
      const p = trade(FLAT, ['-100', '50'], ['-100', '52'], ['50', '49'], ['200', '50'])
      expect(show(p)).to.deep.equal({ qty: '50', avgCost: '50', realizedPnl: '250', fees: '0' })
    })
  })

  describe('fees', () => {
    it('reduce realized P&L and accumulate in fees, on opening and on closing trades', () => {
      const opened = trade(FLAT, ['100', '10', '1.25'])
      expect(show(opened)).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '-1.25', fees: '1.25' })
      const closed = trade(opened, ['-100', '11', '1.3'])
      expect(show(closed)).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '97.45', fees: '2.55' })
    })

    it('do not change the average cost', () => {
      expect(trade(FLAT, ['100', '10', '5']).avgCost.toFixed()).to.equal('10')
    })

    it('are charged on a flip as well', () => {
      const p = trade(FLAT, ['100', '10'], ['-150', '12', '0.75'])
      expect(show(p)).to.deep.equal({ qty: '-50', avgCost: '12', realizedPnl: '199.25', fees: '0.75' })
    })

    it('a fee with zero quantity (e.g. a standalone charge) only moves realized P&L and fees', () => {
      const p = trade(trade(FLAT, ['100', '10']), ['0', '99', '2'])
      expect(show(p)).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '-2', fees: '2' })
    })

    it('default to zero when not given', () => {
      expect(show(applyToPosition(FLAT, d('10'), d('3')))).to.deep.equal({ qty: '10', avgCost: '3', realizedPnl: '0', fees: '0' })
    })
  })

  describe('exactness and hygiene', () => {
    it('uses exact decimals (0.1 + 0.2 lots at 0.3 → qty 0.3, avgCost 0.3)', () => {
      expect(show(trade(FLAT, ['0.1', '0.3'], ['0.2', '0.3']))).to.deep.equal({ qty: '0.3', avgCost: '0.3', realizedPnl: '0', fees: '0' })
    })

    it('realizes the notional difference of a round trip with a non-terminating average cost (to 10 dp)', () => {
      // buy 1@1 + 2@2 (avg 5/3), sell 3@2: 6 − 5 = 1
      const p = trade(FLAT, ['1', '1'], ['2', '2'], ['-3', '2'])
      expect(p.qty.toFixed()).to.equal('0')
      expect(p.realizedPnl.toDecimalPlaces(10).toFixed()).to.equal('1')
    })

    it('opens from a flat position at the fill price even if a stale avgCost and cost basis are stored', () => {
      const flatWithStaleCost: Position = { qty: d('0'), costBasis: d('990'), avgCost: d('99'), realizedPnl: d('5'), fees: d('1') }
      expect(show(trade(flatWithStaleCost, ['10', '20']))).to.deep.equal({ qty: '10', avgCost: '20', realizedPnl: '5', fees: '1' })
    })

    it('does not modify the position it is given (FLAT stays flat)', () => {
      const p = trade(FLAT, ['100', '10', '1'])
      trade(p, ['-50', '11', '1'])
      expect(show(FLAT)).to.deep.equal({ qty: '0', avgCost: '0', realizedPnl: '0', fees: '0' })
      expect(show(p)).to.deep.equal({ qty: '100', avgCost: '10', realizedPnl: '-1', fees: '1' })
    })
  })
})
