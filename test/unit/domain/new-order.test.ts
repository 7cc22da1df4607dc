import { expect } from 'chai'
import { DEFAULT_RULES, ORD_REJ, validateNewOrder, type NewOrderRequest, type ValidNewOrder, type Validation, type ValidationRules } from '../../../src/domain/new-order'
import { Decimal } from '../../../src/domain/money'

/** A valid Day limit buy; each test changes only what it is about. */
function req (over: Partial<NewOrderRequest> = {}): NewOrderRequest {
  return {
    clOrdId: 'CL-1',
    account: 'ACC-1',
    symbol: 'AAPL',
    securityType: 'CS',
    side: '1',
    ordType: '2',
    timeInForce: '0',
    orderQty: '100',
    price: '150.25',
    stopPx: null,
    handlInst: '1',
    exDestination: 'XNAS',
    expireTime: null,
    ...over
  }
}

function accepted (v: Validation): ValidNewOrder {
  if (!v.ok) throw new Error(`expected the order to be accepted, got ${v.ordRejReason}: ${v.text}`)
  return v.order
}

function rejected (v: Validation): { ordRejReason: number, text: string } {
  if (v.ok) throw new Error('expected the order to be rejected, it was accepted')
  return { ordRejReason: v.ordRejReason, text: v.text }
}

/** Expect a reject with `reason` whose Text names every string in `mentions`. */
function expectReject (r: NewOrderRequest, reason: number, mentions: string[], rules?: ValidationRules): void {
  const rej = rejected(validateNewOrder(r, rules))
  expect(rej.ordRejReason, rej.text).to.equal(reason)
  for (const m of mentions) expect(rej.text).to.include(m)
}

