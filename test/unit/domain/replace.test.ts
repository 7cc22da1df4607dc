import { expect } from 'chai'
import { Decimal, ZERO } from '../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../src/domain/ids'
import type { Order } from '../../../src/domain/order'
import { CXL_REJ, validateReplace, type ReplaceRequest, type ReplaceValidation } from '../../../src/domain/replace'
import { DEFAULT_RULES } from '../../../src/domain/new-order'

const d = (s: string): Decimal => new Decimal(s)

/** A live Day limit order: buy 100 AAPL @ 10.5, nothing filled. */
function order (over: Partial<Order> = {}): Order {
  return {
    orderId: asOrderId('ORD-1'),
    clientSession: 'CLIENT1',
    clOrdId: asClOrdId('C-1'),
    origClOrdId: null,
    account: 'ACC-1',
    symbol: 'AAPL',
    securityType: 'CS',
    side: '1',
    ordType: '2',
    timeInForce: '0',
    expireTime: null,
    orderQty: d('100'),
    price: d('10.5'),
    stopPx: null,
    handlInst: '1',
    exDestination: null,
    state: 'New',
    cumQty: ZERO,
    leavesQty: d('100'),
    avgPx: ZERO,
    brokerSession: 'BROKER1',
    brokerOrderId: 'B-1',
    brokerClOrdId: 'FGW-1',
    pending: null,
    version: 1,
    ...over
  }
}

const MARKET = { ordType: '1', price: null, stopPx: null } as const
const STOP = { ordType: '3', price: null, stopPx: d('9.5') } as const
const STOP_LIMIT = { ordType: '4', price: d('9.4'), stopPx: d('9.5') } as const

/** A request that names nothing: every field left out. */
function req (over: Partial<ReplaceRequest> = {}): ReplaceRequest {
  return { symbol: null, side: null, ordType: null, orderQty: null, price: null, stopPx: null, timeInForce: null, ...over }
}

/** The accepted values as plain strings, or the refusal. */
function values (v: ReplaceValidation): { orderQty: string, price: string | null, stopPx: string | null, timeInForce: string } {
  if (!v.ok) throw new Error(`expected the replace to be accepted, got: ${v.text}`)
  return { orderQty: v.values.orderQty.toFixed(), price: v.values.price?.toFixed() ?? null, stopPx: v.values.stopPx?.toFixed() ?? null, timeInForce: v.values.timeInForce }
}

function refusal (v: ReplaceValidation): { cxlRejReason: number, text: string } {
  if (v.ok) throw new Error(`expected the replace to be refused, got values ${JSON.stringify(values(v))}`)
  return { cxlRejReason: v.cxlRejReason, text: v.text }
}

