/**
 * A running gateway for integration tests: a fresh database, a client session and a
 * broker session on free loopback ports, a scripted client (FixPeer initiator) and
 * either a scripted broker (FixPeer acceptor) or our simulated broker.
 */
import { createLogger, type Logger } from '../../src/log/logger'
import { PinoJsFixLoggerFactory } from '../../src/log/jspurefix-logger'
import { parseSessionConfig } from '../../src/config/load-sessions'
import { Gateway } from '../../src/app/gateway'
import { FixPeer } from '../../src/fix/client/fix-peer'
import { findFreePort } from '../../src/db/embedded-postgres'
import type { SimBrokerBehaviour } from '../../src/fix/sim/sim-broker'
import { createTestDatabase, type TestDatabase } from './test-db'

export interface HarnessOptions {
  /** 'scripted': the test plays the broker; 'sim': our simulated broker answers */
  readonly broker: 'scripted' | 'sim'
  readonly simBehaviour?: Partial<SimBrokerBehaviour>
  /** extra fields merged into the client session's JSON */
  readonly clientConfig?: Record<string, unknown>
  /** also run a second client session (CLIENT2, session client2) */
  readonly secondClient?: boolean
  /** extra fields merged into broker1's session file (routes, whenDown, fieldMap...) */
  readonly brokerConfig?: Record<string, unknown>
  /** true: no scripted client logs on as CLIENT1; the test connects its own (RawFixPeer) to clientPort */
  readonly rawClient?: boolean
  /** a second scripted broker (BROKER2, session broker2) with these extra fields */
  readonly broker2Config?: Record<string, unknown>
  /** true: broker2 is not listening when the gateway starts (see startBroker2) */
  readonly broker2Down?: boolean
}

export interface Harness {
  /** the running gateway (a new instance after restart()) */
  readonly gateway: Gateway
  readonly client: FixPeer
  /** the second client, when asked for */
  readonly client2: FixPeer | null
  /** null when the simulated broker answers */
  readonly broker: FixPeer | null
  /** the second scripted broker, when asked for (not started yet if broker2Down) */
  readonly broker2: FixPeer | null
  /** start broker2 (when it began down) and wait until the gateway has logged on to it */
  startBroker2: () => Promise<void>
  readonly database: TestDatabase
  readonly logger: Logger
  /** where the gateway listens for CLIENT1 */
  readonly clientPort: number
  /** Stop the gateway cleanly and start it again on the same database and ports. */
  restart: () => Promise<void>
  stop: () => Promise<void>
}

export const CLIENT_COMP = 'CLIENT1'
export const GATEWAY_COMP = 'FIXGW'
export const BROKER_COMP = 'BROKER1'

