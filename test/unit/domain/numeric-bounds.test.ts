import { expect } from 'chai'
import { Decimal } from '../../../src/domain/money'
import { DEFAULT_BOUNDS, HARD_BOUNDS, parseBounded, priceBound, qtyBound, showValue, type Bound, type Bounded } from '../../../src/domain/numeric-bounds'

const qty = qtyBound(DEFAULT_BOUNDS)
const price = priceBound(DEFAULT_BOUNDS)

function value (b: Bounded): string {
  if (!b.ok) throw new Error(`expected a value, got ${JSON.stringify(b)}`)
  return b.value.toFixed()
}

function why (b: Bounded): string {
  if (b.ok) throw new Error(`expected a refusal, got ${b.value.toFixed()}`)
  return b.kind === 'bound' ? b.text : b.kind
}

describe('domain/numeric-bounds', () => {
  describe('defaults a desk would pick', () => {
    it('quantities up to 10^12 with 8 decimals; prices 10^-8 … 10^9 with 8 decimals', () => {
      expect([DEFAULT_BOUNDS.maxQty.toFixed(), DEFAULT_BOUNDS.maxQtyDecimals, DEFAULT_BOUNDS.minPrice.toFixed(), DEFAULT_BOUNDS.maxPrice.toFixed(), DEFAULT_BOUNDS.maxPriceDecimals])
        .to.deep.equal(['1000000000000', 8, '0.00000001', '1000000000', 8])
    })

    it('a notional at the hard ceilings is exact at the configured precision (no silent rounding)', () => {
      const q = new Decimal('999999999999999.9999999999') // < 10^15, 10 decimals
      const p = new Decimal('999999999999.999999999999') // < 10^12, 12 decimals
      const n = q.times(p)
      expect(n.decimalPlaces()).to.equal(22)
      // the exact product, checked by undoing it
      expect(n.div(p).eq(q)).to.equal(true)
      expect(Decimal.precision).to.be.at.least(q.precision(true) + p.precision(true) + 5)
      expect(HARD_BOUNDS.maxQty.toFixed()).to.equal('1000000000000000')
    })
  })

  describe('quantity', () => {
    it('accepts the maximum and values inside, with up to 8 decimals (trailing zeros do not count)', () => {
      expect(value(parseBounded('1000000000000', qty))).to.equal('1000000000000')
      expect(value(parseBounded('000999999999999.99999999', qty))).to.equal('999999999999.99999999')
      expect(value(parseBounded('1.5000000000000', qty))).to.equal('1.5')
      expect(value(parseBounded('0.00000001', qty))).to.equal('0.00000001')
    })

    it('refuses one above the maximum, naming it', () => {
      expect(why(parseBounded('1000000000000.00000001', qty))).to.equal('is above the maximum 1000000000000')
      expect(why(parseBounded('10000000000000', qty))).to.equal('is above the maximum 1000000000000')
    })

    it('refuses 45 significant digits and 1,000 nines by their length', () => {
      expect(why(parseBounded('123456789012345678901234567890123456789012345', qty))).to.equal('is above the maximum 1000000000000')
      expect(why(parseBounded('9'.repeat(1000), qty))).to.equal('is above the maximum 1000000000000')
    })

    it('refuses a 1,000-digit value quickly (a string scan, no huge Decimal)', () => {
      const huge = '9'.repeat(100_000)
      const tiny = '0.' + '0'.repeat(100_000) + '1'
      const zeros = '1.' + '0'.repeat(100_000) + '1'
      const start = process.hrtime.bigint()
      for (let i = 0; i < 20; i++) {
        parseBounded(huge, qty); parseBounded(tiny, qty); parseBounded(zeros, qty)
      }
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      expect(ms).to.be.below(500)
      expect(why(parseBounded(tiny, qty))).to.equal('has more than 8 decimals')
    })

    it('refuses too many decimals, zero, negative and non-numbers with their own kind', () => {
      expect(why(parseBounded('1.123456789', qty))).to.equal('has more than 8 decimals')
      for (const z of ['0', '0.000', '-0', '.0']) expect(why(parseBounded(z, qty)), z).to.equal('sign')
      expect(why(parseBounded('-5', qty))).to.equal('sign')
      for (const bad of ['abc', '', '1e3', '1,000', '0x10', 'Infinity', 'NaN', '1.2.3']) expect(why(parseBounded(bad, qty)), bad).to.equal('syntax')
    })
  })

  describe('price', () => {
    it('accepts 10^-8 … 10^9', () => {
      expect(value(parseBounded('0.00000001', price))).to.equal('0.00000001')
      expect(value(parseBounded('1000000000', price))).to.equal('1000000000')
      expect(value(parseBounded('187.5', price))).to.equal('187.5')
    })

    it('refuses 10^40 and 10^-30 written as plain decimals, and values just outside', () => {
      expect(why(parseBounded('1' + '0'.repeat(40), price))).to.equal('is above the maximum 1000000000')
      expect(why(parseBounded('0.' + '0'.repeat(29) + '1', price))).to.equal('has more than 8 decimals')
      expect(why(parseBounded('1000000000.00000001', price))).to.equal('is above the maximum 1000000000')
    })

    it('refuses a price below the minimum when decimals allow it', () => {
      const b: Bound = priceBound({ ...DEFAULT_BOUNDS, minPrice: new Decimal('0.01'), maxPriceDecimals: 4 })
      expect(why(parseBounded('0.0099', b))).to.equal('is below the minimum 0.01')
      expect(value(parseBounded('0.01', b))).to.equal('0.01')
    })
  })

  describe('options for broker values', () => {
    it('zeroAllowed lets 0 through; negativeAllowed bounds by -max', () => {
      const b: Bound = { min: null, max: new Decimal(100), maxDecimals: 2, zeroAllowed: true, negativeAllowed: true }
      expect(value(parseBounded('0', b))).to.equal('0')
      expect(value(parseBounded('-99.5', b))).to.equal('-99.5')
      expect(why(parseBounded('-100.01', b))).to.equal('is below the minimum -100')
      expect(why(parseBounded('-1000', b))).to.equal('is below the minimum -100')
    })
  })

  describe('showValue', () => {
    it('shows a short value as sent and a long one by its start and length', () => {
      expect(showValue('123.45')).to.equal('123.45')
      expect(showValue('9'.repeat(1000))).to.equal('99999999999999999999...(1000 chars)')
      expect(showValue(null)).to.equal('')
    })
  })
})
