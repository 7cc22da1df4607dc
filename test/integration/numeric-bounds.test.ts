/**
 * Issue 9 §3, numbers without bounds, over real sockets and real Postgres with a scripted
 * broker: out-of-bound OrderQty / Price / StopPx are rejected naming field and bound,
 * nothing is stored as an order and nothing reaches the broker; a session's `bounds`
 * block overrides the defaults; a broker fill with a 1,000-digit LastQty is refused as an
 * anomaly instead of being applied.
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'
import type { ReceivedMessage } from '../../src/fix/client/fix-peer'

const NOW = '20261202-10:00:00'
const HUGE_45 = '123456789012345678901234567890123456789012345'
const NINES_1000 = '9'.repeat(1000)
const PX_1E40 = '1' + '0'.repeat(40)
const PX_1EM30 = '0.' + '0'.repeat(29) + '1'

function order (h: Harness, id: string, qty: string, price: string | null, extra: ReadonlyArray<readonly [number, string]> = []): void {
  const px: Array<[number, string]> = price == null ? [] : [[44, price]]
  h.client.sendTags('D', [[11, id], [1, 'NB'], [55, 'IBM'], [54, '1'], [60, NOW], [38, qty], [40, price == null ? '1' : '2'], ...px, ...extra])
}

async function nextEr (h: Harness, id: string): Promise<ReceivedMessage> {
  return await h.client.next((m) => m.msgType === '8' && m.get(11) === id)
}

async function storedOrders (h: Harness, ids: readonly string[]): Promise<unknown[]> {
  await h.gateway.drain()
  return await h.gateway.db('orders').whereIn('cl_ord_id', ids as string[])
}

describe('numeric bounds on client orders (issue 9 §3)', function () {
  this.timeout(30000)

  describe('default bounds', () => {
    let h: Harness
    before(async () => { h = await startHarness({ broker: 'scripted' }) })
    after(async () => { await h?.stop() })

    const rejectedIds: string[] = []
    let okBrokerClOrdId = ''

    it('rejects a 45-digit OrderQty with 103=13, naming the field and the maximum', async () => {
      order(h, 'NB-45', HUGE_45, '100')
      const er = await nextEr(h, 'NB-45')
      expect([er.get(150), er.get(39), er.get(103), er.get(37)]).to.deep.equal(['8', '8', '13', 'NONE'])
      expect(er.get(58)).to.equal('OrderQty(38)=12345678901234567890...(45 chars) is above the maximum 1000000000000')
      rejectedIds.push('NB-45')
    })

    it('rejects OrderQty of 1,000 nines with 103=13', async () => {
      order(h, 'NB-NINES', NINES_1000, '100')
      const er = await nextEr(h, 'NB-NINES')
      expect([er.get(150), er.get(39), er.get(103)]).to.deep.equal(['8', '8', '13'])
      expect(er.get(58)).to.match(/^OrderQty\(38\)=9{20}\.\.\.\(1000 chars\) is above the maximum 1000000000000$/)
      rejectedIds.push('NB-NINES')
    })

    it('rejects Price 10^40 and 10^-30 (plain decimals) with 103=99, naming the bound', async () => {
      order(h, 'NB-PXBIG', '10', PX_1E40)
      const big = await nextEr(h, 'NB-PXBIG')
      expect([big.get(150), big.get(39), big.get(103)]).to.deep.equal(['8', '8', '99'])
      expect(big.get(58)).to.equal('Price(44)=10000000000000000000...(41 chars) is above the maximum 1000000000')
      order(h, 'NB-PXTINY', '10', PX_1EM30)
      const tiny = await nextEr(h, 'NB-PXTINY')
      expect([tiny.get(150), tiny.get(39), tiny.get(103)]).to.deep.equal(['8', '8', '99'])
      expect(tiny.get(58)).to.equal(`Price(44)=${PX_1EM30} has more than 8 decimals`)
      rejectedIds.push('NB-PXBIG', 'NB-PXTINY')
    })

    it('rejects a StopPx above the price maximum with 103=99', async () => {
      h.client.sendTags('D', [[11, 'NB-STOP'], [1, 'NB'], [55, 'IBM'], [54, '1'], [60, NOW], [38, '10'], [40, '3'], [99, '1000000000.5']])
      const er = await nextEr(h, 'NB-STOP')
      expect([er.get(150), er.get(103), er.get(58)]).to.deep.equal(['8', '99', 'StopPx(99)=1000000000.5 is above the maximum 1000000000'])
      rejectedIds.push('NB-STOP')
    })

    it('stored none of them as an order and sent none to the broker; each reject is audited', async () => {
      expect(await storedOrders(h, rejectedIds)).to.deep.equal([])
      expect(await h.gateway.db('client_order_ids').whereIn('cl_ord_id', rejectedIds)).to.deep.equal([])
      const audited = await h.gateway.db('audit_log').where({ kind: 'reject' }).select('detail')
      expect(audited.map((r: { detail: { clOrdId: string } }) => r.detail.clOrdId)).to.have.members(rejectedIds)
      expect(h.broker!.pending().filter((m) => m.msgType === 'D')).to.deep.equal([])
      // the next valid order is the first NewOrderSingle the broker sees
      order(h, 'NB-OK', '1000000000000', '1000000000')
      const nos = await h.broker!.next((m) => m.msgType === 'D')
      expect([nos.get(38), nos.get(44)]).to.deep.equal(['1000000000000', '1000000000'])
      okBrokerClOrdId = nos.get(11) ?? ''
    })

    it('refuses a replace with an out-of-bound OrderQty with 35=9 434=2 102=99 and leaves the order untouched', async () => {
      // NB-OK is PendingNew (the broker has not acked it yet): a replace is validated first
      h.client.sendTags('G', [[11, 'NB-OK-R'], [41, 'NB-OK'], [55, 'IBM'], [54, '1'], [60, NOW], [38, NINES_1000], [40, '2'], [44, '100']])
      const rej = await h.client.next((m) => m.msgType === '9')
      expect([rej.get(11), rej.get(41), rej.get(434), rej.get(102)]).to.deep.equal(['NB-OK-R', 'NB-OK', '2', '99'])
      expect(rej.get(58)).to.match(/^OrderQty\(38\)=9{20}\.\.\.\(1000 chars\) is above the maximum 1000000000000$/)
      h.client.sendTags('G', [[11, 'NB-OK-R2'], [41, 'NB-OK'], [55, 'IBM'], [54, '1'], [60, NOW], [38, '10'], [40, '2'], [44, PX_1E40]])
      const rej2 = await h.client.next((m) => m.msgType === '9')
      expect([rej2.get(434), rej2.get(102), rej2.get(58)]).to.deep.equal(['2', '99', 'Price(44)=10000000000000000000...(41 chars) is above the maximum 1000000000'])
      await h.gateway.drain()
      const row = await h.gateway.db('orders').where({ cl_ord_id: 'NB-OK' }).first()
      expect([row.order_qty, row.price, row.pending_kind]).to.deep.equal(['1000000000000', '1000000000', null])
      expect(h.broker!.pending().filter((m) => m.msgType === 'G')).to.deep.equal([])
    })

    it('refuses a broker fill with a 1,000-digit LastQty: audited as an anomaly, the order unchanged, nothing to the client', async () => {
      const b = okBrokerClOrdId
      h.broker!.sendTags('8', [[37, 'B-NB'], [11, b], [17, 'X-NB-1'], [150, '0'], [39, '0'], [55, 'IBM'], [54, '1'], [151, '1000000000000'], [14, '0'], [6, '0']])
      expect((await nextEr(h, 'NB-OK')).get(150)).to.equal('0')
      h.broker!.sendTags('8', [[37, 'B-NB'], [11, b], [17, 'X-NB-2'], [150, 'F'], [39, '1'], [55, 'IBM'], [54, '1'], [32, NINES_1000], [31, '100'], [151, '0'], [14, NINES_1000], [6, '100']])
      await new Promise((resolve) => setTimeout(resolve, 300))
      await h.gateway.drain()
      const anomaly = await h.gateway.db('audit_log').where({ kind: 'broker_er_out_of_bounds' }).first()
      expect(anomaly.detail.problem).to.match(/^LastQty\(32\)=9{20}\.\.\.\(1000 chars\) is above the maximum 1000000000000000$/)
      expect(anomaly.detail.execId).to.equal('X-NB-2')
      const row = await h.gateway.db('orders').where({ cl_ord_id: 'NB-OK' }).first()
      expect([row.state, row.cum_qty]).to.deep.equal(['New', '0'])
      expect(await h.gateway.db('executions').where({ exec_id: 'X-NB-2' })).to.deep.equal([])
      expect(h.client.pending().filter((m) => m.msgType === '8')).to.deep.equal([])
    })
  })

  describe('a session overriding the bounds', () => {
    let h: Harness
    before(async () => { h = await startHarness({ broker: 'scripted', clientConfig: { bounds: { maxQty: '500', maxQtyDecimals: 0, maxPrice: '1000', maxPriceDecimals: 2 } } }) })
    after(async () => { await h?.stop() })

    it('rejects what the defaults allow, naming the session\'s bounds', async () => {
      order(h, 'OV-QTY', '501', '10')
      expect((await nextEr(h, 'OV-QTY')).get(58)).to.equal('OrderQty(38)=501 is above the maximum 500')
      order(h, 'OV-DEC', '1.5', '10')
      const dec = await nextEr(h, 'OV-DEC')
      expect([dec.get(103), dec.get(58)]).to.deep.equal(['13', 'OrderQty(38)=1.5 has more than 0 decimals'])
      order(h, 'OV-PX', '10', '10.125')
      const px = await nextEr(h, 'OV-PX')
      expect([px.get(103), px.get(58)]).to.deep.equal(['99', 'Price(44)=10.125 has more than 2 decimals'])
      order(h, 'OV-PXMAX', '10', '1000.01')
      expect((await nextEr(h, 'OV-PXMAX')).get(58)).to.equal('Price(44)=1000.01 is above the maximum 1000')
      expect(await storedOrders(h, ['OV-QTY', 'OV-DEC', 'OV-PX', 'OV-PXMAX'])).to.deep.equal([])
    })

    it('accepts values at the session\'s bounds, and bounds its replaces too', async () => {
      order(h, 'OV-OK', '500', '1000')
      const nos = await h.broker!.next((m) => m.msgType === 'D')
      expect([nos.get(38), nos.get(44)]).to.deep.equal(['500', '1000'])
      h.client.sendTags('G', [[11, 'OV-OK-R'], [41, 'OV-OK'], [55, 'IBM'], [54, '1'], [60, NOW], [38, '400.5'], [40, '2'], [44, '1000']])
      const rej = await h.client.next((m) => m.msgType === '9')
      expect([rej.get(434), rej.get(102), rej.get(58)]).to.deep.equal(['2', '99', 'OrderQty(38)=400.5 has more than 0 decimals'])
      expect(h.broker!.pending().filter((m) => m.msgType === 'G')).to.deep.equal([])
    })
  })
})
