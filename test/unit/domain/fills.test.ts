import { expect } from 'chai'
import { addFill, leavesQty, type FillTotals } from '../../../src/domain/fills'
import { Decimal, ZERO } from '../../../src/domain/money'

const d = (s: string): Decimal => new Decimal(s)
const NONE: FillTotals = { cumQty: ZERO, avgPx: ZERO }

/** Apply fills [qty, px] in order from nothing filled. */
function fills (...xs: Array<[string, string]>): FillTotals {
  return xs.reduce<FillTotals>((t, [q, p]) => addFill(t, d(q), d(p)), NONE)
}

function totals (t: FillTotals): { cumQty: string, avgPx: string } {
  return { cumQty: t.cumQty.toFixed(), avgPx: t.avgPx.toFixed() }
}

describe('domain/fills', () => {
  describe('addFill', () => {
    it('takes the first fill price as AvgPx(6) and its quantity as CumQty(14)', () => {
      expect(totals(fills(['100', '10.25']))).to.deep.equal({ cumQty: '100', avgPx: '10.25' })
    })

    it('averages 100@10 and 50@10.3 to exactly 10.1', () => {
      expect(totals(fills(['100', '10'], ['50', '10.3']))).to.deep.equal({ cumQty: '150', avgPx: '10.1' })
    })

    it('weights the average by quantity over several fills (100@10, 200@10.15, 100@10.05 → 10.0875)', () => {
      expect(totals(fills(['100', '10'], ['200', '10.15'], ['100', '10.05']))).to.deep.equal({ cumQty: '400', avgPx: '10.0875' })
    })

    it('adds fractional quantities exactly where binary floats would not (0.1 + 0.2 = 0.3)', () => {
      expect(totals(fills(['0.1', '0.3'], ['0.2', '0.3']))).to.deep.equal({ cumQty: '0.3', avgPx: '0.3' })
    })

    it('keeps a non-terminating average to full working precision (1@1 + 2@2 → 5/3)', () => {
      const t = fills(['1', '1'], ['2', '2'])
      expect(t.cumQty.toFixed()).to.equal('3')
      expect(t.avgPx.toSignificantDigits(20).toFixed()).to.equal('1.6666666666666666667')
    })

    it('removes a busted fill (negative LastQty at the fill price) from CumQty and AvgPx', () => {
      const t = addFill(fills(['100', '10'], ['50', '10.3']), d('-50'), d('10.3'))
      expect(totals(t)).to.deep.equal({ cumQty: '100', avgPx: '10' })
    })

    it('resets AvgPx to 0 when a bust takes CumQty to zero', () => {
      const t = addFill(fills(['100', '10.5']), d('-100'), d('10.5'))
      expect(totals(t)).to.deep.equal({ cumQty: '0', avgPx: '0' })
    })

    it('never lets CumQty go negative when a bust exceeds what is filled', () => {
      const t = addFill(fills(['100', '10']), d('-150'), d('10'))
      expect(totals(t)).to.deep.equal({ cumQty: '0', avgPx: '0' })
    })

    it('starts a fresh average after a full bust (the next fill price is the AvgPx)', () => {
      const busted = addFill(fills(['100', '10']), d('-100'), d('10'))
      expect(totals(addFill(busted, d('40'), d('12.5')))).to.deep.equal({ cumQty: '40', avgPx: '12.5' })
    })

    it('does not modify the totals it is given', () => {
      const before = fills(['100', '10'])
      addFill(before, d('50'), d('11'))
      expect(totals(before)).to.deep.equal({ cumQty: '100', avgPx: '10' })
    })
  })

  describe('leavesQty', () => {
    it('is OrderQty(38) − CumQty(14) for a working order', () => {
      expect(leavesQty(d('1000'), d('300'), false).toFixed()).to.equal('700')
    })

    it('is the whole OrderQty(38) before any fill', () => {
      expect(leavesQty(d('1000'), ZERO, false).toFixed()).to.equal('1000')
    })

    it('is exact for fractional quantities (1.5 − 0.7 = 0.8)', () => {
      expect(leavesQty(d('1.5'), d('0.7'), false).toFixed()).to.equal('0.8')
    })

    it('is 0 for a terminal order even when part of it never filled (e.g. Canceled)', () => {
      expect(leavesQty(d('1000'), d('300'), true).toFixed()).to.equal('0')
    })

    it('is 0 when the order is exactly filled', () => {
      expect(leavesQty(d('1000'), d('1000'), false).toFixed()).to.equal('0')
    })

    it('is 0, never negative, on an overfill', () => {
      const leaves = leavesQty(d('1000'), d('1200'), false)
      expect(leaves.toFixed()).to.equal('0')
      expect(leaves.isNegative()).to.equal(false)
    })
  })
})
