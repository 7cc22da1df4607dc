import { expect } from 'chai'
import { Decimal, ZERO, decimalPlaces, parseDecimal, toWire } from '../../../src/domain/money'

function parsed (raw: string): string {
  const v = parseDecimal(raw)
  if (v == null) throw new Error(`expected ${JSON.stringify(raw)} to parse`)
  return v.toFixed()
}

describe('domain/money', () => {
  describe('parseDecimal', () => {
    const accepted: Array<[string, string, string]> = [
      ['100', '100', 'an integer'],
      ['-1.5', '-1.5', 'a negative decimal'],
      ['.5', '0.5', 'a decimal without a leading zero'],
      ['-.5', '-0.5', 'a negative decimal without a leading zero'],
      ['0', '0', 'zero'],
      ['150.2500', '150.25', 'trailing zeros ("23.0" = "23.0000" in FIX 4.4)'],
      ['00023.23', '23.23', 'leading zeros ("00023.23" = "23.23" in FIX 4.4)'],
      ['12345678901234567890.123456789', '12345678901234567890.123456789', 'a long literal, without losing a digit']
    ]
    for (const [raw, value, what] of accepted) {
      it(`accepts ${JSON.stringify(raw)} (${what}) as ${value}`, () => {
        expect(parsed(raw)).to.equal(value)
      })
    }

    const refused: Array<[string, string]> = [
      ['1e5', 'exponent form'],
      ['1E5', 'exponent form, capital E'],
      ['1.5e-3', 'exponent form with a negative exponent'],
      ['-2E+2', 'signed exponent form'],
      ['', 'empty'],
      ['   ', 'blank'],
      ['abc', 'junk'],
      ['12abc', 'a number followed by junk'],
      ['1.2.3', 'two decimal points'],
      ['1,5', 'a decimal comma'],
      ['10,000', 'a thousands separator'],
      ['+1', 'a plus sign (FIX allows only "-")'],
      ['--1', 'a doubled sign'],
      ['-', 'a bare sign'],
      ['.', 'a bare decimal point'],
      ['0x10', 'hexadecimal'],
      ['Infinity', 'Infinity'],
      ['NaN', 'NaN'],
      ['1 000', 'an embedded space']
    ]
    for (const [raw, what] of refused) {
      it(`refuses ${JSON.stringify(raw)} (${what})`, () => {
        expect(parseDecimal(raw)).to.equal(null)
      })
    }

    it('returns null for a missing field (null or undefined)', () => {
      expect(parseDecimal(null)).to.equal(null)
      expect(parseDecimal(undefined)).to.equal(null)
    })

    it('keeps decimal arithmetic exact (0.1 + 0.2 = 0.3)', () => {
      const a = parseDecimal('0.1')
      const b = parseDecimal('0.2')
      expect(a?.plus(b ?? ZERO).toFixed()).to.equal('0.3')
    })

    // Regression: FIX 4.4 Vol. 1 "float": values "may contain or omit trailing zeros after the decimal
    // point (e.g. "23.0" = "23.0000" = "23" = "23.")". DECIMAL_RE requires a digit after the
    // point, so "23." is refused; a broker LastPx(31)=23. makes the trade unprocessable.
    it('accepts "23." (a trailing decimal point, a valid FIX 4.4 float) as 23', () => {
      expect(parsed('23.')).to.equal('23')
      expect(parsed('-23.')).to.equal('-23')
    })
  })

  describe('decimalPlaces', () => {
    it('counts the digits after the decimal point (1.25 → 2, 100 → 0, 0.12345678 → 8)', () => {
      expect(decimalPlaces(new Decimal('1.25'))).to.equal(2)
      expect(decimalPlaces(new Decimal('100'))).to.equal(0)
      expect(decimalPlaces(new Decimal('0.12345678'))).to.equal(8)
    })

    it('ignores trailing zeros, which FIX 4.4 treats as insignificant ("23.0" = "23")', () => {
      expect(decimalPlaces(new Decimal('1.50'))).to.equal(1)
      expect(decimalPlaces(new Decimal('100.000'))).to.equal(0)
    })
  })

  describe('toWire', () => {
    it('renders plain notation for tiny values that Decimal#toString would write as 1e-7', () => {
      expect(toWire(new Decimal('0.0000001'))).to.equal('0.0000001')
    })

    it('renders plain notation for huge values that Decimal#toString would write as 1e+21', () => {
      expect(toWire(new Decimal('1e21'))).to.equal('1000000000000000000000')
    })

    it('round-trips a parsed value (minus trailing zeros)', () => {
      expect(toWire(parseDecimal('-0012.3400') ?? ZERO)).to.equal('-12.34')
    })
  })

  describe('ZERO', () => {
    it('is zero', () => {
      expect(ZERO.isZero()).to.equal(true)
      expect(toWire(ZERO)).to.equal('0')
    })
  })
})
