/**
 * Two client sessions on one gateway: each sees and touches only its own orders, and
 * ClOrdID uniqueness is per session. Real sockets, real Postgres, scripted broker.
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'

describe('client sessions are isolated from each other', function () {
  this.timeout(30000)
  let h: Harness
  let orderId: string | null
  before(async () => {
    h = await startHarness({ broker: 'scripted', secondClient: true })
    h.client.send('D', { ClOrdID: 'SAME-1', Instrument: { Symbol: 'IBM' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '10' }, OrdType: '2', Price: '150' })
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    h.broker!.sendTags('8', [[37, 'B1'], [11, nos.get(11) ?? ''], [17, 'X1'], [150, '0'], [39, '0'], [55, 'IBM'], [54, '1'], [151, '10'], [14, '0'], [6, '0']])
    const ack = await h.client.next((m) => m.msgType === '8')
    orderId = ack.get(37)
  })
  after(async () => { await h?.stop() })

  it("another session's ClOrdID is an unknown order to a cancel", async () => {
    h.client2!.send('F', { ClOrdID: 'C2-X', OrigClOrdID: 'SAME-1', Instrument: { Symbol: 'IBM' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '10' } })
    const rej = await h.client2!.next((m) => m.msgType === '9')
    expect([rej.get(37), rej.get(39), rej.get(102), rej.get(434)]).to.deep.equal(['NONE', '8', '1', '1'])
  })

  it("another session's OrderID is an unknown order to a status request and a replace", async () => {
    h.client2!.send('H', { ClOrdID: 'C2-Y', OrderID: orderId ?? '', OrdStatusReqID: 'R1', Instrument: { Symbol: 'IBM' }, Side: '1' })
    const st = await h.client2!.next((m) => m.msgType === '8')
    expect([st.get(150), st.get(39), st.get(103), st.get(37)]).to.deep.equal(['I', '8', '5', 'NONE'])
    h.client2!.send('G', { ClOrdID: 'C2-Z', OrigClOrdID: 'SAME-1', OrderID: orderId ?? '', Instrument: { Symbol: 'IBM' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '5' }, OrdType: '2', Price: '150' })
    const rej = await h.client2!.next((m) => m.msgType === '9')
    expect([rej.get(102), rej.get(434)]).to.deep.equal(['1', '2'])
  })

  it("a mass cancel of all orders leaves the other session's orders alone", async () => {
    h.client2!.send('q', { ClOrdID: 'MC2', MassCancelRequestType: '7', TransactTime: new Date() })
    const r = await h.client2!.next((m) => m.msgType === 'r')
    expect([r.get(531), r.get(533)]).to.deep.equal(['7', '0'])
    await h.gateway.drain()
    expect((await h.gateway.db('orders').where({ order_id: orderId }).first()).state).to.equal('New')
  })

  it('the same ClOrdID is free to use in another session', async () => {
    h.client2!.send('D', { ClOrdID: 'SAME-1', Instrument: { Symbol: 'MSFT' }, Side: '2', TransactTime: new Date(), OrderQtyData: { OrderQty: '1' }, OrdType: '1' })
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    expect(nos.get(55)).to.equal('MSFT')
    await h.gateway.drain()
    const rows = await h.gateway.db('client_order_ids').where({ cl_ord_id: 'SAME-1' }).orderBy('client_session')
    expect(rows.map((r: { client_session: string }) => r.client_session)).to.deep.equal(['client1', 'client2'])
  })
})
