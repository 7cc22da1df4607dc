/**
 * The first end-to-end flow over real sockets and real Postgres, with our simulated
 * broker: NewOrderSingle → New → Filled, and the rows committed.
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'

describe('end-to-end order flow (client → gateway → simulated broker)', function () {
  this.timeout(30000)
  let h: Harness
  before(async () => { h = await startHarness({ broker: 'sim', simBehaviour: { fills: 2 } }) })
  after(async () => { await h?.stop() })

  it('acks then fills a limit order in two executions, with CumQty/AvgPx computed by us', async () => {
    h.client.send('D', {
      ClOrdID: 'E2E-1', Account: 'ACC9', HandlInst: '1', Instrument: { Symbol: 'MSFT' }, Side: '1',
      TransactTime: new Date(), OrderQtyData: { OrderQty: '10.5' }, OrdType: '2', Price: '401.25'
    })
    const ack = await h.client.next((m) => m.msgType === '8')
    expect([ack.get(150), ack.get(39), ack.get(11), ack.get(151), ack.get(14)]).to.deep.equal(['0', '0', 'E2E-1', '10.5', '0'])
    const orderId = ack.get(37)
    const part = await h.client.next((m) => m.msgType === '8')
    expect([part.get(150), part.get(39), part.get(32), part.get(14), part.get(151), part.get(37)]).to.deep.equal(['F', '1', '5', '5', '5.5', orderId])
    const fill = await h.client.next((m) => m.msgType === '8')
    expect([fill.get(150), fill.get(39), fill.get(32), fill.get(14), fill.get(151), fill.get(6)]).to.deep.equal(['F', '2', '5.5', '10.5', '0', '401.25'])
    // ExecIDs are ours and unique
    expect(new Set([ack.get(17), part.get(17), fill.get(17)]).size).to.equal(3)

    await h.gateway.drain()
    const db = h.gateway.db
    const order = await db('orders').where({ order_id: orderId }).first()
    expect([order.state, order.cum_qty, order.leaves_qty, order.avg_px]).to.deep.equal(['Filled', '10.5', '0', '401.25'])
    const fills = await db('executions').where({ order_id: orderId, exec_type: 'F' }).orderBy('id')
    expect(fills.map((f: { last_qty: string }) => f.last_qty)).to.deep.equal(['5', '5.5'])
    const pos = await db('positions').where({ account: 'ACC9', symbol: 'MSFT' }).first()
    expect([pos.qty, pos.avg_cost]).to.deep.equal(['10.5', '401.25'])
  })

  it('rejects a second NewOrderSingle with the same ClOrdID (OrdRejReason 6) and leaves the first order alone', async () => {
    h.client.send('D', {
      ClOrdID: 'E2E-1', Account: 'ACC9', Instrument: { Symbol: 'MSFT' }, Side: '2',
      TransactTime: new Date(), OrderQtyData: { OrderQty: '1' }, OrdType: '1'
    })
    const rej = await h.client.next((m) => m.msgType === '8')
    expect([rej.get(150), rej.get(39), rej.get(103), rej.get(37), rej.get(11)]).to.deep.equal(['8', '8', '6', 'NONE', 'E2E-1'])
    await h.gateway.drain()
    const orders = await h.gateway.db('orders').where({ cl_ord_id: 'E2E-1' })
    expect(orders).to.have.length(1)
    expect(orders[0].state).to.equal('Filled')
  })

  it('rejects an invalid order with a reason the client can act on, and audits it', async () => {
    h.client.send('D', {
      ClOrdID: 'E2E-BAD', Instrument: { Symbol: 'MSFT' }, Side: '1',
      TransactTime: new Date(), OrderQtyData: { OrderQty: '100' }, OrdType: '2'
    })
    const rej = await h.client.next((m) => m.msgType === '8')
    expect([rej.get(150), rej.get(39), rej.get(103)]).to.deep.equal(['8', '8', '99'])
    expect(rej.get(58)).to.match(/Price\(44\) is required/)
    await h.gateway.drain()
    const audit = await h.gateway.db('audit_log').where({ kind: 'reject' }).orderBy('id', 'desc').first()
    expect(audit.detail.clOrdId).to.equal('E2E-BAD')
    expect(audit.fix_message).to.match(/11=E2E-BAD/)
  })

  it('answers with BusinessMessageReject 380=4 when the order cannot be committed, and stores nothing', async () => {
    const db = h.gateway.db
    await db.raw('ALTER TABLE client_order_ids RENAME TO client_order_ids_away')
    try {
      h.client.send('D', {
        ClOrdID: 'E2E-NODB', Instrument: { Symbol: 'MSFT' }, Side: '1',
        TransactTime: new Date(), OrderQtyData: { OrderQty: '1' }, OrdType: '1'
      })
      const bmr = await h.client.next((m) => m.msgType === 'j')
      expect([bmr.get(372), bmr.get(380), bmr.get(379)]).to.deep.equal(['D', '4', 'E2E-NODB'])
    } finally {
      await db.raw('ALTER TABLE client_order_ids_away RENAME TO client_order_ids')
    }
    expect(await db('orders').where({ cl_ord_id: 'E2E-NODB' })).to.deep.equal([])
  })

  it('keeps an unbroken audit hash chain that detects tampering', async () => {
    const db = h.gateway.db
    const rows = await db('audit_log').orderBy('id')
    expect(rows.length).to.be.greaterThan(5)
    for (let i = 1; i < rows.length; i++) expect(rows[i].prev_hash).to.equal(rows[i - 1].hash)
    let refused = false
    try { await db('audit_log').where({ id: rows[0].id }).update({ actor: 'mallory' }) } catch { refused = true }
    expect(refused, 'audit_log must refuse UPDATE').to.equal(true)
  })

  it('resumes after a clean restart: same sequence numbers, new orders fill, ExecIDs never repeat', async () => {
    const before = await h.gateway.db('fix_sessions').orderBy('session_id')
    await h.restart()
    h.client.send('D', {
      ClOrdID: 'E2E-AFTER', Account: 'ACC9', Instrument: { Symbol: 'MSFT' }, Side: '2',
      TransactTime: new Date(), OrderQtyData: { OrderQty: '3' }, OrdType: '2', Price: '402'
    })
    const reports = [await h.client.next((m) => m.msgType === '8'), await h.client.next((m) => m.msgType === '8'), await h.client.next((m) => m.msgType === '8')]
    expect(reports.map((m) => m.get(39))).to.deep.equal(['0', '1', '2'])
    await h.gateway.drain()
    const after = await h.gateway.db('fix_sessions').orderBy('session_id')
    // no session was reset: every sequence number moved forward from where it was
    for (const b of before) {
      const a = after.find((x: { session_id: string }) => x.session_id === b.session_id)
      expect(a.next_sender_seq_num, b.session_id).to.be.greaterThan(b.next_sender_seq_num)
      expect(a.next_target_seq_num, b.session_id).to.be.greaterThan(b.next_target_seq_num)
    }
    const pos = await h.gateway.db('positions').where({ account: 'ACC9', symbol: 'MSFT' }).first()
    expect(pos.qty).to.equal('7.5')
    const dupes = await h.gateway.db('audit_log').where({ kind: 'duplicate_execution' })
    expect(dupes).to.deep.equal([])
  })
})
