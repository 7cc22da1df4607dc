/**
 * Starting one FIX session endpoint (an acceptor listening, or an initiator connecting
 * and reconnecting) on jspurefix's transport, with our FixgwSession on top.
 *
 * We hand jspurefix description objects, never JSON paths (which it resolves against
 * its own package folder), and the dictionary by absolute path.
 */
import * as path from 'node:path'
import { DITokens, SessionLauncher, TcpAcceptor } from '../jspurefix'
import type { EngineFactory, IFixSessionStoreFactory, IJsFixConfig, ISessionDescription, JsFixLoggerFactory } from '../jspurefix'
import type { DependencyContainer } from '../jspurefix'
import { BoundTcpAcceptor, type ListenHooks } from './bound-tcp-acceptor'
import type { Logger } from 'pino'
import { FixgwSession, type FixApp } from '../session/fixgw-session'

export const FIX44_DICTIONARY = path.resolve(__dirname, '..', '..', '..', '..', 'data', 'dictionaries', 'FIX44.xml')

export interface EndpointSpec {
  readonly name: string
  readonly role: 'acceptor' | 'initiator'
  readonly senderCompId: string
  readonly targetCompId: string
  readonly host: string
  readonly port: number
  readonly heartBtInt: number
  readonly resetSeqNumOnLogon: boolean
  /** initiator: seconds between reconnect attempts */
  readonly reconnectSeconds?: number
}

export interface EndpointDeps {
  readonly logger: Logger
  readonly jsfixLogFactory: JsFixLoggerFactory
  readonly storeFactory?: IFixSessionStoreFactory
  readonly app: FixApp
}

export class EndpointError extends Error {
  constructor (readonly code: 'PORT_IN_USE' | 'LISTEN_FAILED', message: string) {
    super(message)
    this.name = 'EndpointError'
  }
}

export class Endpoint {
  private readonly live = new Set<FixgwSession>()
  private launcher: Launcher | null = null

  constructor (readonly spec: EndpointSpec, private readonly deps: EndpointDeps) {}

  /** Sessions currently attached to a transport. */
  sessions (): FixgwSession[] { return [...this.live] }

  async start (): Promise<void> {
    const { spec, deps } = this
    const description = toDescription(spec)
    const track: FixApp = {
      onLogon: deps.app.onLogon == null ? undefined : (s, v) => deps.app.onLogon?.(s, v) ?? true,
      onReady: (s) => { this.live.add(s); deps.app.onReady(s) },
      onMessage: (s, t, v) => deps.app.onMessage(s, t, v),
      onStopped: (s, e) => { this.live.delete(s); deps.app.onStopped(s, e) }
    }
    let listening: Promise<void> = Promise.resolve()
    let hooks: ListenHooks | null = null
    if (spec.role === 'acceptor') {
      listening = new Promise<void>((resolve, reject) => {
        hooks = {
          onListening: resolve,
          onError: (e) => {
            const err = e.code === 'EADDRINUSE'
              ? new EndpointError('PORT_IN_USE', `session ${spec.name}: port ${spec.port} on ${spec.host} is already in use`)
              : new EndpointError('LISTEN_FAILED', `session ${spec.name}: cannot listen on ${spec.host}:${spec.port}: ${e.message}`)
            deps.logger.error({ err, session: spec.name }, 'FIX acceptor listen failed')
            reject(err)
          }
        }
      })
    }
    const launcher = new Launcher(description, spec.role, deps, track, hooks)
    this.launcher = launcher
    launcher.run().catch((e: Error) => {
      deps.logger.error({ err: e, session: spec.name }, 'FIX endpoint stopped with an error')
    })
    try {
      await listening
    } catch (e) {
      launcher.stop()
      this.launcher = null
      throw e
    }
  }

  /** Log out live sessions (bounded wait), then close the listener / stop reconnecting. */
  async stop (timeoutMs = 2000): Promise<void> {
    const sessions = this.sessions()
    for (const s of sessions) s.logout()
    const deadline = Date.now() + timeoutMs
    while (this.live.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25))
    this.launcher?.stop()
    this.launcher = null
  }
}

class Launcher extends SessionLauncher {
  constructor (description: ISessionDescription, role: 'acceptor' | 'initiator',
    private readonly deps: EndpointDeps, private readonly app: FixApp, private readonly hooks: ListenHooks | null) {
    super(role === 'initiator' ? description : null, role === 'acceptor' ? description : null, deps.jsfixLogFactory)
  }

  // Swap jspurefix's TcpAcceptor for ours in this session's container, just before the
  // listener resolves it.
  protected override async getAcceptor (container: DependencyContainer): Promise<unknown> {
    const hooks = this.hooks
    if (hooks) {
      container.register(TcpAcceptor, {
        useFactory: (c) => new BoundTcpAcceptor(c.resolve<IJsFixConfig>(DITokens.IJsFixConfig), hooks)
      })
    }
    return await super.getAcceptor(container)
  }

  protected override makeFactory (config: IJsFixConfig): EngineFactory {
    if (this.deps.storeFactory) config.sessionStoreFactory = this.deps.storeFactory
    return { makeSession: (c: IJsFixConfig) => new FixgwSession(c, this.app, this.deps.logger) }
  }
}

function toDescription (spec: EndpointSpec): ISessionDescription {
  const application = {
    name: spec.name,
    type: spec.role,
    protocol: 'ascii',
    dictionary: FIX44_DICTIONARY,
    tcp: { host: spec.host, port: spec.port },
    resilient: spec.role === 'initiator',
    reconnectSeconds: spec.reconnectSeconds ?? 1,
    recoveryAttemptSeconds: spec.reconnectSeconds ?? 1,
    backoffFailConnectSeconds: spec.reconnectSeconds ?? 1,
    connectTimeoutSeconds: 5
  }
  return {
    application,
    Name: spec.name,
    SenderCompId: spec.senderCompId,
    TargetCompID: spec.targetCompId,
    SenderSubID: '',
    TargetSubID: '',
    BeginString: 'FIX.4.4',
    Username: '',
    Password: '',
    ResetSeqNumFlag: spec.resetSeqNumOnLogon,
    HeartBtInt: spec.heartBtInt
  } as unknown as ISessionDescription
}
