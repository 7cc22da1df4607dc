/**
 * Connects to the counterparty (TCP or TLS) and keeps doing so: after a failed attempt
 * or a lost connection it waits, doubling the wait from initialDelayMs up to
 * maxDelayMs, back to initialDelayMs once a session has logged on. Outside the
 * session's schedule it does not connect.
 *
 * With backup addresses, a failed attempt moves on to the next address at once; the
 * wait (and its doubling) applies once every address has failed in a row. A lost
 * connection starts again from the primary address.
 */
import * as net from 'node:net'
import * as tls from 'node:tls'
import type { Logger } from 'pino'
import { Connection } from './connection'
import { clientTlsOptions, type TlsSettings } from './tls-options'
import type { FixgwSession } from '../session/fixgw-session'

export interface InitiatorOptions {
  readonly host: string
  readonly port: number
  /** tried in order after host:port when it cannot be reached */
  readonly backups?: ReadonlyArray<{ readonly host: string, readonly port: number }>
  readonly tls?: TlsSettings | null
  readonly reconnect: { readonly initialDelayMs: number, readonly maxDelayMs: number }
  readonly connectTimeoutMs: number
  readonly logger: Logger
}

export class Initiator {
  private stopped = false
  private timer: NodeJS.Timeout | null = null
  private delay: number
  private failures = 0
  private connecting: net.Socket | null = null
  private readonly log: Logger
  private readonly addresses: ReadonlyArray<{ readonly host: string, readonly port: number }>
  private next = 0 // index in addresses of the next attempt

  constructor (private readonly opts: InitiatorOptions, private readonly session: FixgwSession) {
    this.delay = opts.reconnect.initialDelayMs
    this.addresses = [{ host: opts.host, port: opts.port }, ...(opts.backups ?? [])]
    this.log = opts.logger.child({ session: session.name, peer: `${opts.host}:${opts.port}` })
    session.onDisconnect(() => {
      if (this.stopped) return
      if (session.loggedOnSince != null) this.delay = this.opts.reconnect.initialDelayMs
      this.next = 0
      this.schedule(this.delay)
    })
  }

  start (): void {
    this.stopped = false
    this.attempt()
  }

  /** No more attempts; a connection attempt in progress is dropped (a live session is the session's to log out). */
  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer != null) { clearTimeout(this.timer); this.timer = null }
    this.connecting?.destroy()
    this.connecting = null
  }

  private schedule (ms: number): void {
    if (this.stopped || this.timer != null) return
    this.timer = setTimeout(() => { this.timer = null; this.attempt() }, ms)
    this.timer.unref()
  }

  private backoff (): void {
    this.failures++
    this.next = (this.next + 1) % this.addresses.length
    if (this.next !== 0) { this.schedule(0); return } // a backup address is next: try it now
    const wait = this.delay
    this.delay = Math.min(this.delay * 2, this.opts.reconnect.maxDelayMs)
    this.schedule(wait)
  }

  private attempt (): void {
    if (this.stopped || this.session.isConnected) return
    if (!this.session.isInSessionTime()) { this.schedule(1000); return }
    const { host, port } = this.addresses[this.next]
    const socket = this.opts.tls != null ? tls.connect(clientTlsOptions(this.opts.tls, host, port)) : net.connect({ host, port })
    this.connecting = socket
    let connected = false
    const timeout = setTimeout(() => socket.destroy(new Error(`no connection within ${this.opts.connectTimeoutMs} ms`)), this.opts.connectTimeoutMs)
    const onUp = (): void => {
      connected = true
      this.connecting = null
      clearTimeout(timeout)
      socket.removeListener('error', onError)
      if (this.stopped) { socket.destroy(); return }
      if (this.failures > 0 || this.next !== 0) this.log.info({ afterFailures: this.failures, host, port }, 'connected')
      this.failures = 0
      this.session.attachInitiator(new Connection(socket))
    }
    const onError = (e: Error): void => {
      clearTimeout(timeout)
      if (this.connecting === socket) this.connecting = null
      if (connected || this.stopped) return
      const level = this.failures === 0 ? 'warn' : 'debug'
      this.log[level]({ err: e.message, host, port }, 'cannot connect to the counterparty')
      socket.destroy()
      this.backoff()
    }
    socket.once(this.opts.tls != null ? 'secureConnect' : 'connect', onUp)
    socket.once('error', onError)
  }
}
