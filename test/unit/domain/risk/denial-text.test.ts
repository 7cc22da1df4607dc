import { expect } from 'chai'
import { ORD_REJ_REASON, renderDenial, type RiskDenial } from '../../../../src/domain/risk/risk-checks'
import { ORD_REJ } from '../../../../src/domain/new-order'
import { d } from './fixtures'

type Code = RiskDenial['code']

/** One denial of every code, with the fragments its Text(58) must show (beside the code). */
const EXAMPLES: ReadonlyArray<{ denial: RiskDenial, shows: readonly string[] }> = [
  { denial: { code: 'KILL_SWITCH', scope: 'global' }, shows: ['global'] },
  { denial: { code: 'KILL_SWITCH', scope: 'session' }, shows: ['session'] },
  { denial: { code: 'TRADING_HOURS', now: '2024-01-13T15:00:00.000Z', window: '09:30-16:00 America/New_York days 1,2,3,4,5' }, shows: ['2024-01-13T15:00:00.000Z', '09:30-16:00 America/New_York days 1,2,3,4,5'] },
  { denial: { code: 'SYMBOL_DENIED', symbol: 'GME' }, shows: ['GME'] },
  { denial: { code: 'SYMBOL_NOT_ALLOWED', symbol: 'TSLA' }, shows: ['TSLA'] },
  { denial: { code: 'QTY_EXCEEDS_MAX', qty: d('1000.5'), max: d('750') }, shows: ['1000.5', '750'] },
  { denial: { code: 'NOTIONAL_EXCEEDS_MAX', notional: d('250000.75'), max: d('100000') }, shows: ['250000.75', '100000'] },
  { denial: { code: 'NO_REFERENCE_PRICE', symbol: 'XYZ' }, shows: ['XYZ'] },
  { denial: { code: 'PRICE_OUTSIDE_COLLAR', price: d('110.25'), reference: d('100'), pct: d('5') }, shows: ['110.25', '100', '5%'] },
  { denial: { code: 'MAX_OPEN_ORDERS', open: 37, max: 25 }, shows: ['37', '25'] },
  { denial: { code: 'POSITION_EXCEEDS_MAX', projected: d('-5001'), max: d('5000') }, shows: ['-5001', '5000'] },
  { denial: { code: 'DAILY_LOSS_LIMIT', loss: d('1234.56'), limit: d('1000') }, shows: ['1234.56', '1000'] },
  { denial: { code: 'ORDER_RATE', rate: 11, max: 10 }, shows: ['11', '10'] }
]

describe('domain/risk denial text and OrdRejReason', () => {
  describe('renderDenial', () => {
    it('has an example for every denial code', () => {
      expect([...new Set(EXAMPLES.map((e) => e.denial.code))].sort()).to.deep.equal(Object.keys(ORD_REJ_REASON).sort())
    })

    for (const { denial, shows } of EXAMPLES) {
      it(`renders ${denial.code}${denial.code === 'KILL_SWITCH' ? ` (${denial.scope})` : ''} starting with its code and showing ${shows.join(', ')}`, () => {
        const text = renderDenial(denial)
        expect(text.startsWith(`${denial.code}: `), text).to.equal(true)
        for (const s of shows) expect(text).to.include(s)
      })
    }

    it('keeps limit and requested apart: the requested number comes before the limit for QTY_EXCEEDS_MAX', () => {
      expect(renderDenial({ code: 'QTY_EXCEEDS_MAX', qty: d('1500'), max: d('1000') })).to.equal('QTY_EXCEEDS_MAX: quantity 1500 > max 1000')
    })

    it('keeps limit and requested apart: the projected position comes before the limit for POSITION_EXCEEDS_MAX', () => {
      expect(renderDenial({ code: 'POSITION_EXCEEDS_MAX', projected: d('-5001'), max: d('5000') })).to.equal('POSITION_EXCEEDS_MAX: projected position -5001 > max 5000')
    })

    it('says the loss reached the limit (>=) for DAILY_LOSS_LIMIT, since equal denies', () => {
      expect(renderDenial({ code: 'DAILY_LOSS_LIMIT', loss: d('1000'), limit: d('1000') })).to.equal('DAILY_LOSS_LIMIT: realized loss today 1000 >= limit 1000')
    })

    it('writes decimals in plain notation, never in exponent form', () => {
      const text = renderDenial({ code: 'QTY_EXCEEDS_MAX', qty: d('1e21'), max: d('0.0000001') })
      expect(text).to.include('1000000000000000000000')
      expect(text).to.include('0.0000001')
      expect(text).not.to.match(/\de[+-]?\d/)
    })

    it('writes decimals with all their digits (no float rounding)', () => {
      expect(renderDenial({ code: 'NOTIONAL_EXCEEDS_MAX', notional: d('0.1').plus(d('0.2')), max: d('0.29999999999999999999') }))
        .to.equal('NOTIONAL_EXCEEDS_MAX: notional 0.3 > max 0.29999999999999999999')
    })
  })

  describe('ORD_REJ_REASON', () => {
    it('maps each denial code to its FIX 4.4 OrdRejReason(103): 2 exchange closed, 3 order exceeds limit, 99 other', () => {
      const expected: Record<Code, number> = {
        KILL_SWITCH: 99, // a halt by us, not the exchange being closed
        TRADING_HOURS: 2, // Exchange closed
        SYMBOL_DENIED: 99, // the symbol is known, trading it is refused
        SYMBOL_NOT_ALLOWED: 99,
        QTY_EXCEEDS_MAX: 3, // Order exceeds limit
        NOTIONAL_EXCEEDS_MAX: 3,
        NO_REFERENCE_PRICE: 99, // nothing exceeded: we cannot value the order
        PRICE_OUTSIDE_COLLAR: 99, // a price band; FIX 4.4 has no code for it (FIX 5.0 added 16)
        MAX_OPEN_ORDERS: 3,
        POSITION_EXCEEDS_MAX: 3,
        DAILY_LOSS_LIMIT: 3,
        ORDER_RATE: 3
      }
      expect(ORD_REJ_REASON).to.deep.equal(expected)
    })

    it('uses the shared OrdRejReason constants for exchange closed, exceeds limit and other', () => {
      expect(ORD_REJ_REASON.TRADING_HOURS).to.equal(ORD_REJ.EXCHANGE_CLOSED)
      expect(ORD_REJ_REASON.QTY_EXCEEDS_MAX).to.equal(ORD_REJ.EXCEEDS_LIMIT)
      expect(ORD_REJ_REASON.KILL_SWITCH).to.equal(ORD_REJ.OTHER)
    })

    it('only uses values FIX 4.4 defines for OrdRejReason(103) (0..15, 99)', () => {
      for (const [code, v] of Object.entries(ORD_REJ_REASON)) {
        expect((v >= 0 && v <= 15) || v === 99, `${code} → ${v}`).to.equal(true)
      }
    })
  })
})
