/**
 * The operator's view of FIX sessions: `fixgw sessions` (state and both numbers, from
 * Postgres), `fixgw set-seqnum` (only while not logged on, taken at the next logon),
 * and one process per session (a second gateway on the same database is refused).
 */
import { expect } from 'chai'
import { findFreePort } from '../../../src/db/embedded-postgres'
import { runCli } from '../../support/run-cli'
import { createTestDatabase, type TestDatabase } from '../../support/test-db'
import { GatewayProcess } from '../../support/gateway-process'
import { RawFixPeer } from '../../support/raw-fix-peer'

const h = (t: string, seq: number): string => `8=FIX.4.4|35=${t}|34=${seq}|49=CLIENT1|52=<NOW>|56=FIXGW|`

describe('fixgw sessions and fixgw set-seqnum', function () {
  this.timeout(90000)
  let db: TestDatabase
  let gw: GatewayProcess
  let port: number
  let simPort: number
  let peer: RawFixPeer | null = null
  const rows = async (): Promise<Array<Record<string, unknown>>> => {
    const r = await runCli(['sessions', '--json', '--sessions', gw.sessionsDir, '--database-url', db.url])
    expect(r.code, r.stderr).to.equal(0)
    return r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
  }
  const client = async (): Promise<Record<string, unknown>> => (await rows()).find((r) => r.name === 'client1') as Record<string, unknown>

  before(async () => {
    db = await createTestDatabase()
    port = await findFreePort()
    simPort = await findFreePort()
    gw = new GatewayProcess(GatewayProcess.sessionsDir({
      'client1.json': { name: 'client1', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port },
      'broker1.json': { name: 'broker1', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIM', host: '127.0.0.1', port: simPort, simulate: true }
    }), db.url)
    await gw.start()
  })

  after(async () => {
    peer?.close()
    await gw?.stop()
    await db?.drop()
  })

  it('lists each session with its state and both next sequence numbers', async () => {
    peer = await RawFixPeer.connect(port)
    peer.send(h('A', 1) + '98=0|108=30|')
    expect((await peer.next(5000)).msgType).to.equal('A')
    peer.send(h('1', 2) + '112=X|')
    await peer.next(5000)
    const c = await client()
    expect([c.sessionId, c.role, c.state, c.nextSenderSeqNum, c.nextTargetSeqNum, c.running]).to.deep.equal(['FIX.4.4:FIXGW->CLIENT1', 'client', 'logged_on', 3, 3, true])
    const table = await runCli(['sessions', '--sessions', gw.sessionsDir, '--database-url', db.url])
    expect(table.stdout).to.match(/^client1\tclient\tFIX\.4\.4:FIXGW->CLIENT1\tlogged_on\t3\t3\t/m)
    expect(table.stdout).to.match(/^broker1\tbroker\tFIX\.4\.4:FIXGW->SIM\tlogged_on\t/m)
  })

  it('refuses to set the numbers of a session that is logged on (exit 1)', async () => {
    const r = await runCli(['set-seqnum', 'client1', '--sender', '50', '--sessions', gw.sessionsDir, '--database-url', db.url])
    expect(r.code).to.equal(1)
    expect(r.stderr).to.include('is logged on')
    expect((await client()).nextSenderSeqNum).to.equal(3)
  })

  it('sets them once the session is logged out, and the running gateway uses them at the next logon', async () => {
    peer?.send(h('5', 3))
    await peer?.next(5000)
    await until(async () => (await client()).state === 'disconnected', 5000)
    const r = await runCli(['set-seqnum', 'client1', '--sender', '50', '--target', '20', '--sessions', gw.sessionsDir, '--database-url', db.url])
    expect(r.code, r.stderr).to.equal(0)
    expect(r.stdout).to.equal('FIX.4.4:FIXGW->CLIENT1\tnextSenderSeqNum=50\tnextTargetSeqNum=20\n')
    peer = await RawFixPeer.connect(port)
    peer.send(h('A', 20) + '98=0|108=30|')
    const logon = await peer.next(5000)
    expect([logon.msgType, logon.get(34)]).to.deep.equal(['A', '50'])
  })

  it('refuses a second gateway for the same sessions on the same database', async () => {
    const other = new GatewayProcess(GatewayProcess.sessionsDir({
      'client1.json': { name: 'client1', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: await findFreePort() }
    }), db.url)
    let failure = ''
    try { await other.start(15000) } catch (e) { failure = (e as Error).message }
    await other.stop()
    expect(failure).to.match(/gateway exited with 1/)
    expect(failure).to.include('FIX session FIX.4.4:FIXGW->CLIENT1 is already run by another fixgw process')
  })

  it('shows the sessions offline once no gateway runs them', async () => {
    peer?.close()
    await gw.stop()
    const c = await client()
    expect([c.state, c.running, c.nextSenderSeqNum]).to.deep.equal(['offline', false, 51])
  })
})

async function until (cond: () => Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error('timed out')
    await new Promise((resolve) => setTimeout(resolve, 100))
  }
}
