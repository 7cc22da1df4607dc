/**
 * The setting every fault test shares:
 *
 *   FaultClient ──► client tap ──► gateway (child process, `fixgw start`) ──► broker tap ──► broker (FaultBrokerApp)
 *
 * The client, the broker and both taps live in the test process and outlive the
 * gateway; the gateway can be killed (SIGKILL) and started again on the same database
 * and ports. The taps record every frame and can cut or black-hole a connection.
 * teardown() stops everything this rig started, whatever state it is in.
 */
import * as fs from 'node:fs'
import { createLogger, type Logger } from '../../../src/log/logger'
import { findFreePort } from '../../../src/db/embedded-postgres'
import { GatewayProcess } from '../gateway-process'
import { createTestDatabase, type TestDatabase } from '../test-db'
import { runCli, type CliResult } from '../run-cli'
import { BrokerPeer, FaultBrokerApp, type FaultBrokerBehaviour } from './fault-broker'
import { FaultClient } from './fault-client'
import { WireTap, type WireFrame } from './wire-tap'
import { sequenceResetProblems } from './checks'
import { ordersOf, type OrderRow } from './pg'
import { sleep, until } from './wait'

export const CLIENT_SESSION = 'client1'
export const BROKER_SESSION = 'broker1'
/** who wrote a frame, as the taps name the sides */
export const GW = 'gateway'
export const CLIENT = 'client'
export const BROKER = 'broker'

export interface RigOptions {
  /** ClOrdID prefix, unique per test */
  readonly prefix: string
  readonly broker: FaultBrokerBehaviour
  /** a database of our own (the outage test); default: createTestDatabase() */
  readonly databaseUrl?: string
}

export class FaultRig {
  readonly logger: Logger
  db: TestDatabase | null = null
  databaseUrl = ''
  clientTap!: WireTap
  brokerTap!: WireTap
  broker!: BrokerPeer
  brokerApp!: FaultBrokerApp
  gateway!: GatewayProcess
  client!: FaultClient
  private sessionsDir = ''
  private probes = 0