describe('domain/replace validateReplace', () => {
  describe('fields the request leaves out', () => {
    it('keeps every value of the order when the request names nothing', () => {
      expect(values(validateReplace(order(), req()))).to.deep.equal({ orderQty: '100', price: '10.5', stopPx: null, timeInForce: '0' })
    })

    it('changes only OrderQty when only OrderQty is given', () => {
      expect(values(validateReplace(order({ timeInForce: '1' }), req({ orderQty: '150' })))).to.deep.equal({ orderQty: '150', price: '10.5', stopPx: null, timeInForce: '1' })
    })

    it('changes only Price when only Price is given', () => {
      expect(values(validateReplace(order(), req({ price: '10.25' })))).to.deep.equal({ orderQty: '100', price: '10.25', stopPx: null, timeInForce: '0' })
    })

    it('changes only TimeInForce when only TimeInForce is given', () => {
      expect(values(validateReplace(order(), req({ timeInForce: '1' })))).to.deep.equal({ orderQty: '100', price: '10.5', stopPx: null, timeInForce: '1' })
    })

    it('keeps the StopPx of a stop order when only OrderQty is given', () => {
      expect(values(validateReplace(order(STOP), req({ orderQty: '50' })))).to.deep.equal({ orderQty: '50', price: null, stopPx: '9.5', timeInForce: '0' })
    })

    it('changes only StopPx of a stop-limit order when only StopPx is given', () => {
      expect(values(validateReplace(order(STOP_LIMIT), req({ stopPx: '9.6' })))).to.deep.equal({ orderQty: '100', price: '9.4', stopPx: '9.6', timeInForce: '0' })
    })

    it('changes Price and StopPx of a stop-limit order together', () => {
      expect(values(validateReplace(order(STOP_LIMIT), req({ price: '9.2', stopPx: '9.3' })))).to.deep.equal({ orderQty: '100', price: '9.2', stopPx: '9.3', timeInForce: '0' })
    })

    it('keeps the quantity of a partially filled order when OrderQty is left out', () => {
      expect(values(validateReplace(order({ cumQty: d('60'), leavesQty: d('40'), state: 'PartiallyFilled' }), req({ price: '10.4' }))).orderQty).to.equal('100')
    })
  })

  describe('Symbol, Side and OrdType stay', () => {
    it('accepts the same Symbol, Side and OrdType repeated in the request', () => {
      expect(values(validateReplace(order(), req({ symbol: 'AAPL', side: '1', ordType: '2', orderQty: '120' })))).to.deep.equal({ orderQty: '120', price: '10.5', stopPx: null, timeInForce: '0' })
    })

    it('refuses a change of Symbol(55), naming both symbols', () => {
      expect(refusal(validateReplace(order(), req({ symbol: 'MSFT' })))).to.deep.equal({ cxlRejReason: 99, text: 'Symbol(55) cannot change on replace (AAPL -> MSFT)' })
    })

    it('refuses a change of Side(54), naming both sides', () => {
      expect(refusal(validateReplace(order(), req({ side: '2' })))).to.deep.equal({ cxlRejReason: 99, text: 'Side(54) cannot change on replace (1 -> 2)' })
    })

    it('refuses a change of OrdType(40), naming both types', () => {
      expect(refusal(validateReplace(order(), req({ ordType: '1' })))).to.deep.equal({ cxlRejReason: 99, text: 'OrdType(40) cannot change on replace (2 -> 1)' })
    })

    it('reports the Symbol change first when a request breaks several rules', () => {
      expect(refusal(validateReplace(order(), req({ symbol: 'MSFT', side: '2', orderQty: '-1' }))).text).to.match(/^Symbol\(55\)/)
    })
  })

  describe('OrderQty(38)', () => {
    for (const bad of ['abc', '', ' ', '1e3', '1,000', '0x10', '-5', '-0.5']) {
      it(`refuses OrderQty ${JSON.stringify(bad)} as not a positive number`, () => {
        expect(refusal(validateReplace(order(), req({ orderQty: bad })))).to.deep.equal({ cxlRejReason: 99, text: `OrderQty(38)=${bad} must be a positive number` })
      })
    }

    for (const zero of ['0', '0.000', '-0', '.0']) {
      it(`refuses a zero OrderQty ${JSON.stringify(zero)}`, () => {
        expect(refusal(validateReplace(order(), req({ orderQty: zero })))).to.deep.equal({ cxlRejReason: 99, text: `OrderQty(38)=${zero} must be a positive number` })
      })
    }

    it('refuses an OrderQty with more decimals than the default rules allow (8)', () => {
      expect(refusal(validateReplace(order(), req({ orderQty: '1.123456789' })))).to.deep.equal({ cxlRejReason: 99, text: 'OrderQty(38)=1.123456789 has more than 8 decimals' })
    })

    it('accepts an OrderQty with exactly the allowed number of decimals', () => {
      expect(values(validateReplace(order(), req({ orderQty: '1.12345678' }))).orderQty).to.equal('1.12345678')
    })

    it('does not count trailing zeros as decimals', () => {
      expect(values(validateReplace(order(), req({ orderQty: '150.5000000000' }))).orderQty).to.equal('150.5')
    })

    it('follows the session\'s rules: a fractional OrderQty is refused when no decimals are allowed', () => {
      expect(refusal(validateReplace(order(), req({ orderQty: '100.5' }), { ...DEFAULT_RULES, maxQtyDecimals: 0 }))).to.deep.equal({ cxlRejReason: 99, text: 'OrderQty(38)=100.5 has more than 0 decimals' })
      expect(values(validateReplace(order(), req({ orderQty: '101' }), { ...DEFAULT_RULES, maxQtyDecimals: 0 })).orderQty).to.equal('101')
    })

    it('accepts the FIX float forms "150." and ".5"', () => {
      expect(values(validateReplace(order(), req({ orderQty: '150.' }))).orderQty).to.equal('150')
      expect(values(validateReplace(order(), req({ orderQty: '.5' }))).orderQty).to.equal('0.5')
    })

    it('refuses an OrderQty below CumQty(14), naming both', () => {
      const partial = order({ cumQty: d('40'), leavesQty: d('60'), state: 'PartiallyFilled' })
      expect(refusal(validateReplace(partial, req({ orderQty: '39.99' })))).to.deep.equal({ cxlRejReason: 99, text: 'OrderQty(38)=39.99 is below CumQty(14)=40' })
    })

    it('accepts an OrderQty equal to CumQty (the order is then complete)', () => {
      const partial = order({ cumQty: d('40'), leavesQty: d('60'), state: 'PartiallyFilled' })
      expect(values(validateReplace(partial, req({ orderQty: '40' }))).orderQty).to.equal('40')
    })

    it('accepts an OrderQty above CumQty on a partially filled order', () => {
      const partial = order({ cumQty: d('40'), leavesQty: d('60'), state: 'PartiallyFilled' })
      expect(values(validateReplace(partial, req({ orderQty: '40.00000001' }))).orderQty).to.equal('40.00000001')
    })
  })

  describe('TimeInForce(59)', () => {
    for (const tif of ['0', '1', '3', '4']) {
      it(`accepts the supported TimeInForce ${tif}`, () => {
        expect(values(validateReplace(order(), req({ timeInForce: tif }))).timeInForce).to.equal(tif)
      })
    }

    it('accepts TimeInForce 6 (GTD) on an order that is already GTD with an ExpireTime', () => {
      const gtd = order({ timeInForce: '6', expireTime: new Date('2024-02-01T21:00:00Z') })
      expect(values(validateReplace(gtd, req({ timeInForce: '6', orderQty: '90' })))).to.deep.equal({ orderQty: '90', price: '10.5', stopPx: null, timeInForce: '6' })
    })

    for (const tif of ['2', '5', '7', 'X', '', '00', ' 0']) {
      it(`refuses the unsupported TimeInForce ${JSON.stringify(tif)}`, () => {
        expect(refusal(validateReplace(order(), req({ timeInForce: tif })))).to.deep.equal({ cxlRejReason: 99, text: `TimeInForce(59)=${tif} is not supported` })
      })
    }

    for (const tif of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) {
      it(`refuses TimeInForce ${JSON.stringify(tif)}, an Object.prototype name, as unsupported`, () => {
        expect(refusal(validateReplace(order(), req({ timeInForce: tif })))).to.deep.equal({ cxlRejReason: 99, text: `TimeInForce(59)=${tif} is not supported` })
      })
    }

    // Regression: a replace once turned a Day order into GTD with no ExpireTime (a new order is refused for that).
    it('refuses a change to TimeInForce 6 (GTD) on an order that has no ExpireTime', () => {
      expect(refusal(validateReplace(order({ timeInForce: '0', expireTime: null }), req({ timeInForce: '6' }))).cxlRejReason).to.equal(99)
    })
  })

  describe('Price(44) and StopPx(99)', () => {
    for (const bad of ['abc', '', '0', '0.00', '-1', '-0', '1e2', '10,5']) {
      it(`refuses Price ${JSON.stringify(bad)} as not a positive number`, () => {
        expect(refusal(validateReplace(order(), req({ price: bad })))).to.deep.equal({ cxlRejReason: 99, text: `Price(44)=${bad} is not a positive number` })
      })
    }

    for (const bad of ['abc', '', '0', '-9.5', '9.5.1']) {
      it(`refuses StopPx ${JSON.stringify(bad)} as not a positive number`, () => {
        expect(refusal(validateReplace(order(STOP), req({ stopPx: bad })))).to.deep.equal({ cxlRejReason: 99, text: `StopPx(99)=${bad} is not a positive number` })
      })
    }

    it('accepts a new StopPx on a stop order', () => {
      expect(values(validateReplace(order(STOP), req({ stopPx: '9.75' })))).to.deep.equal({ orderQty: '100', price: null, stopPx: '9.75', timeInForce: '0' })
    })

    it('refuses a Price on a market order', () => {
      expect(refusal(validateReplace(order(MARKET), req({ price: '10' })))).to.deep.equal({ cxlRejReason: 99, text: 'Price(44) is not allowed for OrdType(40)=1' })
    })

    it('refuses a Price on a stop order', () => {
      expect(refusal(validateReplace(order(STOP), req({ price: '10' })))).to.deep.equal({ cxlRejReason: 99, text: 'Price(44) is not allowed for OrdType(40)=3' })
    })

    it('leaves a market order without a price after a quantity change', () => {
      expect(values(validateReplace(order(MARKET), req({ orderQty: '200' })))).to.deep.equal({ orderQty: '200', price: null, stopPx: null, timeInForce: '0' })
    })

    it('ends a market order with price null even if the stored order carries a stale price', () => {
      expect(values(validateReplace(order({ ...MARKET, price: d('10.5') }), req({ orderQty: '200' }))).price).to.equal(null)
    })

    it('ends a stop order with price null even if the stored order carries a stale price', () => {
      expect(values(validateReplace(order({ ...STOP, price: d('9.4') }), req())).price).to.equal(null)
    })

    // Regression: a replace once gave a limit or market order a StopPx, which then went to the broker on OrdType(40)=2.
    it('does not give a StopPx to a limit or market order (refused, or dropped like on a new order)', () => {
      for (const o of [order(), order(MARKET)]) {
        const v = validateReplace(o, req({ stopPx: '9.5' }))
        expect(!v.ok || v.values.stopPx === null, `OrdType ${o.ordType}`).to.equal(true)
      }
    })
  })

  describe('number bounds (issue 9: numbers without bounds)', () => {
    it('refuses an OrderQty above the maximum, naming field and bound (45 digits, 1,000 nines, 10^13)', () => {
      expect(refusal(validateReplace(order(), req({ orderQty: '123456789012345678901234567890123456789012345' }))))
        .to.deep.equal({ cxlRejReason: 99, text: 'OrderQty(38)=12345678901234567890...(45 chars) is above the maximum 1000000000000' })
      expect(refusal(validateReplace(order(), req({ orderQty: '9'.repeat(1000) }))).text).to.match(/^OrderQty\(38\)=9{20}\.\.\.\(1000 chars\) is above the maximum 1000000000000$/)
      expect(refusal(validateReplace(order(), req({ orderQty: '10000000000000' }))).text).to.equal('OrderQty(38)=10000000000000 is above the maximum 1000000000000')
    })

    it('refuses a Price or StopPx outside 10^-8 … 10^9', () => {
      expect(refusal(validateReplace(order(), req({ price: '1' + '0'.repeat(40) }))).text).to.match(/^Price\(44\)=.* is above the maximum 1000000000$/)
      expect(refusal(validateReplace(order(), req({ price: '0.' + '0'.repeat(29) + '1' }))).text).to.match(/^Price\(44\)=.* has more than 8 decimals$/)
      expect(refusal(validateReplace(order(STOP_LIMIT), req({ stopPx: '2000000000' })))).to.deep.equal({ cxlRejReason: 99, text: 'StopPx(99)=2000000000 is above the maximum 1000000000' })
    })

    it('follows the session\'s bounds', () => {
      const rules = { ...DEFAULT_RULES, maxQty: new Decimal(150), minPrice: new Decimal('1') }
      expect(refusal(validateReplace(order(), req({ orderQty: '151' }), rules)).text).to.equal('OrderQty(38)=151 is above the maximum 150')
      expect(refusal(validateReplace(order(), req({ price: '0.5' }), rules)).text).to.equal('Price(44)=0.5 is below the minimum 1')
      expect(values(validateReplace(order(), req({ orderQty: '150' }), rules)).orderQty).to.equal('150')
    })
  })

  describe('CxlRejReason(102) on every refusal', () => {
    const cases: ReadonlyArray<[string, Order, ReplaceRequest, string]> = [
      ['Symbol change', order(), req({ symbol: 'MSFT' }), 'Symbol(55)'],
      ['Side change', order(), req({ side: '2' }), 'Side(54)'],
      ['OrdType change', order(), req({ ordType: '4' }), 'OrdType(40)'],
      ['non-numeric OrderQty', order(), req({ orderQty: 'ten' }), 'OrderQty(38)'],
      ['zero OrderQty', order(), req({ orderQty: '0' }), 'OrderQty(38)'],
      ['too precise OrderQty', order(), req({ orderQty: '0.000000001' }), 'OrderQty(38)'],
      ['OrderQty below CumQty', order({ cumQty: d('50'), leavesQty: d('50') }), req({ orderQty: '49' }), 'CumQty(14)'],
      ['unsupported TimeInForce', order(), req({ timeInForce: '9' }), 'TimeInForce(59)'],
      ['Object.prototype TimeInForce', order(), req({ timeInForce: 'toString' }), 'TimeInForce(59)'],
      ['bad Price', order(), req({ price: '-3' }), 'Price(44)'],
      ['bad StopPx', order(STOP), req({ stopPx: '0' }), 'StopPx(99)'],
      ['Price on a market order', order(MARKET), req({ price: '10' }), 'Price(44)']
    ]

    for (const [name, o, r, tag] of cases) {
      it(`answers a ${name} with CxlRejReason 99 (Other) and a Text naming ${tag}`, () => {
        const v = refusal(validateReplace(o, r))
        expect(v.cxlRejReason).to.equal(CXL_REJ.OTHER)
        expect(v.cxlRejReason).to.equal(99)
        expect(v.text).to.include(tag)
      })
    }
  })
})
