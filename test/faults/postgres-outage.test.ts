/**
 * Fault test 4: PostgreSQL goes away under load and comes back. The test runs its own
 * embedded PostgreSQL (own data folder, own port) so it can stop it: `pg_ctl stop -m
 * fast` while the client sends orders, then a start on the same port and data folder.
 * The gateway must not die, must answer clearly meanwhile (BusinessMessageReject 380=4,
 * a Logout with a Text, or orders that wait and are then processed), must acknowledge
 * nothing it has not committed, and must recover by itself: new orders succeed again
 * within a bounded time, and nothing acknowledged is lost.
 */
import { expect } from 'chai'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { EmbeddedPostgres, findFreePort } from '../../src/db/embedded-postgres'
import { embeddedTestOptions } from '../support/test-db'
import { FaultRig, BROKER, CLIENT, GW } from '../support/faults/rig'
import { pick, FULL } from '../support/faults/params'
import { settle, sleep } from '../support/faults/wait'
import { TERMINAL, type OrderRow } from '../support/faults/pg'
import type { ClientMessage } from '../support/faults/fault-client'
import type { CliResult } from '../support/run-cli'
import {
  acknowledged, describeOrder, expectNone, histogram, lostAcknowledged, ranges, seqNumHoles
} from '../support/faults/checks'

const RATE = pick(20, 30)
const OUTAGE_MS = pick(4000, 10000)
const LOAD_MS = 2000 // before the outage, and after the recovery
const RECOVER_MS = 30000 // from PostgreSQL back to a new order acknowledged
const SETTLE_MS = pick(15000, 30000)

type Answer = 'er' | 'bmr-380=4' | 'none'

