/**
 * kill -9 of the gateway in the middle of a conversation, then a restart on the same
 * database: the client session (gateway = acceptor) and the broker session (gateway =
 * initiator) both resume without a sequence reset, every order is processed exactly
 * once, and a ResendRequest after the restart is answered from Postgres.
 */
import { expect } from 'chai'
import { Client } from 'pg'
import { createLogger } from '../../../src/log/logger'
import { findFreePort } from '../../../src/db/embedded-postgres'
import { Endpoint } from '../../../src/fix/transport/endpoint'
import { SimBroker } from '../../../src/fix/sim/sim-broker'
import { FixPeer } from '../../../src/fix/client/fix-peer'
import type { FixApp } from '../../../src/fix/session/fixgw-session'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { GatewayProcess } from '../../support/gateway-process'
import { RawFixPeer } from '../../support/raw-fix-peer'

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false })
const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

async function until (cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await sleep(25)
  }
}

let dbUrl = ''

/** ExecIDs of the ExecutionReports the gateway sent to the client (its message store). */
async function sentExecIds (): Promise<string[]> {
  const rows = await query<{ raw: string }>(dbUrl, "select raw from fix_messages where session_id = 'FIX.4.4:FIXGW->CLIENT1' and msg_type = '8' order by seq_num")
  return rows.map((r) => /\x0117=([^\x01]*)/.exec(r.raw)?.[1] ?? '?')
}

/** ClOrdIDs of the NewOrderSingles the gateway sent to the broker (its message store). */
async function sentToBroker (): Promise<string[]> {
  const rows = await query<{ raw: string }>(dbUrl, "select raw from fix_messages where session_id = 'FIX.4.4:FIXGW->BROKER1' and msg_type = 'D' order by seq_num")
  return rows.map((r) => /\x0111=([^\x01]*)/.exec(r.raw)?.[1] ?? '?')
}

async function query<T> (url: string, sql: string): Promise<T[]> {
  const c = new Client({ connectionString: url })
  await c.connect()
  try { return (await c.query(sql)).rows as T[] } finally { await c.end() }
}

