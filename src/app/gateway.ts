/**
 * The one place that wires fixgw together: database, migrations, OMS, FIX sessions,
 * and the simulated brokers. Everything else receives what it needs from here.
 */
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import { openDatabase, type DatabaseHandle } from '../db/database'
import { createKnex, migrateLatest } from '../db/knex'
import { loadSessions } from '../config/load-sessions'
import type { BrokerSessionConfig, ClientSessionConfig, SessionConfig } from '../config/session-config'
import { PinoJsFixLoggerFactory } from '../log/jspurefix-logger'
import { KnexOmsStore } from '../store/knex-oms-store'
import { purgeDedupe } from '../store/dedupe-retention'
import { OrderService, type ClientRiskConfig } from '../oms/order-service'
import { ClientFixApp } from '../fix/app/client-app'
import { BrokerFixApp } from '../fix/app/broker-app'
import { Endpoint } from '../fix/transport/endpoint'
import { endpointSpecOf as toSpec, simulatorSpecOf as simSpec } from '../fix/transport/session-spec'
import { PgSessionStoreFactory } from '../fix/store/pg-session-store'
import { SimBroker, type SimBrokerBehaviour } from '../fix/sim/sim-broker'
import { RuleRouter } from '../oms/rule-router'
import { fix44Definitions } from '../fix/app/fix44-definitions'

export interface GatewayOptions {
  readonly logger: Logger
  /** sessions/ folder; ignored when `sessions` is given */
  readonly sessionsDir?: string
  readonly sessions?: readonly SessionConfig[]
  readonly databaseUrl?: string
  /** embedded Postgres data folder (default .data/pg) */
  readonly dataDir?: string
  readonly simBehaviour?: Partial<SimBrokerBehaviour>
}

export class Gateway {
  private constructor (
    readonly db: Knex,
    readonly oms: OrderService,
    readonly clients: ClientFixApp,
    readonly brokers: BrokerFixApp,
    private readonly endpoints: Endpoint[],
    private readonly database: DatabaseHandle,
    private readonly logger: Logger
  ) {}

  private retentionTimer: NodeJS.Timeout | null = null

  /** Release expired ClOrdIDs now and every hour, per client session that sets a retention. */
  private startDedupeRetention (clients: readonly ClientSessionConfig[]): void {
    const withRetention = clients.filter((c) => c.dedupeRetentionDays != null)
    if (withRetention.length === 0) return
    const purge = async (): Promise<void> => {
      for (const c of withRetention) {
        try {
          const n = await purgeDedupe(this.db, c.name, c.dedupeRetentionDays ?? 0)
          if (n > 0) this.logger.info({ session: c.name, released: n, days: c.dedupeRetentionDays }, 'released expired ClOrdIDs')
        } catch (e) {
          this.logger.error({ err: e, session: c.name }, 'dedupe retention purge failed')
        }
      }
    }
    void purge()
    this.retentionTimer = setInterval(() => { void purge() }, 3_600_000)
    this.retentionTimer.unref()
  }

  static async start (opts: GatewayOptions): Promise<Gateway> {
    const { logger } = opts
    const sessions = opts.sessions ?? loadSessions(opts.sessionsDir ?? 'sessions')
    const enabled = sessions.filter((s) => s.enabled)
    const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger, owner: true })
    const db = createKnex(database.url)
    const endpoints: Endpoint[] = []
    try {
      const applied = await migrateLatest(db)
      logger.info({ applied }, applied.length > 0 ? 'database migrated' : 'database schema up to date')

      const jsfixLogFactory = new PinoJsFixLoggerFactory(logger)
      const clients = new ClientFixApp(logger)
      const brokerSessions = enabled.filter((s): s is BrokerSessionConfig => s.role === 'broker')
      const fieldMaps = new Map(brokerSessions.map((b) => [b.name, b.routing.fieldMap]))
      const brokers = new BrokerFixApp(logger, fieldMaps, await fix44Definitions())
      const router = new RuleRouter(brokerSessions.map((b) => ({ broker: b.name, rules: b.routing.routes, isDefault: b.routing.defaultRoute, whenDown: b.routing.whenDown })))
      const clientConfigs = new Map(enabled.filter((c): c is ClientSessionConfig => c.role === 'client').map((c) => [c.name, c]))
      const riskConfig = (name: string): ClientRiskConfig | undefined => {
        const c = clientConfigs.get(name)
        return c == null ? undefined : { limits: c.risk.limits, accounts: c.risk.accounts, symbols: c.symbols ?? undefined }
      }
      const oms = new OrderService({ store: new KnexOmsStore(db), clients, brokers, router, logger, riskConfig })
      clients.attach(oms)
      brokers.attach(oms)
      const gateway = new Gateway(db, oms, clients, brokers, endpoints, database, logger)
      gateway.startDedupeRetention([...clientConfigs.values()])

      const storeFactory = new PgSessionStoreFactory(db, (id, e) => {
        logger.error({ err: e, session: id.toString() }, 'FIX session store write failed')
      })
      // Simulated brokers first, so our initiators find them listening.
      for (const b of brokerSessions.filter((s) => s.simulate)) {
        // The simulator keeps its own sequence numbers in Postgres too (its own session id),
        // so a restart of `npm start` resumes both sides without a reset.
        const sim = new Endpoint(simSpec(b), { logger: logger.child({ sim: b.name }), jsfixLogFactory, storeFactory, app: new SimBroker(logger, { ...b.simulator, ...opts.simBehaviour }) })
        endpoints.push(sim)
        await sim.start()
        logger.info({ session: b.name, host: b.host, port: b.port }, 'simulated broker listening')
      }
      for (const s of enabled) {
        const app = s.role === 'client' ? clients : brokers
        const ep = new Endpoint(toSpec(s), { logger, jsfixLogFactory, storeFactory, app })
        endpoints.push(ep)
        await ep.start()
        if (s.role === 'client') {
          logger.info({ session: s.name, host: s.host, port: s.port, SenderCompID: s.targetCompId, TargetCompID: s.senderCompId },
            `client session ${s.name}: point a FIX 4.4 client at ${s.host}:${s.port} with SenderCompID=${s.targetCompId} TargetCompID=${s.senderCompId}`)
        } else {
          logger.info({ session: s.name, host: s.host, port: s.port }, `broker session ${s.name}: connecting to ${s.host}:${s.port}`)
        }
      }
      return gateway
    } catch (e) {
      for (const ep of endpoints.reverse()) await ep.stop(200)
      await db.destroy()
      await database.close()
      throw e
    }
  }

  /** Wait until every inbound message received so far has been applied. */
  async drain (): Promise<void> {
    await this.clients.drain()
    await this.brokers.drain()
  }

  async stop (): Promise<void> {
    this.logger.info('stopping gateway')
    if (this.retentionTimer != null) clearInterval(this.retentionTimer)
    for (const ep of [...this.endpoints].reverse()) await ep.stop()
    await this.drain()
    await this.db.destroy()
    await this.database.close()
    this.logger.info('gateway stopped')
  }
}
