/**
 * One configured FIX session on the network: an acceptor listening on host:port, or
 * an initiator connecting (and reconnecting) to it, with our FixgwSession on top and
 * its message store. The only place that turns an EndpointSpec into running parts.
 */
import type { Logger } from 'pino'
import type { IFixSessionStoreFactory } from '../jspurefix'
import { SessionId } from '../jspurefix'
import { FixCodec } from '../session/codec'
import { FixgwSession, type FixApp } from '../session/fixgw-session'
import { sessionSettings, type SessionSettings } from '../session/session-settings'
import { DEFAULT_VALIDATION, type ValidationOptions } from '../session/validate/validate'
import type { SessionSchedule } from '../session/schedule'
import type { SessionIdentity, SessionStore } from '../store/session-store'
import { JsFixStoreAdapter } from '../store/jsfix-store-adapter'
import { MemorySessionStore } from '../store/memory-session-store'
import { IpAllowList } from './ip-allow-list'
import { Listener } from './acceptor'
import { Initiator } from './initiator'
import type { TlsSettings } from './tls-options'

export { EndpointError } from './acceptor'
export { FIX44_DICTIONARY } from '../session/codec'

export interface EndpointSpec {
  readonly name: string
  readonly role: 'acceptor' | 'initiator'
  readonly senderCompId: string
  readonly targetCompId: string
  readonly host: string
  readonly port: number
  readonly heartBtInt: number
  readonly resetSeqNumOnLogon: boolean
  /** initiator: seconds between reconnect attempts (when `reconnect` is not given) */
  readonly reconnectSeconds?: number
  readonly reconnect?: { readonly initialDelayMs: number, readonly maxDelayMs: number }
  /** initiator: addresses tried after host:port when it cannot be reached */
  readonly backupHosts?: ReadonlyArray<{ readonly host: string, readonly port: number }>
  readonly resetSeqNumOnLogout?: boolean
  readonly resetSeqNumOnDisconnect?: boolean
  readonly logonTimeoutSeconds?: number
  readonly logoutTimeoutSeconds?: number
  /** SendingTime accuracy; null: not checked */
  readonly maxLatencySeconds?: number | null
  readonly maxHeartBtInt?: number
  readonly checkCompIds?: boolean
  /** dictionary validation switches; false: no dictionary validation */
  readonly validation?: Partial<ValidationOptions> | false
  readonly username?: string | null
  readonly password?: string | null
  readonly schedule?: SessionSchedule | null
  readonly ipAllowList?: readonly string[] | null
  readonly tls?: TlsSettings | null
  /** resend: orders (D/F/G) stored longer ago than this are gap-filled instead; null: always resent */
  readonly staleOrderSeconds?: number | null
}

/** Our store factory (PgSessionStoreFactory has both), or any jspurefix one. */
export type StoreFactory = IFixSessionStoreFactory | { open: (id: SessionIdentity) => SessionStore }

export interface EndpointDeps {
  readonly logger: Logger
  /** no longer used: jspurefix's engine does not run (kept so callers need not change) */
  readonly jsfixLogFactory?: unknown
  /** default: an in-memory store */
  readonly storeFactory?: StoreFactory
  readonly app: FixApp
  /** told of the session once its store is loaded, before any application message can reach it */
  readonly onSession?: (session: FixgwSession) => void
}