  constructor (readonly opts: RigOptions) {
    this.logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false })
  }

  /** Database, broker, taps, gateway; then the client logs on and the gateway logs on to the broker. */
  async start (): Promise<void> {
    if (this.opts.databaseUrl != null) this.databaseUrl = this.opts.databaseUrl
    else { this.db = await createTestDatabase(); this.databaseUrl = this.db.url }
    const brokerPort = await findFreePort()
    const gatewayClientPort = await findFreePort()
    this.brokerApp = new FaultBrokerApp(this.opts.broker)
    this.broker = new BrokerPeer({ name: 'broker', role: 'acceptor', senderCompId: 'BROKER1', targetCompId: 'FIXGW', host: '127.0.0.1', port: brokerPort, heartBtInt: 30, resetSeqNumOnLogon: false }, this.brokerApp, this.logger)
    await this.broker.start()
    this.brokerTap = new WireTap({ name: 'broker tap', fromName: GW, toName: BROKER, targetPort: brokerPort })
    await this.brokerTap.start()
    this.clientTap = new WireTap({ name: 'client tap', fromName: CLIENT, toName: GW, targetPort: gatewayClientPort })
    await this.clientTap.start()
    this.sessionsDir = GatewayProcess.sessionsDir({
      'client1.json': { name: CLIENT_SESSION, role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: gatewayClientPort },
      'broker1.json': {
        name: BROKER_SESSION, role: 'broker', senderCompId: 'FIXGW', targetCompId: 'BROKER1', host: '127.0.0.1', port: this.brokerTap.port,
        // hold: an order taken while the broker is away waits for it, so every order the
        // client sends must in the end reach the broker (which fills everything)
        whenDown: 'hold',
        reconnect: { initialDelayMs: 100, maxDelayMs: 500 }
      }
    })
    this.gateway = new GatewayProcess(this.sessionsDir, this.databaseUrl)
    await this.gateway.start()
    this.client = new FaultClient('client', this.clientTap.port, this.logger, this.opts.prefix)
    await this.client.start(15000)
    await this.waitBothLoggedOn(15000, 'the first logons')
  }

  /** Client logged on to the gateway and the gateway logged on to the broker. */
  get bothLoggedOn (): boolean { return this.client.isLoggedOn && this.broker.isLoggedOn }

  async waitBothLoggedOn (timeoutMs: number, when: string): Promise<void> {
    await until(() => this.bothLoggedOn, timeoutMs, `the client and the broker to be logged on again (${when})`,
      () => `client logged on: ${this.client.isLoggedOn}, broker logged on: ${this.broker.isLoggedOn}, gateway running: ${this.gateway.isRunning}\n${this.gatewayWarnings(20)}`)
  }

  async orders (): Promise<Map<string, OrderRow>> { return await ordersOf(this.databaseUrl, CLIENT_SESSION) }

  /**
   * Make each peer and the gateway exchange one more message (TestRequest → Heartbeat)
   * on both sessions: a gap before it makes the receiver ask for a resend, so once the
   * answers are in, whatever either side was missing has been asked for (and, after a
   * short pause, resent). Waits for both answers.
   */
  async probe (timeoutMs: number): Promise<void> {
    await this.probeOne(this.clientTap, () => this.client.isLoggedOn, (id) => this.client.peer.sendTags('1', [[112, id]]), 'client', timeoutMs)
    await this.probeOne(this.brokerTap, () => this.broker.isLoggedOn, (id) => { this.broker.session?.sendTags('1', [[112, id]]) }, 'broker', timeoutMs)
    await sleep(500) // resends the probes triggered
  }

  private async probeOne (tap: WireTap, loggedOn: () => boolean, send: (id: string) => void, who: string, timeoutMs: number): Promise<void> {
    const id = `PROBE-${++this.probes}`
    await until(loggedOn, timeoutMs, `the ${who} to be logged on for the final probe`)
    const from = tap.frames.length
    send(id)
    await until(() => tap.frames.slice(from).some((f) => f.from === GW && f.msgType === '0' && f.get(112) === id), timeoutMs,
      `the gateway to answer the ${who}'s TestRequest ${id} with a Heartbeat`)
  }

  async reconcilePositions (): Promise<CliResult> {
    return await runCli(['reconcile-positions', '--database-url', this.databaseUrl], {}, 30000)
  }

  /** Warning and error lines of the gateway's log (last n). */
  gatewayWarnings (n = 40): string {
    // warnings and errors, and anything that is not a log line (an uncaught exception's stack on stderr)
    const lines = this.gateway.output.split('\n').filter((l) => /"level":(40|50|60)/.test(l) || (l.trim() !== '' && !l.startsWith('{')))
    return lines.length === 0 ? '(gateway log: no warnings)' : `gateway warnings (last ${Math.min(n, lines.length)} of ${lines.length}):\n${lines.slice(-n).join('\n')}`
  }

  /** Sequence resets seen on the wire, from either side of either session. */
  sequenceResets (): string[] {
    return [
      ...sequenceResetProblems(this.clientFrames(), CLIENT), ...sequenceResetProblems(this.clientFrames(), GW),
      ...sequenceResetProblems(this.brokerFrames(), GW), ...sequenceResetProblems(this.brokerFrames(), BROKER)
    ]
  }

  clientFrames (): WireFrame[] { return this.clientTap.frames }
  brokerFrames (): WireFrame[] { return this.brokerTap.frames }

  /** Stop everything this rig started; never throws. */
  async teardown (): Promise<void> {
    const step = async (fn: () => Promise<void> | void): Promise<void> => { try { await fn() } catch { /* keep going */ } }
    await step(async () => await this.client?.stop())
    await step(async () => await this.gateway?.stop())
    await step(() => this.brokerApp?.close())
    await step(async () => await this.broker?.stop())
    await step(async () => await this.clientTap?.stop())
    await step(async () => await this.brokerTap?.stop())
    await step(async () => await this.db?.drop())
    if (this.sessionsDir !== '') await step(() => fs.rmSync(this.sessionsDir, { recursive: true, force: true }))
  }
}
