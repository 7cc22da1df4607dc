/**
 * The one place that wires fixgw together: database, migrations, the order engine and
 * its journal, FIX sessions, and the simulated brokers. Everything else receives what it
 * needs from here.
 */
import type { Knex } from 'knex'
import type { Logger } from 'pino'
import { openDatabase, type DatabaseHandle } from '../db/database'
import { createKnex, migrateLatest } from '../db/knex'
import { loadSessions } from '../config/load-sessions'
import type { BrokerSessionConfig, ClientSessionConfig, SessionConfig } from '../config/session-config'
import { PgJournalStore } from '../store/pg-journal-store'
import { KillSwitchListener } from '../store/kill-switch-listener'
import { OmsEngine } from '../oms/engine/engine'
import { OrderService, type ClientRiskConfig } from '../oms/order-service'
import { ClientFixApp } from '../fix/app/client-app'
import { BrokerFixApp } from '../fix/app/broker-app'
import { FixOutbox } from '../fix/app/fix-outbox'
import { SessionDirectory } from '../fix/app/session-directory'
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
  /**
   * While Postgres is unavailable, commands are refused (380=4) and logons too; after
   * this long the FIX sessions still connected are dropped, so that none sits logged on
   * to a gateway that cannot serve it.
   */
  readonly outageHoldMs?: number
}

export class Gateway {
  private retentionTimer: NodeJS.Timeout | null = null
  private outageTimer: NodeJS.Timeout | null = null

  private constructor (
    readonly db: Knex,
    readonly engine: OmsEngine,
    readonly oms: OrderService,
    readonly clients: ClientFixApp,
    readonly brokers: BrokerFixApp,
    readonly directory: SessionDirectory,
    private readonly endpoints: Endpoint[],
    private readonly journal: PgJournalStore,
    private readonly killSwitches: KillSwitchListener,
    private readonly database: DatabaseHandle,
    private readonly logger: Logger
  ) {}