describe(`faults: PostgreSQL stopped for ${OUTAGE_MS / 1000} s under load (${FULL ? 'full' : 'short'})`, function () {
  this.timeout(120000 + OUTAGE_MS + RECOVER_MS + SETTLE_MS)
  let root = ''
  let pg: EmbeddedPostgres | null = null
  let rig: FaultRig | null = null
  let pid: number | null = null
  const outage = { from: 0, down: 0, to: 0 }
  const clientConnections = { before: 0, during: 0 }
  let recoveredAfterMs: number | null = null
  let received: ClientMessage[] = []
  let orders = new Map<string, OrderRow>()
  let reconcile: CliResult | null = null
  let probeProblem: string | null = null
  let restartProblem: string | null = null

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fixgw-faults-pg-'))
    await fs.chmod(root, 0o755) // as root, the postgres OS user must enter it
    const port = await findFreePort()
    pg = new EmbeddedPostgres({ dataDir: path.join(root, 'pg'), port, ...embeddedTestOptions() })
    await pg.start()
    const url = await pg.ensureDatabase('fixgw_faults')
    const r = new FaultRig({ prefix: `PG${Date.now().toString(36)}`, broker: { ackDelayMs: 5, fillDelayMs: 40, whileAway: 'queue' }, databaseUrl: url })
    rig = r
    await r.start()
    pid = r.gateway.pid
    r.client.startSending(RATE)
    await sleep(LOAD_MS)

    outage.from = Date.now()
    clientConnections.before = r.clientTap.connectionCount
    await pg.stop()
    outage.down = Date.now()
    await sleep(OUTAGE_MS)
    try {
      const again = await pg.start()
      if (again.port !== port) restartProblem = `PostgreSQL came back on port ${again.port}, not ${port}`
    } catch (e) {
      restartProblem = `PostgreSQL did not start again: ${(e as Error).message}`
    }
    outage.to = Date.now()
    clientConnections.during = r.clientTap.connectionCount - clientConnections.before

    // recovery: an order sent from now on is acknowledged
    const firstAfter = r.client.sentCount
    const recovered = await settle(() => {
      const after = new Set(r.client.sent.slice(firstAfter).map((o) => o.clOrdId))
      return r.client.received().some((m) => m.msgType === '8' && after.has(m.clOrdId ?? '') && m.execType !== '8')
    }, RECOVER_MS)
    if (recovered) recoveredAfterMs = Date.now() - outage.to
    await sleep(LOAD_MS)
    await r.client.stopSending()

    await settle(async () => {
      const rows = await r.orders()
      const answered = answers()
      return [...rows.values()].every((o) => TERMINAL.has(o.state)) && r.client.sent.every((o) => answered.get(o.clOrdId) !== 'none')
    }, SETTLE_MS)
    try { await r.probe(10000) } catch (e) { probeProblem = (e as Error).message }
    received = r.client.received()
    orders = await r.orders()
    reconcile = await r.reconcilePositions()

    const during = sentDuring()
    const a = answers()
    console.log([
      `    postgres-outage summary: stop took ${outage.down - outage.from} ms, down ${outage.to - outage.down} ms, ${recoveredAfterMs == null ? `NO order acknowledged within ${RECOVER_MS} ms after it came back` : `first new order acknowledged ${recoveredAfterMs} ms after it came back`}`,
      `      client: ${r.client.sent.length} orders sent, ${during.length} during the outage, answered ${histogram(during.map((o) => a.get(o.clOrdId) ?? 'none'))}; max wait for an ER ${maxWaitMs() ?? '-'} ms; logged out ${r.client.waitedMs} ms; ${clientConnections.during} connections made during the outage; Logouts from the gateway: ${logoutTexts().join(' | ') || 'none'}`,
      `      gateway: pid ${pid ?? '?'} → ${r.gateway.pid ?? 'not running'}, unexpected exits ${r.gateway.unexpectedExits.length}`,
      `      postgres: ${orders.size} orders, states ${histogram([...orders.values()].map((o) => o.state))}; reconcile-positions exit ${reconcile.code ?? 'none'}`
    ].join('\n'))
  })

  after(async () => {
    await rig?.teardown()
    await pg?.stop().catch(() => {})
    if (root !== '') await fs.rm(root, { recursive: true, force: true }).catch(() => {})
  })

  function sentDuring (): Array<{ clOrdId: string, at: number }> {
    return rig?.client.sent.filter((o) => o.at >= outage.from && o.at <= outage.to) ?? []
  }

  /** What the client got for each order: an ER, a BusinessMessageReject 380=4 naming it, or nothing (yet). */
  function answers (): Map<string, Answer> {
    const r = rig as FaultRig
    const got = r.client.received()
    const out = new Map<string, Answer>()
    for (const o of r.client.sent) {
      if (got.some((m) => m.msgType === '8' && m.clOrdId === o.clOrdId)) out.set(o.clOrdId, 'er')
      else if (got.some((m) => m.msgType === 'j' && m.businessRejectReason === '4' && m.refId === o.clOrdId)) out.set(o.clOrdId, 'bmr-380=4')
      else out.set(o.clOrdId, 'none')
    }
    return out
  }

  /** The longest an order sent during the outage waited for its first ER (from the wire). */
  function maxWaitMs (): number | null {
    const frames = (rig as FaultRig).clientFrames()
    let max: number | null = null
    for (const o of sentDuring()) {
      const first = frames.find((f) => f.from === GW && f.msgType === '8' && f.get(11) === o.clOrdId && !f.dropped)
      if (first != null) max = Math.max(max ?? 0, first.at - o.at)
    }
    return max
  }

  function logoutTexts (): string[] {
    return (rig as FaultRig).clientFrames().filter((f) => f.from === GW && f.msgType === '5' && f.at >= outage.from).map((f) => f.get(58) ?? '(no Text)')
  }

  it('the gateway process survived the outage (same pid, still running)', () => {
    const r = rig as FaultRig
    expect(restartProblem, 'PostgreSQL itself').to.equal(null)
    expectNone(r.gateway.unexpectedExits.map((x) => `pid ${x.pid ?? '?'} exited with ${x.code ?? x.signal ?? '?'}\n${r.gatewayWarnings(80)}`), 'gateway exits')
    expect(r.gateway.pid, 'gateway pid after the outage').to.equal(pid)
    expect(r.gateway.isRunning).to.equal(true)
  })

  it('during the outage the client got clear answers: every order sent then got an ER or a BusinessMessageReject 380=4', () => {
    const r = rig as FaultRig
    expect(sentDuring().length + logoutTexts().length + r.client.waitedMs, '(scenario) the client tried to send during the outage').to.be.greaterThan(0)
    const a = answers()
    expectNone(sentDuring().filter((o) => a.get(o.clOrdId) === 'none').map((o) => describeOrder(o.clOrdId, orders, received, r.brokerApp.seen)), 'orders sent during the outage never answered', 8)
    expectNone(logoutTexts().filter((t) => t === '(no Text)'), 'Logouts without a Text')
  })

  it('nothing was acknowledged that was not committed, and what was refused (380=4) was not accepted', () => {
    const r = rig as FaultRig
    expectNone(lostAcknowledged(received, orders), 'ClOrdIDs acknowledged to the client but not in Postgres')
    const acked = acknowledged(received)
    const refused = [...answers().entries()].filter(([id, x]) => x === 'bmr-380=4' && !acked.has(id)).map(([id]) => id)
    expectNone(refused.filter((id) => orders.has(id)).map((id) => describeOrder(id, orders, received, r.brokerApp.seen)), 'orders refused with 380=4 (nothing accepted) that exist in Postgres anyway')
  })

  it(`the gateway recovered by itself: a new order was acknowledged within ${RECOVER_MS / 1000} s of PostgreSQL coming back`, () => {
    expect(recoveredAfterMs, `no order sent after PostgreSQL came back was acknowledged within ${RECOVER_MS} ms\n${(rig as FaultRig).gatewayWarnings(20)}`).to.not.equal(null)
  })

  it('every order in Postgres ends terminal, and every order the client sent is either there or was refused', () => {
    const r = rig as FaultRig
    const d = (id: string): string => describeOrder(id, orders, received, r.brokerApp.seen)
    expectNone([...orders.values()].filter((o) => !TERMINAL.has(o.state)).map((o) => d(o.cl_ord_id)), 'orders not terminal in Postgres', 8)
    const a = answers()
    expectNone(r.client.sent.filter((o) => !orders.has(o.clOrdId) && a.get(o.clOrdId) !== 'bmr-380=4').map((o) => d(o.clOrdId)), 'orders neither in Postgres nor refused', 8)
  })

  it('no sequence reset and no MsgSeqNum left undelivered on either session', () => {
    const r = rig as FaultRig
    const found = [
      ...(probeProblem == null ? [] : [probeProblem]),
      ...r.sequenceResets()
    ]
    const holes: Array<[string, number[]]> = [
      ['gateway → client', seqNumHoles(r.clientFrames(), GW)], ['client → gateway', seqNumHoles(r.clientFrames(), CLIENT)],
      ['gateway → broker', seqNumHoles(r.brokerFrames(), GW)], ['broker → gateway', seqNumHoles(r.brokerFrames(), BROKER)]
    ]
    for (const [dir, h] of holes) if (h.length > 0) found.push(`${dir}: MsgSeqNum ${ranges(h)} never delivered`)
    expectNone(found, 'sequence problems')
  })

  it('fixgw reconcile-positions finds every position equal to its fills (exit 0)', () => {
    expect(reconcile?.code, `${reconcile?.stdout ?? ''}${reconcile?.stderr ?? ''}`).to.equal(0)
  })
})