describe('domain/validateNewOrder', () => {
  describe('OrdRejReason(103) codes', () => {
    it('uses the FIX 4.4 values (0 broker option, 1 unknown symbol, 2 exchange closed, 3 exceeds limit, 5 unknown order, 6 duplicate, 11 unsupported characteristic, 13 incorrect quantity, 99 other)', () => {
      expect(ORD_REJ).to.deep.equal({
        BROKER_OPTION: 0,
        UNKNOWN_SYMBOL: 1,
        EXCHANGE_CLOSED: 2,
        EXCEEDS_LIMIT: 3,
        UNKNOWN_ORDER: 5,
        DUPLICATE_ORDER: 6,
        UNSUPPORTED_ORDER_CHARACTERISTIC: 11,
        INCORRECT_QUANTITY: 13,
        OTHER: 99
      })
    })
  })

  describe('Symbol(55)', () => {
    it('rejects an order without Symbol(55) with OrdRejReason 1 (unknown symbol)', () => {
      expectReject(req({ symbol: null }), 1, ['Symbol(55)'])
    })

    it('rejects an empty Symbol(55) with OrdRejReason 1', () => {
      expectReject(req({ symbol: '' }), 1, ['Symbol(55)'])
    })
  })

  describe('Side(54)', () => {
    it('rejects an order without Side(54) with OrdRejReason 11', () => {
      expectReject(req({ side: null }), 11, ['Side(54)'])
    })

    for (const side of ['3', '4', '6', '7', 'B', 'X']) {
      it(`rejects Side(54)=${side} (not Buy, Sell or SellShort) with OrdRejReason 11 and the value in Text`, () => {
        expectReject(req({ side }), 11, ['Side(54)', `=${side}`])
      })
    }

    for (const side of ['1', '2', '5']) {
      it(`accepts Side(54)=${side}`, () => {
        expect(accepted(validateNewOrder(req({ side }))).side).to.equal(side)
      })
    }

    // Regression: validateNewOrder checks `r.side in SIDES`; `in` also finds Object.prototype members,
    // so Side(54)=toString / constructor / __proto__ pass validation and produce an order.
    it('rejects Side(54)=toString (an Object.prototype name, not a FIX Side) with OrdRejReason 11', () => {
      for (const side of ['toString', 'constructor', '__proto__', 'hasOwnProperty']) {
        expectReject(req({ side }), 11, ['Side(54)'])
      }
    })
  })

  describe('OrdType(40)', () => {
    it('rejects an order without OrdType(40) with OrdRejReason 11', () => {
      expectReject(req({ ordType: null }), 11, ['OrdType(40)'])
    })

    for (const ordType of ['5', '6', 'D', 'P', 'K']) {
      it(`rejects OrdType(40)=${ordType} (not Market, Limit, Stop or StopLimit) with OrdRejReason 11`, () => {
        expectReject(req({ ordType, price: null }), 11, ['OrdType(40)', `=${ordType}`])
      })
    }

    // Regression: same `in` check as Side: OrdType(40)=constructor / valueOf is accepted as an order type.
    it('rejects OrdType(40)=constructor (an Object.prototype name) with OrdRejReason 11', () => {
      for (const ordType of ['constructor', 'valueOf', '__proto__']) {
        expectReject(req({ ordType, price: null }), 11, ['OrdType(40)'])
      }
    })
  })

  describe('TimeInForce(59)', () => {
    it('defaults TimeInForce(59) to Day (0) when absent', () => {
      expect(accepted(validateNewOrder(req({ timeInForce: null }))).timeInForce).to.equal('0')
    })

    for (const tif of ['0', '1', '3', '4']) {
      it(`accepts TimeInForce(59)=${tif}`, () => {
        expect(accepted(validateNewOrder(req({ timeInForce: tif }))).timeInForce).to.equal(tif)
      })
    }

    for (const tif of ['2', '5', '7', '']) {
      it(`rejects TimeInForce(59)=${JSON.stringify(tif)} (OPG, GTX, At the Close or empty: not supported) with OrdRejReason 11`, () => {
        expectReject(req({ timeInForce: tif }), 11, ['TimeInForce(59)'])
      })
    }

    it('rejects GTD (6) without an expiry with OrdRejReason 99 and names ExpireTime(126)', () => {
      expectReject(req({ timeInForce: '6', expireTime: null }), 99, ['TimeInForce(59)=6', 'ExpireTime(126)'])
    })

    it('accepts GTD (6) with an ExpireTime(126) and keeps the expiry', () => {
      const expireTime = new Date('2030-01-02T21:00:00Z')
      const o = accepted(validateNewOrder(req({ timeInForce: '6', expireTime })))
      expect(o.timeInForce).to.equal('6')
      expect(o.expireTime?.toISOString()).to.equal('2030-01-02T21:00:00.000Z')
    })

    // Regression: same `in` check as Side: TimeInForce(59)=valueOf is accepted as a time in force.
    it('rejects TimeInForce(59)=valueOf (an Object.prototype name) with OrdRejReason 11', () => {
      for (const tif of ['valueOf', 'toString', '__proto__']) {
        expectReject(req({ timeInForce: tif }), 11, ['TimeInForce(59)'])
      }
    })
  })

  describe('OrderQty(38)', () => {
    it('rejects an order without OrderQty(38) with OrdRejReason 13 (incorrect quantity)', () => {
      expectReject(req({ orderQty: null }), 13, ['OrderQty(38)'])
    })

    for (const orderQty of ['abc', '', '1e3', '10,000', '1.2.3', '+100', '0x10']) {
      it(`rejects a non-decimal OrderQty(38)=${JSON.stringify(orderQty)} with OrdRejReason 13`, () => {
        expectReject(req({ orderQty }), 13, ['OrderQty(38)'])
      })
    }

    for (const orderQty of ['0', '0.000', '-5', '-0.5', '-0']) {
      it(`rejects a non-positive OrderQty(38)=${orderQty} with OrdRejReason 13 and the value in Text`, () => {
        expectReject(req({ orderQty }), 13, [`OrderQty(38)=${orderQty}`])
      })
    }

    it('rejects more decimals than allowed (9 by default rules, which allow 8) with OrdRejReason 13', () => {
      expectReject(req({ orderQty: '0.123456789' }), 13, ['OrderQty(38)=0.123456789', '8'])
    })

    it('accepts exactly the allowed number of decimals (8 by default rules)', () => {
      expect(accepted(validateNewOrder(req({ orderQty: '0.12345678' }))).orderQty.toFixed()).to.equal('0.12345678')
    })

    it('applies maxQtyDecimals from the rules (0 decimals: 1.5 rejected, 100 accepted)', () => {
      const wholeShares: ValidationRules = { ...DEFAULT_RULES, maxQtyDecimals: 0 }
      expectReject(req({ orderQty: '1.5' }), 13, ['OrderQty(38)=1.5', '0 decimals'], wholeShares)
      expect(accepted(validateNewOrder(req({ orderQty: '100' }), wholeShares)).orderQty.toFixed()).to.equal('100')
    })

    it('counts significant decimals only: FIX 4.4 says "23.0" = "23" (100.00 passes a 0-decimal rule)', () => {
      const o = accepted(validateNewOrder(req({ orderQty: '100.00' }), { ...DEFAULT_RULES, maxQtyDecimals: 0 }))
      expect(o.orderQty.toFixed()).to.equal('100')
    })
  })

  describe('Price(44)', () => {
    it('rejects a limit order without Price(44) with OrdRejReason 99', () => {
      expectReject(req({ ordType: '2', price: null }), 99, ['Price(44) is required', 'OrdType(40)=2'])
    })

    it('rejects a stop-limit order without Price(44) with OrdRejReason 99', () => {
      expectReject(req({ ordType: '4', price: null, stopPx: '149' }), 99, ['Price(44) is required', 'OrdType(40)=4'])
    })

    it('rejects a market order carrying Price(44) with OrdRejReason 99', () => {
      expectReject(req({ ordType: '1', price: '150' }), 99, ['Price(44) is not allowed', 'OrdType(40)=1'])
    })

    it('rejects a stop order carrying Price(44) with OrdRejReason 99 (a stop is a market order once triggered)', () => {
      expectReject(req({ ordType: '3', price: '150', stopPx: '149' }), 99, ['Price(44) is not allowed', 'OrdType(40)=3'])
    })

    for (const price of ['0', '-1.5', 'abc', '1e2', '']) {
      it(`rejects Price(44)=${JSON.stringify(price)} on a limit order with OrdRejReason 99`, () => {
        expectReject(req({ price }), 99, [`Price(44)=${price}`, 'positive'])
      })
    }
  })

  describe('StopPx(99)', () => {
    it('rejects a stop order without StopPx(99) with OrdRejReason 99', () => {
      expectReject(req({ ordType: '3', price: null, stopPx: null }), 99, ['StopPx(99) is required', 'OrdType(40)=3'])
    })

    it('rejects a stop-limit order without StopPx(99) with OrdRejReason 99', () => {
      expectReject(req({ ordType: '4', price: '150', stopPx: null }), 99, ['StopPx(99) is required', 'OrdType(40)=4'])
    })

    for (const stopPx of ['0', '-2', 'x', '1E2']) {
      it(`rejects StopPx(99)=${stopPx} on a stop order with OrdRejReason 99`, () => {
        expectReject(req({ ordType: '3', price: null, stopPx }), 99, [`StopPx(99)=${stopPx}`, 'positive'])
      })
    }

    it('drops a StopPx(99) sent on a limit order (not routed with a stop price)', () => {
      expect(accepted(validateNewOrder(req({ ordType: '2', stopPx: '149' }))).stopPx).to.equal(null)
    })
  })

  describe('number bounds (issue 9: numbers without bounds)', () => {
    it('rejects a 45-digit OrderQty with OrdRejReason 13, naming the field and the maximum, value shortened', () => {
      const rej = rejected(validateNewOrder(req({ orderQty: '123456789012345678901234567890123456789012345' })))
      expect(rej).to.deep.equal({ ordRejReason: 13, text: 'OrderQty(38)=12345678901234567890...(45 chars) is above the maximum 1000000000000' })
    })

    it('rejects 1,000 nines and 10^13 as OrderQty (13), accepts 10^12', () => {
      expectReject(req({ orderQty: '9'.repeat(1000) }), 13, ['OrderQty(38)=', 'is above the maximum 1000000000000'])
      expect(rejected(validateNewOrder(req({ orderQty: '10000000000000' }))).text).to.equal('OrderQty(38)=10000000000000 is above the maximum 1000000000000')
      expect(accepted(validateNewOrder(req({ orderQty: '1000000000000' }))).orderQty.toFixed()).to.equal('1000000000000')
    })

    it('rejects Price(44)=10^40 and 10^-30 (plain decimals) with OrdRejReason 99, naming the bound', () => {
      const big = '1' + '0'.repeat(40)
      expect(rejected(validateNewOrder(req({ price: big })))).to.deep.equal({ ordRejReason: 99, text: `Price(44)=${big.slice(0, 20)}...(41 chars) is above the maximum 1000000000` })
      const small = '0.' + '0'.repeat(29) + '1'
      expect(rejected(validateNewOrder(req({ price: small })))).to.deep.equal({ ordRejReason: 99, text: `Price(44)=${small} has more than 8 decimals` })
    })

    it('accepts prices at both ends of 10^-8 … 10^9', () => {
      expect(accepted(validateNewOrder(req({ price: '0.00000001' }))).price?.toFixed()).to.equal('0.00000001')
      expect(accepted(validateNewOrder(req({ price: '1000000000' }))).price?.toFixed()).to.equal('1000000000')
    })

    it('gives StopPx(99) the price bounds, even on an order that would drop it', () => {
      expect(rejected(validateNewOrder(req({ ordType: '3', price: null, stopPx: '1000000001' })))).to.deep.equal({ ordRejReason: 99, text: 'StopPx(99)=1000000001 is above the maximum 1000000000' })
      expect(rejected(validateNewOrder(req({ ordType: '4', stopPx: '0.000000001' })))).to.deep.equal({ ordRejReason: 99, text: 'StopPx(99)=0.000000001 has more than 8 decimals' })
    })

    it('follows the session\'s bounds: maxQty, minPrice, maxPrice, maxPriceDecimals', () => {
      const rules: ValidationRules = { ...DEFAULT_RULES, maxQty: new Decimal(500), minPrice: new Decimal('0.01'), maxPrice: new Decimal(1000), maxPriceDecimals: 4 }
      expect(rejected(validateNewOrder(req({ orderQty: '501' }), rules)).text).to.equal('OrderQty(38)=501 is above the maximum 500')
      expect(rejected(validateNewOrder(req({ price: '0.005' }), rules)).text).to.equal('Price(44)=0.005 is below the minimum 0.01')
      expect(rejected(validateNewOrder(req({ price: '1000.5' }), rules)).text).to.equal('Price(44)=1000.5 is above the maximum 1000')
      expect(rejected(validateNewOrder(req({ price: '10.12345' }), rules)).text).to.equal('Price(44)=10.12345 has more than 4 decimals')
      expect(accepted(validateNewOrder(req({ orderQty: '500', price: '999.9999' }), rules)).orderQty.toFixed()).to.equal('500')
    })

    it('shortens a long non-number in Text', () => {
      expect(rejected(validateNewOrder(req({ orderQty: 'x'.repeat(500) }))).text).to.equal('OrderQty(38)=xxxxxxxxxxxxxxxxxxxx...(500 chars) is not a number')
    })
  })

  describe('accepted orders', () => {
    it('accepts a market order, with no Price(44) and no StopPx(99)', () => {
      const o = accepted(validateNewOrder(req({ ordType: '1', price: null })))
      expect(o.ordType).to.equal('1')
      expect(o.price).to.equal(null)
      expect(o.stopPx).to.equal(null)
    })

    it('accepts a limit order and parses Price(44) exactly', () => {
      const o = accepted(validateNewOrder(req({ ordType: '2', price: '150.2500' })))
      expect(o.ordType).to.equal('2')
      expect(o.price?.toFixed()).to.equal('150.25')
      expect(o.stopPx).to.equal(null)
    })

    it('accepts a stop order with StopPx(99) and no Price(44)', () => {
      const o = accepted(validateNewOrder(req({ ordType: '3', price: null, stopPx: '149.5' })))
      expect(o.ordType).to.equal('3')
      expect(o.price).to.equal(null)
      expect(o.stopPx?.toFixed()).to.equal('149.5')
    })

    it('accepts a stop-limit order with both StopPx(99) and Price(44)', () => {
      const o = accepted(validateNewOrder(req({ ordType: '4', price: '149', stopPx: '149.5' })))
      expect(o.ordType).to.equal('4')
      expect(o.price?.toFixed()).to.equal('149')
      expect(o.stopPx?.toFixed()).to.equal('149.5')
    })

    it('carries the identifying and routing fields through unchanged', () => {
      const o = accepted(validateNewOrder(req()))
      expect({
        clOrdId: o.clOrdId,
        account: o.account,
        symbol: o.symbol,
        securityType: o.securityType,
        side: o.side,
        timeInForce: o.timeInForce,
        orderQty: o.orderQty.toFixed(),
        handlInst: o.handlInst,
        exDestination: o.exDestination,
        expireTime: o.expireTime
      }).to.deep.equal({
        clOrdId: 'CL-1',
        account: 'ACC-1',
        symbol: 'AAPL',
        securityType: 'CS',
        side: '1',
        timeInForce: '0',
        orderQty: '100',
        handlInst: '1',
        exDestination: 'XNAS',
        expireTime: null
      })
    })

    it('accepts an order without Account(1), SecurityType(167), HandlInst(21) or ExDestination(100)', () => {
      const o = accepted(validateNewOrder(req({ account: null, securityType: null, handlInst: null, exDestination: null })))
      expect([o.account, o.securityType, o.handlInst, o.exDestination]).to.deep.equal([null, null, null, null])
    })

    it('accepts fractional quantities within the decimals limit', () => {
      expect(accepted(validateNewOrder(req({ orderQty: '0.5' }))).orderQty.toFixed()).to.equal('0.5')
    })
  })
})
