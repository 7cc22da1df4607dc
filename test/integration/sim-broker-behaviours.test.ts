/**
 * The simulated broker's scripted behaviours, end to end through the gateway (real
 * sockets, real Postgres): what the client sees and what is committed.
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'
import type { SimBrokerBehaviour } from '../../src/fix/sim/sim-broker'
import type { ReceivedMessage } from '../../src/fix/client/fix-peer'

async function withSim (behaviour: Partial<SimBrokerBehaviour>, fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness({ broker: 'sim', simBehaviour: behaviour })
  try { await fn(h) } finally { await h.stop() }
}

function order (h: Harness, clOrdId: string, qty = '100', price = '50'): void {
  h.client.send('D', { ClOrdID: clOrdId, Account: 'SIM', Instrument: { Symbol: 'XYZ' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: qty }, OrdType: '2', Price: price })
}

const er = async (h: Harness): Promise<ReceivedMessage> => await h.client.next((m) => m.msgType === '8')
const summary = (m: ReceivedMessage): string => `${m.get(150) ?? ''}/${m.get(39) ?? ''} cum=${m.get(14) ?? ''}`

describe('simulated broker behaviours through the gateway', function () {
  this.timeout(30000)

  it('bustLastFill: the fill is reversed (ExecType H), the order reopens, the position is flat', async () => {
    await withSim({ bustLastFill: true }, async (h) => {
      order(h, 'SB-1')
      const seen = [await er(h), await er(h), await er(h)]
      expect(seen.map(summary)).to.deep.equal(['0/0 cum=0', 'F/2 cum=100', 'H/0 cum=0'])
      expect(seen[2].get(19)).to.equal(seen[1].get(17)) // ExecRefID = our ExecID of the busted fill
      await h.gateway.drain()
      expect((await h.gateway.db('positions').where({ account: 'SIM' }).first()).qty).to.equal('0')
    })
  })

  it('correctLastFill: the fill is corrected (ExecType G) and AvgPx and the position follow', async () => {
    await withSim({ correctLastFill: true }, async (h) => {
      order(h, 'SB-2', '10', '50')
      const seen = [await er(h), await er(h), await er(h)]
      expect(seen.map(summary)).to.deep.equal(['0/0 cum=0', 'F/2 cum=10', 'G/2 cum=10'])
      expect([seen[2].get(31), seen[2].get(6)]).to.deep.equal(['49.5', '49.5'])
      await h.gateway.drain()
      const pos = await h.gateway.db('positions').where({ account: 'SIM' }).first()
      expect([pos.qty, pos.avg_cost]).to.deep.equal(['10', '49.5'])
    })
  })

  it('duplicateReports: every report arrives twice, the client hears each once', async () => {
    await withSim({ duplicateReports: true, fills: 2 }, async (h) => {
      order(h, 'SB-3')
      const seen = [await er(h), await er(h), await er(h)]
      expect(seen.map(summary)).to.deep.equal(['0/0 cum=0', 'F/1 cum=50', 'F/2 cum=100'])
      await h.gateway.drain()
      await new Promise((resolve) => setTimeout(resolve, 200))
      expect(h.client.pending()).to.deep.equal([])
      const dupes = await h.gateway.db('audit_log').where({ kind: 'duplicate_execution' })
      expect(dupes).to.have.length(3)
    })
  })

  it('refuseCancels: the cancel comes back as OrderCancelReject (broker option), the order works on', async () => {
    await withSim({ fills: 0, refuseCancels: true }, async (h) => {
      order(h, 'SB-4')
      await er(h)
      h.client.send('F', { ClOrdID: 'SB-4c', OrigClOrdID: 'SB-4', Instrument: { Symbol: 'XYZ' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '100' } })
      expect(summary(await er(h))).to.equal('6/6 cum=0')
      const rej = await h.client.next((m) => m.msgType === '9')
      expect([rej.get(102), rej.get(434), rej.get(39)]).to.deep.equal(['2', '1', '0'])
    })
  })

  it('unsolicitedCancelAfterMs: the venue cancels the order on its own', async () => {
    await withSim({ fills: 0, unsolicitedCancelAfterMs: 100 }, async (h) => {
      order(h, 'SB-5')
      expect([summary(await er(h)), summary(await er(h))]).to.deep.equal(['0/0 cum=0', '4/4 cum=0'])
    })
  })

  it('doneForDayAfterMs: the order is done for the day', async () => {
    await withSim({ fills: 0, doneForDayAfterMs: 100 }, async (h) => {
      order(h, 'SB-6')
      expect([summary(await er(h)), summary(await er(h))]).to.deep.equal(['0/0 cum=0', '3/3 cum=0'])
    })
  })
})
