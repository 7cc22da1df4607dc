/**
 * The position check on a replace, through runRisk, with a risk state read the way the
 * OmsTx port promises it (riskState(..., excludeOrderId): the order being replaced is left
 * out of the open orders) — which is what the Postgres adapter does.
 */
import { expect } from 'chai'
import { Decimal, ZERO } from '../../../../src/domain/money'
import { asClOrdId, asOrderId } from '../../../../src/domain/ids'
import type { Order } from '../../../../src/domain/order'
import type { RiskState } from '../../../../src/domain/risk/risk-checks'
import type { OmsContext } from '../../../../src/oms/context'
import type { OmsTx } from '../../../../src/oms/ports'
import { runRisk } from '../../../../src/oms/new-order-command'
import { d } from './fixtures'

function openBuy (orderId: string, orderQty: string, cumQty = '0'): Order {
  return {
    orderId: asOrderId(orderId), clientSession: 'CLIENT', clOrdId: asClOrdId(`C-${orderId}`), origClOrdId: null, account: 'ACC', symbol: 'AAPL',
    securityType: null, side: '1', ordType: '2', timeInForce: '0', expireTime: null, orderQty: d(orderQty), price: d('10'), stopPx: null,
    handlInst: null, exDestination: null, state: cumQty === '0' ? 'New' : 'PartiallyFilled', cumQty: d(cumQty), leavesQty: d(orderQty).minus(d(cumQty)),
    avgPx: cumQty === '0' ? ZERO : d('10'), brokerSession: 'BROKER', brokerOrderId: `B-${orderId}`, brokerClOrdId: `FGW-${orderId}`, pending: null, version: 1
  }
}

/** An OmsTx that knows the open orders and the position, and answers riskState like the port says. */
function fakeTx (open: readonly Order[], position: Decimal): OmsTx {
  const riskState = async (_cs: string, _acct: string | null, _sym: string, excludeOrderId: string | null): Promise<Omit<RiskState, 'now'>> => {
    const others = open.filter((o) => o.orderId !== excludeOrderId)
    const sum = (buy: boolean): Decimal => others.filter((o) => (o.side === '1') === buy).reduce((a, o) => a.plus(o.leavesQty), ZERO)
    return {
      killSwitchGlobal: false, killSwitchSession: false, openOrders: others.length, position, openBuyQty: sum(true), openSellQty: sum(false),
      realizedPnlToday: ZERO, ordersLastSecond: 0, lastFillPrice: null
    }
  }
  return { riskState, audit: async () => {} } as unknown as OmsTx
}

const ctx = { deps: { riskConfig: () => ({ limits: { maxPositionPerSymbol: d('100') } }), now: () => new Date('2024-01-15T15:00:00Z') } } as unknown as OmsContext

const check = async (tx: OmsTx, qty: string, replacing: Order | null): Promise<{ ordRejReason: number, text: string } | null> =>
  await runRisk(ctx, tx, 'CLIENT', { account: 'ACC', symbol: 'AAPL', side: '1', orderQty: d(qty), price: d('10') }, replacing, '')

describe('domain/risk maxPosition on a replace, through runRisk', () => {
  it('denies a new buy that would take open buys past the maximum position (setup sanity)', async () => {
    const o1 = openBuy('O1', '100')
    expect(await check(fakeTx([o1], ZERO), '1', null)).to.deep.equal({ ordRejReason: 3, text: 'POSITION_EXCEEDS_MAX: projected position 101 > max 100' })
  })

  it('allows a replace down of the only open buy', async () => {
    const o1 = openBuy('O1', '100')
    expect(await check(fakeTx([o1], ZERO), '80', o1)).to.equal(null)
  })

  // Regression: runRisk once read the state with the replaced order left out of the open totals while maxPosition
  // also subtracted `replacing.orderQty`, discounting the old exposure twice: a 100 open buy replaced up to 150
  // under a 100 maximum projected 50 and passed. The replaced order now stays in the totals (counted once).
  it('denies a replace up of an open buy past the maximum position, counting its old quantity once', async () => {
    const o1 = openBuy('O1', '100')
    expect(await check(fakeTx([o1], ZERO), '150', o1)).to.deep.equal({ ordRejReason: 3, text: 'POSITION_EXCEEDS_MAX: projected position 150 > max 100' })
  })

  // Regression: same cause; with 40 filled, a replace to 120 projects 40 + 60 + (120 − 100) = 120 (it was 60).
  it('denies a replace up of a partially filled buy past the maximum, counting the fills in the position', async () => {
    const o1 = openBuy('O1', '100', '40')
    expect(await check(fakeTx([o1], d('40')), '120', o1)).to.deep.equal({ ordRejReason: 3, text: 'POSITION_EXCEEDS_MAX: projected position 120 > max 100' })
  })
})
