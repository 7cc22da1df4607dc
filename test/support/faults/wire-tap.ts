/**
 * A loopback TCP proxy between a FIX peer and the gateway that records every frame in
 * both directions, and can cut or refuse connections (a network failure, as opposed
 * to a Logout). It lives in the test process, so it sees the whole conversation across
 * gateway restarts: the one place where "no sequence reset, no gap" can be checked on
 * what actually went over the wire, whatever the session layers believe.
 *
 *   connecting side (`fromName`) ──► tap.port ──► target (`toName`)
 */
import * as net from 'node:net'
import { Framer } from '../../../src/fix/session/wire/framer'

export interface WireFrame {
  /** who wrote it: the tap's fromName or toName */
  readonly from: string
  /** connection number on this tap, from 1 */
  readonly conn: number
  /** Date.now() when the proxy read it */
  readonly at: number
  /** the message with SOH shown as | */
  readonly text: string
  readonly msgType: string
  /** MsgSeqNum(34), NaN when missing */
  readonly seq: number
  /** PossDupFlag(43)=Y */
  readonly possDup: boolean
  /** read while the tap was a black hole: never reached the other side */
  readonly dropped: boolean
  /** first value of a tag, or null */
  get: (tag: number) => string | null
}

export interface WireTapOptions {
  /** for messages: 'client tap', 'broker tap' */
  readonly name: string
  /** the side that connects to the tap */
  readonly fromName: string
  /** the side the tap connects to */
  readonly toName: string
  readonly targetHost?: string
  readonly targetPort: number
}

interface Pair { readonly a: net.Socket, readonly b: net.Socket }

export function parseFrame (from: string, conn: number, at: number, bytes: Buffer, dropped = false): WireFrame {
  const text = bytes.toString('latin1').replace(/\x01/g, '|')
  const first = new Map<number, string>()
  for (const part of text.split('|')) {
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    const tag = Number(part.slice(0, eq))
    if (!first.has(tag)) first.set(tag, part.slice(eq + 1))
  }
  const get = (tag: number): string | null => first.get(tag) ?? null
  return { from, conn, at, text, msgType: get(35) ?? '', seq: Number(get(34) ?? 'NaN'), possDup: get(43) === 'Y', dropped, get }
}

export class WireTap {
  readonly frames: WireFrame[] = []
  private server: net.Server | null = null
  private readonly pairs = new Set<Pair>()
  private blocked = false
  private holed = false
  private connections = 0
  private refusedCount = 0
  port = 0

  constructor (readonly opts: WireTapOptions) {}

  /** Listen on a free loopback port (tap.port). */
  async start (): Promise<void> {
    const server = net.createServer((socket) => this.onConnection(socket))
    this.server = server
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(0, '127.0.0.1', () => resolve())
    })
    this.port = (server.address() as net.AddressInfo).port
  }

  /** Frames written by one side, in the order the tap read them. */
  sentBy (side: string): WireFrame[] { return this.frames.filter((f) => f.from === side) }

  /** Connections made through the tap so far (refused ones not counted). */
  get connectionCount (): number { return this.connections }
  /** Connections refused while blocked. */
  get refused (): number { return this.refusedCount }
  get isBlocked (): boolean { return this.blocked }
  /** Connections open right now. */
  get open (): number { return this.pairs.size }

  /** Drop every open connection at once (both sockets destroyed: no Logout, no FIN handshake of FIX). */
  cut (): void {
    for (const p of [...this.pairs]) this.destroy(p)
    this.holed = false
  }

  /** Refuse new connections (open ones stay) until unblock(). */
  refuse (): void { this.blocked = true }

  /** Cut, and refuse new connections until unblock(). */
  block (): void {
    this.blocked = true
    this.cut()
  }

  unblock (): void { this.blocked = false }

  /**
   * Stop forwarding in both directions while connections stay open (a network that
   * silently loses everything): both sides keep writing, nothing arrives. Frames read
   * meanwhile are recorded with dropped=true. Ends with block() or cut().
   */
  blackhole (): void { this.holed = true }

  /** Frames lost in the black hole. */
  get droppedFrames (): WireFrame[] { return this.frames.filter((f) => f.dropped) }

  async stop (): Promise<void> {
    this.blocked = true
    this.cut()
    const server = this.server
    this.server = null
    if (server != null) await new Promise<void>((resolve) => server.close(() => resolve()))
  }

  private onConnection (a: net.Socket): void {
    a.on('error', () => {})
    if (this.blocked) { this.refusedCount++; a.destroy(); return }
    const conn = ++this.connections
    const b = net.connect({ host: this.opts.targetHost ?? '127.0.0.1', port: this.opts.targetPort })
    b.on('error', () => {})
    const pair: Pair = { a, b }
    this.pairs.add(pair)
    const up = new Framer()
    const down = new Framer()
    const pending: Buffer[] = []
    let connected = false
    b.once('connect', () => {
      connected = true
      for (const chunk of pending.splice(0)) b.write(chunk)
    })
    a.on('data', (chunk: Buffer) => {
      const lost = this.holed
      this.record(this.opts.fromName, conn, up, chunk, lost)
      if (lost) return
      if (connected) b.write(chunk); else pending.push(chunk)
    })
    b.on('data', (chunk: Buffer) => {
      const lost = this.holed
      this.record(this.opts.toName, conn, down, chunk, lost)
      if (!lost) a.write(chunk)
    })
    a.once('close', () => this.destroy(pair))
    b.once('close', () => this.destroy(pair))
  }

  private record (from: string, conn: number, framer: Framer, chunk: Buffer, lost: boolean): void {
    const at = Date.now()
    for (const ev of framer.push(chunk)) {
      if (ev.kind === 'message') this.frames.push(parseFrame(from, conn, at, ev.bytes, lost))
    }
  }

  private destroy (p: Pair): void {
    if (!this.pairs.delete(p)) return
    p.a.destroy()
    p.b.destroy()
  }
}