  /** Release expired ClOrdIDs now and every hour, per client session that sets a retention. */
  private startDedupeRetention (clients: readonly ClientSessionConfig[]): void {
    const withRetention = clients.filter((c) => c.dedupeRetentionDays != null)
    if (withRetention.length === 0) return
    const purge = async (): Promise<void> => {
      for (const c of withRetention) {
        try {
          const n = await this.engine.purgeDedupe(c.name, c.dedupeRetentionDays ?? 0)
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

  /** Postgres went away (or came back): past the hold time, drop the sessions. */
  private onAvailability (available: boolean, holdMs: number): void {
    if (available) {
      if (this.outageTimer != null) clearTimeout(this.outageTimer)
      this.outageTimer = null
      return
    }
    if (this.outageTimer != null) return
    this.outageTimer = setTimeout(() => {
      this.outageTimer = null
      if (this.engine.available) return
      this.logger.error({ holdMs }, 'Postgres still unavailable: disconnecting every FIX session (their peers resend what was not processed at the next logon)')
      for (const name of this.directory.names()) this.directory.named(name)?.disconnect('STORE_FAILURE', 'gateway storage unavailable')
    }, holdMs)
    this.outageTimer.unref()
  }

  static async start (opts: GatewayOptions): Promise<Gateway> {
    const { logger } = opts
    const sessions = opts.sessions ?? loadSessions(opts.sessionsDir ?? 'sessions')
    const enabled = sessions.filter((s) => s.enabled)
    const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger, owner: true })
    const db = createKnex(database.url)
    const endpoints: Endpoint[] = []
    let journal: PgJournalStore | null = null
    let killSwitches: KillSwitchListener | null = null
    try {
      const applied = await migrateLatest(db)
      logger.info({ applied }, applied.length > 0 ? 'database migrated' : 'database schema up to date')

      const directory = new SessionDirectory()
      const brokerSessions = enabled.filter((s): s is BrokerSessionConfig => s.role === 'broker')
      const fieldMaps = new Map(brokerSessions.map((b) => [b.name, b.routing.fieldMap]))
      let gateway: Gateway | null = null
      const available = (): boolean => gateway?.engine.available ?? true
      const brokers = new BrokerFixApp(logger, directory, fieldMaps, await fix44Definitions(), available)
      const clients = new ClientFixApp(logger, available)
      const router = new RuleRouter(brokerSessions.map((b) => ({ broker: b.name, rules: b.routing.routes, isDefault: b.routing.defaultRoute, whenDown: b.routing.whenDown })))
      const clientConfigs = new Map(enabled.filter((c): c is ClientSessionConfig => c.role === 'client').map((c) => [c.name, c]))
      const riskConfig = (name: string): ClientRiskConfig | undefined => {
        const c = clientConfigs.get(name)
        return c == null ? undefined : { limits: c.risk.limits, accounts: c.risk.accounts, symbols: c.symbols ?? undefined, rules: c.bounds }
      }
      const holdMs = opts.outageHoldMs ?? 30_000
      journal = new PgJournalStore({ url: database.url, logger })
      const engine = new OmsEngine({
        store: journal,
        outbox: new FixOutbox(directory, brokers, logger),
        logger,
        onAvailability: (up) => gateway?.onAvailability(up, holdMs)
      })
      await engine.start()
      const oms = new OrderService({ brokers, router, logger, riskConfig }, engine)
      clients.attach(oms)
      brokers.attach(oms)
      killSwitches = new KillSwitchListener(database.url, (u) => {
        void engine.control((s) => {
          if (u.kind === 'all') {
            s.killSwitches.clear()
            for (const k of u.active) s.killSwitches.add(k)
          } else if (u.active) {
            s.killSwitches.add(u.scope)
          } else {
            s.killSwitches.delete(u.scope)
          }
        }).then(() => logger.info({ killSwitches: [...engine.current.killSwitches] }, 'kill switches'),
          (e) => logger.error({ err: e }, 'kill switch change not applied'))
      }, logger)
      await killSwitches.start()
      gateway = new Gateway(db, engine, oms, clients, brokers, directory, endpoints, journal, killSwitches, database, logger)
      gateway.startDedupeRetention([...clientConfigs.values()])

      const storeFactory = new PgSessionStoreFactory(db, (id, e) => {
        logger.error({ err: e, session: id.toString() }, 'FIX session store write failed')
      })
      // Simulated brokers first, so our initiators find them listening.
      for (const b of brokerSessions.filter((s) => s.simulate)) {
        // The simulator keeps its own sequence numbers in Postgres too (its own session id),
        // so a restart of `npm start` resumes both sides without a reset.
        const sim = new Endpoint(simSpec(b), { logger: logger.child({ sim: b.name }), storeFactory, app: new SimBroker(logger, { ...b.simulator, ...opts.simBehaviour }) })
        endpoints.push(sim)
        await sim.start()
        logger.info({ session: b.name, host: b.host, port: b.port }, 'simulated broker listening')
      }
      for (const s of enabled) {
        const app = s.role === 'client' ? clients : brokers
        const ep = new Endpoint(toSpec(s), { logger, storeFactory, app, onSession: (session) => directory.register(session) })
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
      await killSwitches?.stop()
      await journal?.close()
      await db.destroy()
      await database.close()
      throw e
    }
  }

  /**
   * Read the kill switches from Postgres and apply them, in line with the commands. The
   * NOTIFY of each change does the same a moment later; this is for whoever changed them
   * and must not race that moment (tests).
   */
  async refreshKillSwitches (): Promise<void> {
    const active = (await this.db('kill_switches').where({ active: true }).pluck('scope')) as string[]
    await this.engine.control((s) => {
      s.killSwitches.clear()
      for (const k of active) s.killSwitches.add(k)
    })
  }

  /** Wait until every inbound message received so far has been applied and committed. */
  async drain (): Promise<void> {
    await this.engine.drain()
  }

  async stop (): Promise<void> {
    this.logger.info('stopping gateway')
    if (this.retentionTimer != null) clearInterval(this.retentionTimer)
    if (this.outageTimer != null) clearTimeout(this.outageTimer)
    for (const ep of [...this.endpoints].reverse()) await ep.stop()
    if (this.engine.available) await this.drain()
    this.engine.stop()
    await this.killSwitches.stop()
    await this.journal.close()
    await this.db.destroy()
    await this.database.close()
    this.logger.info({ ...this.engine.stats, held: this.engine.current.sizes() }, 'gateway stopped')
  }
}
