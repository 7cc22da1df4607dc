/**
 * Connects to the counterparty (TCP or TLS) and keeps doing so: after a failed attempt
 * or a lost connection it waits, doubling the wait from initialDelayMs up to
 * maxDelayMs, back to initialDelayMs once a session has logged on. Outside the
 * session's schedule it does not connect.
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

  constructor (private readonly opts: InitiatorOptions, private readonly session: FixgwSession) {
    this.delay = opts.reconnect.initialDelayMs
    this.log = opts.logger.child({ session: session.name, peer: `${opts.host}:${opts.port}` })
    session.onDisconnect(() => {
      if (this.stopped) return
      if (session.loggedOnSince != null) this.delay = this.opts.reconnect.initialDelayMs
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
    const wait = this.delay
    this.delay = Math.min(this.delay * 2, this.opts.reconnect.maxDelayMs)
    this.schedule(wait)
  }

  private attempt (): void {
    if (this.stopped || this.session.isConnected) return
    if (!this.session.isInSessionTime()) { this.schedule(1000); return }
    const { host, port } = this.opts
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
      if (this.failures > 0) this.log.info({ afterFailures: this.failures }, 'connected')
      this.failures = 0
      this.session.attachInitiator(new Connection(socket))
    }
    const onError = (e: Error): void => {
      clearTimeout(timeout)
      if (this.connecting === socket) this.connecting = null
      if (connected || this.stopped) return
      const level = this.failures === 0 ? 'warn' : 'debug'
      this.log[level]({ err: e.message, retryInMs: this.delay }, 'cannot connect to the counterparty')
      socket.destroy()
      this.backoff()
    }
    socket.once(this.opts.tls != null ? 'secureConnect' : 'connect', onUp)
    socket.once('error', onError)
  }
}