describe('gateway killed with SIGKILL mid-conversation and restarted', function () {
  this.timeout(120000)
  const ORDERS = 40
  let db: TestDatabase
  let gw: GatewayProcess
  let broker: Endpoint
  let client: FixPeer
  const brokerOrders: string[] = [] // ClOrdIDs the broker's application received

  before(async () => {
    db = await createTestDatabase()
    dbUrl = db.url
    const clientPort = await findFreePort()
    const brokerPort = await findFreePort()
    const sim = new SimBroker(logger, { ackDelayMs: 5, fillDelayMs: 5 })
    const counting: FixApp = {
      onReady: (s) => sim.onReady(s),
      onStopped: () => {},
      onMessage: (s, t, v) => { if (t === 'D') brokerOrders.push(v.getString(11) ?? ''); sim.onMessage(s, t, v) }
    }
    // The broker outlives the gateway: its store (in memory) keeps its sequence numbers.
    broker = new Endpoint({ name: 'broker', role: 'acceptor', senderCompId: 'BROKER1', targetCompId: 'FIXGW', host: '127.0.0.1', port: brokerPort, heartBtInt: 30, resetSeqNumOnLogon: false }, { logger, app: counting })
    await broker.start()
    gw = new GatewayProcess(GatewayProcess.sessionsDir({
      'client1.json': { name: 'client1', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: clientPort },
      'broker1.json': { name: 'broker1', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'BROKER1', host: '127.0.0.1', port: brokerPort, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } }
    }), db.url)
    await gw.start()
    client = new FixPeer({ name: 'client', role: 'initiator', senderCompId: 'CLIENT1', targetCompId: 'FIXGW', host: '127.0.0.1', port: clientPort, heartBtInt: 30, resetSeqNumOnLogon: false, reconnectSeconds: 1 }, logger, {} as never)
    await client.start(15000)
    await until(() => broker.sessions().length === 1, 10000, 'the gateway to log on to the broker')

    // Orders flow; the gateway is killed once some have been filled and restarted at once.
    let killed = false
    let sent = 0
    while (sent < ORDERS) {
      if (!client.isLoggedOn) { await client.waitLoggedOn(30000) }
      try {
        client.send('D', { ClOrdID: `K-${sent}`, Account: 'RST', HandlInst: '1', Instrument: { Symbol: 'RST' }, Side: '1', TransactTime: new Date(), OrderQtyData: { OrderQty: '10' }, OrdType: '2', Price: '5' })
        sent++
      } catch { continue } // not logged on right now: the same order goes again after the logon
      if (!killed && sent === 15) {
        await until(() => client.pending().some((m) => m.msgType === '8' && m.get(39) === '2'), 10000, 'a first fill')
        await gw.kill()
        killed = true
        await gw.start()
      }
      await sleep(5)
    }
    const done = async (): Promise<number> => (await query<{ n: number }>(db.url, "select count(*)::int as n from orders where account = 'RST' and state in ('Filled', 'Rejected')"))[0].n
    try {
      await until(async () => await done() >= ORDERS, 45000, 'every order to be done')
    } catch (e) {
      const rows = await query(db.url, "select cl_ord_id, state from orders where account = 'RST' order by cl_ord_id")
      throw new Error(`${(e as Error).message}\norders: ${JSON.stringify(rows)}\ngateway log (warnings):\n${gw.output.split('\n').filter((l) => /"level":(40|50)/.test(l)).join('\n')}`)
    }
    // every ExecutionReport the gateway sent (stored) must reach the client
    await until(async () => (await sentExecIds()).length === client.pending().filter((m) => m.msgType === '8').length, 15000, 'the client to receive every ExecutionReport sent')
    await sleep(300) // anything duplicated would arrive now
  })

  after(async () => {
    await client?.stop()
    await gw?.stop()
    await broker?.stop()
    await db?.drop()
  })

  it('processes every order the client sent exactly once: one order row each, filled once', async () => {
    const orders = await query<{ cl_ord_id: string, state: string, broker_cl_ord_id: string | null }>(db.url,
      "select o.cl_ord_id, o.state, r.broker_cl_ord_id from orders o left join broker_routes r on r.order_id = o.order_id and r.kind = 'new' where o.account = 'RST' order by o.cl_ord_id")
    expect(orders.map((o) => o.cl_ord_id)).to.have.members(Array.from({ length: ORDERS }, (_, i) => `K-${i}`))
    // An order whose NewOrderSingle never left the gateway (killed between the commit and
    // the send) is found unknown at the broker on reconnect and rejected by the OMS;
    // every order that reached the broker is filled.
    const sent = new Set(await sentToBroker())
    for (const o of orders) {
      if (o.state === 'Filled') continue
      expect([o.cl_ord_id, o.state, sent.has(o.broker_cl_ord_id ?? '')], 'only an order never sent to the broker may end otherwise than filled').to.deep.equal([o.cl_ord_id, 'Rejected', false])
    }
    expect(orders.filter((o) => o.state === 'Filled').length).to.be.greaterThan(ORDERS - 3)
    const fills = await query<{ n: number }>(db.url, "select count(*)::int as n from executions e join orders o using (order_id) where o.account = 'RST' and e.exec_type = 'F'")
    expect(fills[0].n).to.equal(orders.filter((o) => o.state === 'Filled').length)
  })

  it('the client (gateway = acceptor) received every ExecutionReport the gateway sent, each once, without a sequence reset', async () => {
    const sent = await sentExecIds()
    const got = client.pending().filter((m) => m.msgType === '8').map((m) => m.get(17))
    expect(got).to.have.length(sent.length)
    expect([...got].sort()).to.deep.equal([...sent].sort())
    const rejected = new Set((await query<{ cl_ord_id: string }>(db.url, "select cl_ord_id from orders where account = 'RST' and state = 'Rejected'")).map((r) => r.cl_ord_id))
    const unexpected = client.pending().filter((m) => m.msgType === '3' || m.msgType === 'j' || (m.msgType === '8' && m.get(39) === '8' && !rejected.has(m.get(11) ?? '')))
    expect(unexpected.map((m) => m.text), 'no session Reject, no BusinessMessageReject, no duplicate-order reject').to.deep.equal([])
    expect(gw.output).to.not.include('sequence numbers reset')
  })

  it('the broker (gateway = initiator) received every NewOrderSingle the gateway sent, each once, without a sequence reset', async () => {
    const sent = await sentToBroker()
    expect(new Set(brokerOrders).size, 'no duplicate').to.equal(brokerOrders.length)
    expect([...brokerOrders].sort()).to.deep.equal([...sent].sort())
    const rows = await query<{ session_id: string, next_sender_seq_num: number, next_target_seq_num: number }>(db.url, 'select session_id, next_sender_seq_num, next_target_seq_num from fix_sessions order by session_id')
    for (const r of rows) {
      expect(r.next_sender_seq_num, r.session_id).to.be.greaterThan(ORDERS)
      expect(r.next_target_seq_num, r.session_id).to.be.greaterThan(ORDERS / 2)
    }
  })
})