export function settingsFromSpec (spec: EndpointSpec): SessionSettings {
  return sessionSettings({
    senderCompId: spec.senderCompId,
    targetCompId: spec.targetCompId,
    heartBtInt: spec.heartBtInt,
    resetOnLogon: spec.resetSeqNumOnLogon,
    resetOnLogout: spec.resetSeqNumOnLogout ?? false,
    resetOnDisconnect: spec.resetSeqNumOnDisconnect ?? false,
    ...(spec.logonTimeoutSeconds != null ? { logonTimeoutSeconds: spec.logonTimeoutSeconds } : {}),
    ...(spec.logoutTimeoutSeconds != null ? { logoutTimeoutSeconds: spec.logoutTimeoutSeconds } : {}),
    ...(spec.maxLatencySeconds !== undefined ? { maxLatencySeconds: spec.maxLatencySeconds } : {}),
    ...(spec.maxHeartBtInt !== undefined ? { maxHeartBtInt: spec.maxHeartBtInt } : {}),
    checkCompIds: spec.checkCompIds ?? true,
    validation: spec.validation === false ? null : { ...DEFAULT_VALIDATION, ...spec.validation },
    username: spec.username ?? null,
    password: spec.password ?? null,
    schedule: spec.schedule ?? null,
    staleOrderSeconds: spec.staleOrderSeconds ?? null
  })
}

export function openStore (factory: StoreFactory | undefined, id: SessionIdentity): SessionStore {
  if (factory == null) return new MemorySessionStore(id)
  if ('open' in factory) return factory.open(id)
  return new JsFixStoreAdapter(factory.create(new SessionId(id.beginString, id.senderCompId, id.targetCompId)))
}

export class Endpoint {
  private session: FixgwSession | null = null
  private listener: Listener | null = null
  private initiator: Initiator | null = null
  private store: SessionStore | null = null

  constructor (readonly spec: EndpointSpec, private readonly deps: EndpointDeps) {}

  /** The session, once started. */
  get fixSession (): FixgwSession | null { return this.session }

  /** Sessions currently logged on. */
  sessions (): FixgwSession[] { return this.session?.isReady === true ? [this.session] : [] }

  /** Listen / start connecting. Calling it again while started does nothing. */
  async start (): Promise<void> {
    if (this.session != null) return
    const { spec, deps } = this
    const codec = await FixCodec.load()
    const settings = settingsFromSpec(spec)
    const store = openStore(deps.storeFactory, { beginString: settings.beginString, senderCompId: spec.senderCompId, targetCompId: spec.targetCompId, name: spec.name })
    const session = new FixgwSession({ name: spec.name, role: spec.role, settings, store, codec, app: deps.app, logger: deps.logger })
    // An acceptor takes its port first (a port in use is the error an operator should
    // see first); a logon arriving before the store is ready waits for it.
    const ready = store.initialize()
    session.notBefore(ready)
    try {
      if (spec.role === 'acceptor') {
        const allowList = spec.ipAllowList == null ? null : new IpAllowList(spec.ipAllowList)
        const listener = new Listener({ name: spec.name, host: spec.host, port: spec.port, tls: spec.tls, logger: deps.logger }, [{ session, allowList }])
        this.listener = listener
        await listener.start()
      }
      await ready
      session.adoptStoreNumbers()
      deps.onSession?.(session)
    } catch (e) {
      await ready.catch(() => undefined)
      await this.listener?.stop()
      this.listener = null
      await session.stop(0).catch(() => undefined)
      await store.dispose()
      throw e
    }
    this.store = store
    this.session = session
    if (spec.role === 'initiator') {
      const reconnect = spec.reconnect ?? { initialDelayMs: (spec.reconnectSeconds ?? 1) * 1000, maxDelayMs: Math.max(30000, (spec.reconnectSeconds ?? 1) * 1000) }
      const initiator = new Initiator({ host: spec.host, port: spec.port, backups: spec.backupHosts, tls: spec.tls, reconnect, connectTimeoutMs: 5000, logger: deps.logger }, session)
      this.initiator = initiator
      initiator.start()
    }
  }

  /** Log out (bounded wait), stop listening / reconnecting, and let store writes finish. */
  async stop (timeoutMs = 2000): Promise<void> {
    await this.initiator?.stop()
    await this.session?.stop(timeoutMs)
    await this.listener?.stop()
    await this.store?.dispose()
    this.initiator = null
    this.listener = null
    this.session = null
  }
}
