import { expect } from 'chai'
import { Decimal } from '../../../../src/domain/money'
import {
  dailyLoss, evaluateRisk, killSwitch, maxNotional, maxOpenOrders, maxOrderQty, maxPosition, orderRate, priceCollar,
  referencePrice, RISK_CHAIN, symbolLists, type RiskDenial, type RiskState
} from '../../../../src/domain/risk/risk-checks'
import type { RiskLimits } from '../../../../src/domain/risk/risk-limits'
import { d, order, state } from './fixtures'

/** A denial with its decimals as plain strings, so deep.equal compares values, not Decimal internals. */
function plain (x: RiskDenial | null): Record<string, unknown> | null {
  if (x == null) return null
  return Object.fromEntries(Object.entries(x).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v]))
}

const NO_LIMITS: RiskLimits = {}

describe('domain/risk/risk-checks', () => {
  describe('killSwitch', () => {
    it('passes when neither the global nor the session kill switch is on', () => {
      expect(killSwitch(order(), NO_LIMITS, state())).to.equal(null)
    })

    it('denies with scope global when the global kill switch is on', () => {
      expect(killSwitch(order(), NO_LIMITS, state({ killSwitchGlobal: true }))).to.deep.equal({ code: 'KILL_SWITCH', scope: 'global' })
    })

    it('denies with scope session when only the session kill switch is on', () => {
      expect(killSwitch(order(), NO_LIMITS, state({ killSwitchSession: true }))).to.deep.equal({ code: 'KILL_SWITCH', scope: 'session' })
    })

    it('names the global scope when both kill switches are on', () => {
      expect(killSwitch(order(), NO_LIMITS, state({ killSwitchGlobal: true, killSwitchSession: true }))).to.deep.equal({ code: 'KILL_SWITCH', scope: 'global' })
    })

    it('applies even when no limits are configured at all (it is not a limit)', () => {
      expect(evaluateRisk(order(), NO_LIMITS, state({ killSwitchSession: true })).deniedBy).to.equal('killSwitch')
    })
  })

  describe('symbolLists', () => {
    it('passes every symbol when neither list is configured', () => {
      expect(symbolLists(order({ symbol: 'ANYTHING' }), NO_LIMITS, state())).to.equal(null)
    })

    it('denies a symbol on the deny list', () => {
      expect(symbolLists(order({ symbol: 'GME' }), { denySymbols: ['GME'] }, state())).to.deep.equal({ code: 'SYMBOL_DENIED', symbol: 'GME' })
    })

    it('passes a symbol that is not on the deny list when there is no allow list', () => {
      expect(symbolLists(order({ symbol: 'AAPL' }), { denySymbols: ['GME'] }, state())).to.equal(null)
    })

    it('denies a symbol missing from the allow list as SYMBOL_NOT_ALLOWED', () => {
      expect(symbolLists(order({ symbol: 'TSLA' }), { allowSymbols: ['AAPL', 'MSFT'] }, state())).to.deep.equal({ code: 'SYMBOL_NOT_ALLOWED', symbol: 'TSLA' })
    })

    it('passes a symbol on the allow list', () => {
      expect(symbolLists(order({ symbol: 'MSFT' }), { allowSymbols: ['AAPL', 'MSFT'] }, state())).to.equal(null)
    })

    it('lets the deny list beat the allow list for a symbol on both', () => {
      expect(symbolLists(order({ symbol: 'AAPL' }), { allowSymbols: ['AAPL'], denySymbols: ['AAPL'] }, state())).to.deep.equal({ code: 'SYMBOL_DENIED', symbol: 'AAPL' })
    })

    it('matches symbols exactly: case and suffixes matter', () => {
      const l: RiskLimits = { allowSymbols: ['AAPL'], denySymbols: ['GME'] }
      expect(plain(symbolLists(order({ symbol: 'aapl' }), l, state()))).to.deep.equal({ code: 'SYMBOL_NOT_ALLOWED', symbol: 'aapl' })
      expect(plain(symbolLists(order({ symbol: 'GME.N' }), { denySymbols: ['GME'] }, state()))).to.equal(null)
    })

    it('allows nothing when the allow list is empty', () => {
      expect(symbolLists(order({ symbol: 'AAPL' }), { allowSymbols: [] }, state())).to.deep.equal({ code: 'SYMBOL_NOT_ALLOWED', symbol: 'AAPL' })
    })
  })

  describe('orderRate', () => {
    const l: RiskLimits = { maxOrdersPerSecond: 5 }

    it('passes when no rate limit is configured, however busy the session is', () => {
      expect(orderRate(order(), NO_LIMITS, state({ ordersLastSecond: 1000 }))).to.equal(null)
    })

    it('allows the order that brings the last second to exactly the maximum', () => {
      expect(orderRate(order(), l, state({ ordersLastSecond: 4 }))).to.equal(null)
    })

    it('denies the order one past the maximum, counting this order in the rate', () => {
      expect(orderRate(order(), l, state({ ordersLastSecond: 5 }))).to.deep.equal({ code: 'ORDER_RATE', rate: 6, max: 5 })
    })

    it('does not count a replace against the new-order rate', () => {
      expect(orderRate(order({ replacing: { orderQty: d('100') } }), l, state({ ordersLastSecond: 50 }))).to.equal(null)
    })
  })

  describe('maxOrderQty', () => {
    const l: RiskLimits = { maxOrderQty: d('1000') }

    it('passes any quantity when no maximum is configured', () => {
      expect(maxOrderQty(order({ orderQty: d('1e12') }), NO_LIMITS, state())).to.equal(null)
    })

    it('allows a quantity equal to the maximum', () => {
      expect(maxOrderQty(order({ orderQty: d('1000') }), l, state())).to.equal(null)
    })

    it('denies a quantity just above the maximum, with both numbers', () => {
      expect(plain(maxOrderQty(order({ orderQty: d('1000.00000001') }), l, state()))).to.deep.equal({ code: 'QTY_EXCEEDS_MAX', qty: '1000.00000001', max: '1000' })
    })

    it('compares in decimal: 0.1 + 0.2 against a maximum of 0.3 is allowed', () => {
      expect(maxOrderQty(order({ orderQty: d('0.1').plus(d('0.2')) }), { maxOrderQty: d('0.3') }, state())).to.equal(null)
    })
  })

  describe('maxNotional', () => {
    const l: RiskLimits = { maxNotional: d('1000') }

    it('passes when no maximum notional is configured, even without any reference price', () => {
      expect(maxNotional(order({ price: null }), NO_LIMITS, state())).to.equal(null)
    })

    it('allows a notional (quantity × limit price) equal to the maximum', () => {
      expect(maxNotional(order({ orderQty: d('100'), price: d('10') }), l, state())).to.equal(null)
    })

    it('denies a notional above the maximum, giving the notional and the maximum', () => {
      expect(plain(maxNotional(order({ orderQty: d('100'), price: d('10.01') }), l, state()))).to.deep.equal({ code: 'NOTIONAL_EXCEEDS_MAX', notional: '1001', max: '1000' })
    })

    it('uses the limit price of the order, not the reference price, when the order has one', () => {
      const withRefs: RiskLimits = { ...l, referencePrices: { AAPL: d('1') } }
      const s = state({ lastFillPrice: d('1') })
      expect(plain(maxNotional(order({ orderQty: d('100'), price: d('20') }), withRefs, s))).to.deep.equal({ code: 'NOTIONAL_EXCEEDS_MAX', notional: '2000', max: '1000' })
    })

    it('values a market order at the configured reference price of its symbol', () => {
      const withRefs: RiskLimits = { ...l, referencePrices: { AAPL: d('12.5') } }
      expect(plain(maxNotional(order({ orderQty: d('100'), price: null }), withRefs, state()))).to.deep.equal({ code: 'NOTIONAL_EXCEEDS_MAX', notional: '1250', max: '1000' })
      expect(maxNotional(order({ orderQty: d('80'), price: null }), withRefs, state())).to.equal(null)
    })

    it('prefers the configured reference price over the last fill price', () => {
      const withRefs: RiskLimits = { ...l, referencePrices: { AAPL: d('9') } }
      expect(maxNotional(order({ orderQty: d('100'), price: null }), withRefs, state({ lastFillPrice: d('11') }))).to.equal(null)
    })

    it('falls back to the last fill price when the symbol has no configured reference', () => {
      const otherRefs: RiskLimits = { ...l, referencePrices: { MSFT: d('1') } }
      expect(plain(maxNotional(order({ orderQty: d('100'), price: null }), otherRefs, state({ lastFillPrice: d('11') })))).to.deep.equal({ code: 'NOTIONAL_EXCEEDS_MAX', notional: '1100', max: '1000' })
    })

    it('denies a market order with NO_REFERENCE_PRICE when there is neither a configured reference nor a last fill', () => {
      const otherRefs: RiskLimits = { ...l, referencePrices: { MSFT: d('1') } }
      expect(maxNotional(order({ price: null }), otherRefs, state({ lastFillPrice: null }))).to.deep.equal({ code: 'NO_REFERENCE_PRICE', symbol: 'AAPL' })
      expect(maxNotional(order({ price: null }), l, state({ lastFillPrice: null }))).to.deep.equal({ code: 'NO_REFERENCE_PRICE', symbol: 'AAPL' })
    })

    it('computes the notional in decimal: 3 × 0.1 against a maximum of 0.3 is allowed', () => {
      expect(maxNotional(order({ orderQty: d('3'), price: d('0.1') }), { maxNotional: d('0.3') }, state())).to.equal(null)
    })
  })

  describe('priceCollar', () => {
    const l: RiskLimits = { priceCollarPct: d('5'), referencePrices: { AAPL: d('100') } }

    it('passes when no collar is configured', () => {
      expect(priceCollar(order({ price: d('1000') }), { referencePrices: { AAPL: d('100') } }, state())).to.equal(null)
    })

    it('allows a price exactly at the collar above the reference (105 vs 100 ± 5%)', () => {
      expect(priceCollar(order({ price: d('105') }), l, state())).to.equal(null)
    })

    it('allows a price exactly at the collar below the reference (95 vs 100 ± 5%)', () => {
      expect(priceCollar(order({ price: d('95') }), l, state())).to.equal(null)
    })

    it('denies a price just above the collar, with the price, the reference and the percentage', () => {
      expect(plain(priceCollar(order({ price: d('105.01') }), l, state()))).to.deep.equal({ code: 'PRICE_OUTSIDE_COLLAR', price: '105.01', reference: '100', pct: '5' })
    })

    it('denies a price just below the collar', () => {
      expect(plain(priceCollar(order({ price: d('94.99') }), l, state()))).to.deep.equal({ code: 'PRICE_OUTSIDE_COLLAR', price: '94.99', reference: '100', pct: '5' })
    })

    it('measures the distance as a percentage of the reference, not of the order price (90 vs 100 ± 10% is allowed)', () => {
      expect(priceCollar(order({ price: d('90') }), { priceCollarPct: d('10'), referencePrices: { AAPL: d('100') } }, state())).to.equal(null)
    })

    it('uses the last fill price as the reference when none is configured for the symbol', () => {
      const noRef: RiskLimits = { priceCollarPct: d('5') }
      expect(plain(priceCollar(order({ price: d('10.6') }), noRef, state({ lastFillPrice: d('10') })))).to.deep.equal({ code: 'PRICE_OUTSIDE_COLLAR', price: '10.6', reference: '10', pct: '5' })
      expect(priceCollar(order({ price: d('10.5') }), noRef, state({ lastFillPrice: d('10') }))).to.equal(null)
    })

    it('is skipped when there is no reference price to compare with', () => {
      expect(priceCollar(order({ price: d('1000000') }), { priceCollarPct: d('5') }, state({ lastFillPrice: null }))).to.equal(null)
    })

    it('is skipped for an order without a price', () => {
      expect(priceCollar(order({ price: null }), l, state())).to.equal(null)
    })
  })

  describe('maxOpenOrders', () => {
    const l: RiskLimits = { maxOpenOrders: 3 }

    it('passes when no maximum is configured', () => {
      expect(maxOpenOrders(order(), NO_LIMITS, state({ openOrders: 10000 }))).to.equal(null)
    })

    it('allows the order that brings the open orders to exactly the maximum', () => {
      expect(maxOpenOrders(order(), l, state({ openOrders: 2 }))).to.equal(null)
    })

    it('denies a new order when the maximum is already open, giving the open count and the maximum', () => {
      expect(maxOpenOrders(order(), l, state({ openOrders: 3 }))).to.deep.equal({ code: 'MAX_OPEN_ORDERS', open: 3, max: 3 })
    })

    it('does not count a replace: it opens no new order', () => {
      expect(maxOpenOrders(order({ replacing: { orderQty: d('100') } }), l, state({ openOrders: 3 }))).to.equal(null)
    })
  })

  describe('maxPosition', () => {
    const l: RiskLimits = { maxPositionPerSymbol: d('100') }

    it('passes when no maximum position is configured', () => {
      expect(maxPosition(order({ orderQty: d('1e9') }), NO_LIMITS, state())).to.equal(null)
    })

    it('allows a buy whose position + open buys + quantity equals the maximum', () => {
      expect(maxPosition(order({ side: '1', orderQty: d('20') }), l, state({ position: d('50'), openBuyQty: d('30') }))).to.equal(null)
    })

    it('denies a buy one over the maximum once the open buys are counted, giving the projected position', () => {
      expect(plain(maxPosition(order({ side: '1', orderQty: d('21') }), l, state({ position: d('50'), openBuyQty: d('30') })))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '101', max: '100' })
    })

    it('allows a sell whose short projection equals the maximum in absolute value', () => {
      expect(maxPosition(order({ side: '2', orderQty: d('20') }), l, state({ position: d('-50'), openSellQty: d('30') }))).to.equal(null)
    })

    it('denies a sell one over the maximum short, with the projected position negative', () => {
      expect(plain(maxPosition(order({ side: '2', orderQty: d('21') }), l, state({ position: d('-50'), openSellQty: d('30') })))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '-101', max: '100' })
    })

    it('lets a sell take a long position through flat to the maximum short, and no further', () => {
      expect(maxPosition(order({ side: '2', orderQty: d('200') }), l, state({ position: d('100') }))).to.equal(null)
      expect(plain(maxPosition(order({ side: '2', orderQty: d('200.5') }), l, state({ position: d('100') })))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '-100.5', max: '100' })
    })

    it('treats a SellShort (Side 5) as a sell', () => {
      expect(plain(maxPosition(order({ side: '5', orderQty: d('101') }), l, state()))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '-101', max: '100' })
      expect(plain(maxPosition(order({ side: '5', orderQty: d('61') }), l, state({ openSellQty: d('40') })))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '-101', max: '100' })
    })

    it('counts only open orders on the side of the order: open sells do not add to a buy', () => {
      expect(maxPosition(order({ side: '1', orderQty: d('100') }), l, state({ openSellQty: d('500') }))).to.equal(null)
    })

    it('counts only open orders on the side of the order: open buys do not add to a sell', () => {
      expect(maxPosition(order({ side: '2', orderQty: d('100') }), l, state({ openBuyQty: d('500') }))).to.equal(null)
    })

    it('on a replace counts only the change of quantity: the old quantity is already among the open buys', () => {
      // the order being replaced (100) is part of openBuyQty = 100
      const s = state({ openBuyQty: d('100') })
      expect(maxPosition(order({ side: '1', orderQty: d('150'), replacing: { orderQty: d('100') } }), { maxPositionPerSymbol: d('150') }, s)).to.equal(null)
      expect(plain(maxPosition(order({ side: '1', orderQty: d('151'), replacing: { orderQty: d('100') } }), { maxPositionPerSymbol: d('150') }, s))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '151', max: '150' })
    })

    it('on a replace of a sell counts the change of quantity on the short side', () => {
      const s = state({ openSellQty: d('100') })
      expect(plain(maxPosition(order({ side: '2', orderQty: d('120'), replacing: { orderQty: d('100') } }), { maxPositionPerSymbol: d('110') }, s))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '-120', max: '110' })
      expect(maxPosition(order({ side: '2', orderQty: d('110'), replacing: { orderQty: d('100') } }), { maxPositionPerSymbol: d('110') }, s)).to.equal(null)
    })

    it('allows a replace down that brings an over-limit exposure back under the maximum', () => {
      const s = state({ position: d('20'), openBuyQty: d('200') })
      expect(maxPosition(order({ side: '1', orderQty: d('80'), replacing: { orderQty: d('200') } }), l, s)).to.equal(null)
    })

    it('denies every order when the maximum position is 0', () => {
      expect(plain(maxPosition(order({ side: '1', orderQty: d('1') }), { maxPositionPerSymbol: d('0') }, state()))).to.deep.equal({ code: 'POSITION_EXCEEDS_MAX', projected: '1', max: '0' })
    })
  })

  describe('dailyLoss', () => {
    const l: RiskLimits = { dailyLossLimit: d('1000') }

    it('passes when no daily loss limit is configured, whatever the loss', () => {
      expect(dailyLoss(order(), NO_LIMITS, state({ realizedPnlToday: d('-1e9') }))).to.equal(null)
    })

    it('allows orders while the realized loss is below the limit', () => {
      expect(dailyLoss(order(), l, state({ realizedPnlToday: d('-999.99') }))).to.equal(null)
    })

    it('denies once the realized loss reaches the limit exactly, giving the loss as a positive number', () => {
      expect(plain(dailyLoss(order(), l, state({ realizedPnlToday: d('-1000') })))).to.deep.equal({ code: 'DAILY_LOSS_LIMIT', loss: '1000', limit: '1000' })
    })

    it('denies when the loss is beyond the limit', () => {
      expect(plain(dailyLoss(order(), l, state({ realizedPnlToday: d('-1500.25') })))).to.deep.equal({ code: 'DAILY_LOSS_LIMIT', loss: '1500.25', limit: '1000' })
    })

    it('does not treat a realized profit as a loss', () => {
      expect(dailyLoss(order(), l, state({ realizedPnlToday: d('5000') }))).to.equal(null)
    })
  })

  describe('referencePrice', () => {
    it('is the configured reference of the symbol, before the last fill', () => {
      expect(referencePrice('AAPL', { referencePrices: { AAPL: d('187.5') } }, state({ lastFillPrice: d('190') }))?.toFixed()).to.equal('187.5')
    })

    it('is the last fill price when the symbol has no configured reference', () => {
      expect(referencePrice('AAPL', { referencePrices: { MSFT: d('400') } }, state({ lastFillPrice: d('190') }))?.toFixed()).to.equal('190')
    })

    it('is null when there is neither', () => {
      expect(referencePrice('AAPL', { referencePrices: { MSFT: d('400') } }, state())).to.equal(null)
    })

    // Regression: a client-chosen Symbol(55) such as "constructor" once found an Object.prototype function as its
    // reference price, and maxNotional / priceCollar threw instead of answering (now looked up with Object.hasOwn).
    it('treats a symbol named like an Object.prototype member as having no configured reference', () => {
      const l: RiskLimits = { maxNotional: d('1000'), priceCollarPct: d('5'), referencePrices: { AAPL: d('10') } }
      for (const symbol of ['constructor', 'toString', 'valueOf', 'hasOwnProperty', '__proto__']) {
        expect(referencePrice(symbol, l, state()), symbol).to.equal(null)
        expect(maxNotional(order({ symbol, price: null }), l, state()), symbol).to.deep.equal({ code: 'NO_REFERENCE_PRICE', symbol })
        expect(priceCollar(order({ symbol, price: d('10') }), l, state()), symbol).to.equal(null)
      }
    })
  })

  describe('evaluateRisk', () => {
    const ALL = ['killSwitch', 'tradingHours', 'symbolLists', 'orderRate', 'maxOrderQty', 'maxNotional', 'priceCollar', 'maxOpenOrders', 'maxPosition', 'dailyLoss']

    /** Limits every check looks at, all satisfied by order() in state(). */
    const EVERY_LIMIT: RiskLimits = {
      tradingHours: { start: '09:30', end: '16:00', timeZone: 'America/New_York', days: [1, 2, 3, 4, 5] },
      allowSymbols: ['AAPL'],
      denySymbols: ['GME'],
      maxOrdersPerSecond: 10,
      maxOrderQty: d('1000'),
      maxNotional: d('100000'),
      priceCollarPct: d('10'),
      referencePrices: { AAPL: d('10') },
      maxOpenOrders: 50,
      maxPositionPerSymbol: d('5000'),
      dailyLossLimit: d('10000')
    }

    it('runs the checks cheapest and most absolute first, in this order', () => {
      expect(RISK_CHAIN.map(([name]) => name)).to.deep.equal(ALL)
    })

    it('passes an order with no limits configured, listing every check as passed in chain order', () => {
      expect(evaluateRisk(order(), NO_LIMITS, state())).to.deep.equal({ passed: ALL, denial: null, deniedBy: null })
    })

    it('passes an order that satisfies every configured limit, listing every check in order', () => {
      expect(evaluateRisk(order(), EVERY_LIMIT, state())).to.deep.equal({ passed: ALL, denial: null, deniedBy: null })
    })

    it('stops at the kill switch with nothing passed before it', () => {
      const ev = evaluateRisk(order({ symbol: 'GME', orderQty: d('99999') }), EVERY_LIMIT, state({ killSwitchGlobal: true }))
      expect(ev).to.deep.equal({ passed: [], denial: { code: 'KILL_SWITCH', scope: 'global' }, deniedBy: 'killSwitch' })
    })

    it('reports the first failing check when several would fail (deny list before quantity)', () => {
      const ev = evaluateRisk(order({ symbol: 'GME', orderQty: d('99999') }), EVERY_LIMIT, state())
      expect(ev.deniedBy).to.equal('symbolLists')
      expect(ev.denial).to.deep.equal({ code: 'SYMBOL_DENIED', symbol: 'GME' })
      expect(ev.passed).to.deep.equal(['killSwitch', 'tradingHours'])
    })

    it('lists the checks that passed before a denial in the middle of the chain', () => {
      const ev = evaluateRisk(order({ orderQty: d('1000'), price: d('100.01') }), { ...EVERY_LIMIT, priceCollarPct: undefined }, state())
      expect(ev.deniedBy).to.equal('maxNotional')
      expect(plain(ev.denial)).to.deep.equal({ code: 'NOTIONAL_EXCEEDS_MAX', notional: '100010', max: '100000' })
      expect(ev.passed).to.deep.equal(['killSwitch', 'tradingHours', 'symbolLists', 'orderRate', 'maxOrderQty'])
    })

    it('lists the first nine checks as passed when the last one, the daily loss, denies', () => {
      const ev = evaluateRisk(order(), EVERY_LIMIT, state({ realizedPnlToday: d('-10000') }))
      expect(ev.deniedBy).to.equal('dailyLoss')
      expect(ev.passed).to.deep.equal(ALL.slice(0, 9))
    })

    it('does not run the checks after a denial', () => {
      let pnlRead = false
      const s: RiskState = Object.defineProperty({ ...state() }, 'realizedPnlToday', {
        get: () => { pnlRead = true; return d('-1e9') },
        enumerable: true
      })
      const ev = evaluateRisk(order({ orderQty: d('1001') }), EVERY_LIMIT, s)
      expect(ev.deniedBy).to.equal('maxOrderQty')
      expect(pnlRead, 'dailyLoss read the P&L after maxOrderQty denied').to.equal(false)
    })

    it('denies a market order outside trading hours on the hours, not on the missing reference price', () => {
      const saturday = new Date('2024-01-13T15:00:00Z')
      const ev = evaluateRisk(order({ price: null }), { ...EVERY_LIMIT, referencePrices: {} }, state({ now: saturday }))
      expect(ev.deniedBy).to.equal('tradingHours')
      expect(ev.denial?.code).to.equal('TRADING_HOURS')
    })

    it('lets a replace through a full order book and a busy second (maxOpenOrders and orderRate skip replaces)', () => {
      const s = state({ openOrders: 50, ordersLastSecond: 10, openBuyQty: d('100') })
      const ev = evaluateRisk(order({ replacing: { orderQty: d('100') } }), EVERY_LIMIT, s)
      expect(ev).to.deep.equal({ passed: ALL, denial: null, deniedBy: null })
      expect(evaluateRisk(order(), EVERY_LIMIT, s).deniedBy).to.equal('orderRate')
    })
  })
})