describe('ResendRequest after a kill -9 is answered from Postgres', function () {
  this.timeout(60000)
  let db: TestDatabase
  let gw: GatewayProcess
  let port: number
  let peer: RawFixPeer | null = null

  before(async () => {
    db = await createTestDatabase()
    port = await findFreePort()
    const simPort = await findFreePort()
    gw = new GatewayProcess(GatewayProcess.sessionsDir({
      'client1.json': { name: 'client1', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port },
      'broker1.json': { name: 'broker1', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIM', host: '127.0.0.1', port: simPort, simulate: true, reconnect: { initialDelayMs: 100, maxDelayMs: 500 } }
    }), db.url)
    await gw.start()
  })

  after(async () => {
    peer?.close()
    await gw?.stop()
    await db?.drop()
  })

  it('resends the ExecutionReports sent before the kill (PossDupFlag=Y, OrigSendingTime) and gap-fills the session messages', async () => {
    const h = (t: string, seq: number): string => `8=FIX.4.4|35=${t}|34=${seq}|49=CLIENT1|52=<NOW>|56=FIXGW|`
    peer = await RawFixPeer.connect(port)
    peer.send(h('A', 1) + '98=0|108=30|')
    expect((await peer.next(5000)).msgType).to.equal('A') // gateway's 1
    await until(() => gw.output.includes('FIX session logged on') && gw.output.split('FIX session logged on').length > 3, 10000, 'broker logon')
    peer.send(h('D', 2) + '11=R-1|1=ACC|21=1|38=7|40=2|44=3|54=1|55=XYZ|60=<NOW>|')
    const ack = await peer.next(5000)
    const fill = await peer.next(5000)
    expect([ack.get(34), ack.get(39), fill.get(34), fill.get(39)]).to.deep.equal(['2', '0', '3', '2'])

    await gw.kill()
    await peer.closedByPeer(5000).catch(() => undefined)
    await gw.start()
    peer = await RawFixPeer.connect(port)
    peer.send(h('A', 3) + '98=0|108=30|')
    const logon = await peer.next(5000)
    expect([logon.msgType, logon.get(34), logon.get(141)]).to.deep.equal(['A', '4', undefined]) // no reset: our numbers carried on
    peer.send(h('2', 4) + '7=1|16=0|')
    const replay = [await peer.next(5000), await peer.next(5000), await peer.next(5000), await peer.next(5000)]
    expect(replay.map((m) => [m.msgType, m.get(34), m.get(43), m.get(36)])).to.deep.equal([
      ['4', '1', 'Y', '2'], ['8', '2', 'Y', undefined], ['8', '3', 'Y', undefined], ['4', '4', 'Y', '5']
    ])
    expect(replay[1].get(122)).to.equal(ack.get(52))
    expect([replay[1].get(17), replay[2].get(17)]).to.deep.equal([ack.get(17), fill.get(17)])
  })
})