export async function startHarness (opts: HarnessOptions): Promise<Harness> {
  const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false })
  const jsfixLogFactory = new PinoJsFixLoggerFactory(logger)
  const database = await createTestDatabase()
  const clientPort = await findFreePort()
  const brokerPort = await findFreePort()
  const clientSession = parseSessionConfig({
    name: 'client1', role: 'client', senderCompId: GATEWAY_COMP, targetCompId: CLIENT_COMP,
    host: '127.0.0.1', port: clientPort, heartBtInt: 30, ...opts.clientConfig
  }, 'harness:client1.json')
  const brokerSession = parseSessionConfig({
    name: 'broker1', role: 'broker', senderCompId: GATEWAY_COMP, targetCompId: BROKER_COMP,
    host: '127.0.0.1', port: brokerPort, heartBtInt: 30, simulate: opts.broker === 'sim',
    reconnect: { initialDelayMs: 200, maxDelayMs: 1000 }, ...brokerOverrides(opts.brokerConfig, brokerPort)
  }, 'harness:broker1.json')

  const client2Port = opts.secondClient === true ? await findFreePort() : 0
  const sessions = [clientSession, brokerSession]
  if (opts.secondClient === true) {
    sessions.push(parseSessionConfig({ name: 'client2', role: 'client', senderCompId: GATEWAY_COMP, targetCompId: 'CLIENT2', host: '127.0.0.1', port: client2Port }, 'harness:client2.json'))
  }
  let broker2: FixPeer | null = null
  if (opts.broker2Config != null) {
    const port2 = await findFreePort()
    sessions.push(parseSessionConfig({
      name: 'broker2', role: 'broker', senderCompId: GATEWAY_COMP, targetCompId: 'BROKER2', host: '127.0.0.1', port: port2, heartBtInt: 30,
      reconnect: { initialDelayMs: 200, maxDelayMs: 1000 }, ...opts.broker2Config
    }, 'harness:broker2.json'))
    broker2 = new FixPeer({ name: 'scripted-broker2', role: 'acceptor', senderCompId: 'BROKER2', targetCompId: GATEWAY_COMP, host: '127.0.0.1', port: port2, heartBtInt: 30, resetSeqNumOnLogon: false }, logger, jsfixLogFactory)
    if (opts.broker2Down !== true) await broker2.start()
  }
  let broker: FixPeer | null = null
  if (opts.broker === 'scripted') {
    broker = new FixPeer({ name: 'scripted-broker', role: 'acceptor', senderCompId: BROKER_COMP, targetCompId: GATEWAY_COMP, host: '127.0.0.1', port: brokerPort, heartBtInt: 30, resetSeqNumOnLogon: false }, logger, jsfixLogFactory)
    await broker.start()
  }
  const gatewayOptions = { logger, sessions, databaseUrl: database.url, simBehaviour: opts.simBehaviour }
  let gateway = await Gateway.start(gatewayOptions)
  const client = new FixPeer({ name: 'scripted-client', role: 'initiator', senderCompId: CLIENT_COMP, targetCompId: GATEWAY_COMP, host: '127.0.0.1', port: clientPort, heartBtInt: 30, resetSeqNumOnLogon: false, reconnectSeconds: 1 }, logger, jsfixLogFactory)
  await broker?.waitLoggedOn()
  if (opts.rawClient !== true) await client.start()
  const client2 = opts.secondClient === true
    ? new FixPeer({ name: 'scripted-client2', role: 'initiator', senderCompId: 'CLIENT2', targetCompId: GATEWAY_COMP, host: '127.0.0.1', port: client2Port, heartBtInt: 30, resetSeqNumOnLogon: false, reconnectSeconds: 1 }, logger, jsfixLogFactory)
    : null
  await client2?.start()
  await waitFor(() => gateway.brokers.isUp('broker1'), 10000, 'broker session logon')
  const startBroker2 = async (): Promise<void> => {
    if (broker2 == null) throw new Error('no broker2 in this harness')
    if (!broker2.isLoggedOn) await broker2.start()
    await broker2.waitLoggedOn(15000)
    await waitFor(() => gateway.brokers.isUp('broker2'), 15000, 'broker2 session logon')
  }
  if (broker2 != null && opts.broker2Down !== true) await startBroker2()
  return {
    get gateway () { return gateway },
    client,
    client2,
    broker,
    broker2,
    startBroker2,
    database,
    logger,
    clientPort,
    restart: async () => {
      await gateway.stop()
      await waitFor(() => !client.isLoggedOn, 5000, 'client to see the gateway go')
      gateway = await Gateway.start(gatewayOptions)
      await broker?.waitLoggedOn()
      if (broker2?.isLoggedOn === true || broker2 != null) await broker2?.waitLoggedOn(15000).catch(() => undefined)
      // jspurefix's initiator ends for good after a Logout; reconnect as a client's engine would
      await client.reconnect(15000)
      await waitFor(() => gateway.brokers.isUp('broker1'), 15000, 'broker session logon after restart')
    },
    stop: async () => {
      await client2?.stop()
      await client.stop()
      await gateway.stop()
      await broker?.stop()
      await broker2?.stop()
      await database.drop()
    }
  }
}

/**
 * broker1's extra fields. `deadPrimaryPort` + `backupHostsFromHarnessPort` make the
 * primary address one where nothing listens and the scripted broker's address the backup.
 */
function brokerOverrides (cfg: Record<string, unknown> | undefined, brokerPort: number): Record<string, unknown> {
  if (cfg == null) return {}
  const { deadPrimaryPort, backupHostsFromHarnessPort, ...rest } = cfg
  if (backupHostsFromHarnessPort !== true) return rest
  return { ...rest, port: deadPrimaryPort, backupHosts: [{ host: '127.0.0.1', port: brokerPort }] }
}

export async function waitFor (cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
