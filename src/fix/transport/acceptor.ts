/**
 * A listening socket (TCP or TLS) bound to the configured host, serving one or more
 * sessions. The first message of a connection names its session (BeginString and the
 * CompIDs, reversed); the connection is then handed to that session. Closed without a
 * word, as the session spec asks: connections from addresses not allowed, first
 * messages that are garbled or name no session we serve, a second connection for a
 * session already connected, logons outside the session's schedule, and connections
 * that send nothing within the logon timeout.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import type { Logger } from 'pino'
import { Connection } from './connection'
import type { IpAllowList } from './ip-allow-list'
import { serverTlsOptions, type TlsSettings } from './tls-options'
import { parseFrame } from '../session/wire/raw-message'
import type { FixgwSession } from '../session/fixgw-session'

export class EndpointError extends Error {
  constructor (readonly code: 'PORT_IN_USE' | 'LISTEN_FAILED', message: string) {
    super(message)
    this.name = 'EndpointError'
  }
}

export interface ListenerOptions {
  /** for messages: the session or endpoint name */
  readonly name: string
  readonly host: string
  readonly port: number
  readonly tls?: TlsSettings | null
  readonly logger: Logger
}

export interface ServedSession {
  readonly session: FixgwSession
  readonly allowList: IpAllowList | null
}

export class Listener {
  private server: net.Server | null = null
  private readonly pending = new Set<Connection>()
  private readonly open = new Set<Connection>()
  private readonly log: Logger

  constructor (private readonly opts: ListenerOptions, private readonly served: readonly ServedSession[]) {
    this.log = opts.logger.child({ listener: `${opts.host}:${opts.port}` })
  }

  /** Resolves once listening; rejects with EndpointError (port in use...). */
  async start (): Promise<void> {
    const { opts } = this
    const onSocket = (socket: net.Socket): void => this.onSocket(socket)
    const server = opts.tls != null
      ? tls.createServer(serverTlsOptions(opts.tls), onSocket)
      : net.createServer(onSocket)
    if (opts.tls != null) {
      server.on('tlsClientError', (e: Error, socket: tls.TLSSocket) => {
        this.log.warn({ err: e, remote: socket.remoteAddress }, 'TLS handshake failed')
      })
    }
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', (e: NodeJS.ErrnoException) => {
        const err = e.code === 'EADDRINUSE'
          ? new EndpointError('PORT_IN_USE', `session ${opts.name}: port ${opts.port} on ${opts.host} is already in use`)
          : new EndpointError('LISTEN_FAILED', `session ${opts.name}: cannot listen on ${opts.host}:${opts.port}: ${e.message}`)
        this.log.error({ err }, 'FIX acceptor listen failed')
        reject(err)
      })
      server.listen(opts.port, opts.host, () => {
        server.removeAllListeners('error')
        server.on('error', (e) => this.log.error({ err: e }, 'FIX acceptor error'))
        resolve()
      })
    })
  }

  /** Stop listening and drop every connection still open (sessions should have logged out first). */
  async stop (): Promise<void> {
    for (const c of this.open) c.destroy('listener stopped')
    this.pending.clear()
    this.open.clear()
    const server = this.server
    this.server = null
    if (server == null) return
    await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private onSocket (socket: net.Socket): void {
    socket.on('error', () => {}) // reported through Connection's close reason
    const conn = new Connection(socket)
    const remote = `${conn.remoteAddress}:${conn.remotePort}`
    if (!this.served.some((s) => s.allowList == null || s.allowList.allows(conn.remoteAddress))) {
      this.log.warn({ remote }, 'connection refused: address not in any session\'s IP allow-list')
      conn.destroy('address not allowed')
      return
    }
    this.pending.add(conn)
    this.open.add(conn)
    conn.onClose(() => this.open.delete(conn))
    const timeoutS = Math.max(...this.served.map((s) => s.session.settings.logonTimeoutSeconds))
    const timer = setTimeout(() => {
      this.log.warn({ remote }, `no Logon within ${timeoutS} s: connection closed`)
      conn.destroy('logon timeout')
    }, timeoutS * 1000)
    conn.onClose(() => { clearTimeout(timer); this.pending.delete(conn) })
    conn.onFrame = (ev) => {
      clearTimeout(timer)
      this.pending.delete(conn)
      conn.onFrame = () => {}
      if (ev.kind === 'garbled') { this.refuse(conn, `garbled first message (${ev.reason})`); return }
      const parsed = parseFrame(ev.bytes, this.served[0].session.codec.dictionary.dataLengths)
      if (!parsed.ok) { this.refuse(conn, `garbled first message (${parsed.reason})`); return }
      const m = parsed.msg
      const who = { beginString: m.get(8), senderCompId: m.get(49), targetCompId: m.get(56), msgType: m.msgType }
      const s = this.served.find((x) => x.session.settings.beginString === who.beginString &&
        x.session.settings.targetCompId === who.senderCompId && x.session.settings.senderCompId === who.targetCompId)
      if (s == null) { this.refuse(conn, 'first message names no session served here', who); return }
      const session = s.session
      if (session.isStopped) { this.refuse(conn, 'session stopped', who); return }
      if (session.isConnected) { this.refuse(conn, 'session already connected: duplicate logon refused', who); return }
      if (s.allowList != null && !s.allowList.allows(conn.remoteAddress)) { this.refuse(conn, 'address not in the session\'s IP allow-list', who); return }
      if (!session.isInSessionTime()) { this.refuse(conn, 'outside the session\'s schedule', who); return }
      this.log.info({ remote, session: session.name }, 'connection identified')
      session.attachAcceptor(conn, ev.bytes)
    }
  }

  private refuse (conn: Connection, why: string, who?: object): void {
    this.log.warn({ remote: `${conn.remoteAddress}:${conn.remotePort}`, ...who }, `connection refused: ${why}`)
    conn.destroy(why)
  }
}
