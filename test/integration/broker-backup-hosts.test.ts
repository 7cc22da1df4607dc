/**
 * A broker session whose primary address cannot be reached logs on through its backup
 * address, and orders flow (real sockets, real Postgres).
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'
import { findFreePort } from '../../src/db/embedded-postgres'

describe('broker session backup hosts', function () {
  this.timeout(30000)
  let h: Harness
  after(async () => { await h?.stop() })

  it('connects to the backup address when the primary refuses, and routes orders there', async () => {
    const deadPort = await findFreePort() // nothing listens here
    // The harness's scripted broker listens on the harness port; make that the backup.
    h = await startHarness({ broker: 'scripted', brokerConfig: { backupHostsFromHarnessPort: true, deadPrimaryPort: deadPort } })
    h.client.send('D', { ClOrdID: 'BK-1', Instrument: { Symbol: 'IBM' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '1' }, OrdType: '1' })
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    expect(nos.get(55)).to.equal('IBM')
    await h.gateway.drain()
    const row = await h.gateway.db('orders').where({ cl_ord_id: 'BK-1' }).first()
    expect(row.broker_session).to.equal('broker1')
  })
})
