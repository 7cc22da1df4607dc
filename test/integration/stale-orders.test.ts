/**
 * staleOrderSeconds on a broker session: a cancel committed while the broker was away is
 * stored (with its MsgSeqNum) and would go out by resend when the broker asks for it;
 * older than the setting, it is gap-filled instead, and the client hears the cancel was
 * refused because it was not sent. Without the setting it is resent (PossDupFlag=Y).
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'
import type { FixPeer } from '../../src/fix/client/fix-peer'

async function until (cond: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = Date.now() + ms
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** An order acknowledged by the broker, then the broker away while the client cancels it. */
async function cancelWhileBrokerAway (h: Harness, id: string, awayMs: number): Promise<void> {
  const broker = h.broker as FixPeer
  h.client.sendTags('D', [[11, id], [1, 'STALE'], [55, 'IBM'], [54, '1'], [60, '20261202-10:00:00'], [38, '10'], [40, '2'], [44, '100']])
  const d = await broker.next((m) => m.msgType === 'D')
  broker.sendTags('8', [[37, `B-${id}`], [11, d.get(11) ?? ''], [17, `X-${id}`], [150, '0'], [39, '0'], [55, 'IBM'], [54, '1'], [151, '10'], [14, '0'], [6, '0']])
  expect((await h.client.next((m) => m.msgType === '8')).get(150)).to.equal('0')
  const back = broker.reconnect(15000, awayMs)
  await until(() => !h.gateway.brokers.isUp('broker1'), 5000, 'the gateway to see the broker go')
  h.client.sendTags('F', [[11, `${id}-C`], [41, id], [55, 'IBM'], [54, '1'], [60, '20261202-10:00:01'], [38, '10']])
  const pending = await h.client.next((m) => m.msgType === '8')
  expect([pending.get(150), pending.get(39)]).to.deep.equal(['6', '6'])
  await back
  await until(() => h.gateway.brokers.isUp('broker1'), 10000, 'the broker to be back')
}

describe('a cancel committed while the broker is away', function () {
  this.timeout(60000)

  describe('with staleOrderSeconds: 1, and the broker back after 2.5 s', () => {
    let h: Harness
    before(async () => { h = await startHarness({ broker: 'scripted', brokerConfig: { staleOrderSeconds: 1 } }) })
    after(async () => { await h?.stop() })

    it('is gap-filled instead of resent, and the client gets an OrderCancelReject saying it was not sent', async () => {
      await cancelWhileBrokerAway(h, 'ST-1', 2500)
      const rej = await h.client.next((m) => m.msgType === '9', 10000)
      expect([rej.get(11), rej.get(41), rej.get(434), rej.get(102), rej.get(39)]).to.deep.equal(['ST-1-C', 'ST-1', '1', '2', '0'])
      expect(rej.get(58)).to.match(/not sent to broker1: more than 1 s old/)
      const broker = h.broker as FixPeer
      await h.gateway.drain()
      await new Promise((resolve) => setTimeout(resolve, 300))
      expect(broker.pending().filter((m) => m.msgType === 'F'), 'the broker never gets the stale cancel').to.deep.equal([])
      const rows = await h.gateway.db('orders').where({ cl_ord_id: 'ST-1' }).select('state', 'pending_kind')
      expect(rows).to.deep.equal([{ state: 'New', pending_kind: null }])
    })
  })

  describe('without staleOrderSeconds', () => {
    let h: Harness
    before(async () => { h = await startHarness({ broker: 'scripted' }) })
    after(async () => { await h?.stop() })

    it('is resent to the broker when it is back (PossDupFlag=Y), and nothing is refused', async () => {
      await cancelWhileBrokerAway(h, 'ST-2', 1500)
      const f = await (h.broker as FixPeer).next((m) => m.msgType === 'F', 10000)
      expect(f.get(43), 'a resend').to.equal('Y')
      expect(f.get(122), 'OrigSendingTime of the stored message').to.not.equal(null)
      expect(h.client.pending().filter((m) => m.msgType === '9')).to.deep.equal([])
    })
  })
})
