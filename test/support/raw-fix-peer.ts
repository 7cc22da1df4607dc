/**
 * A counterparty that speaks raw FIX over a real socket, for session-layer tests: it
 * sends exactly the bytes a test writes (wrong CheckSums, gaps, duplicates...) and
 * hands back every message it receives. Client mode connects to our acceptor; server
 * mode accepts our initiator.
 */
import * as net from 'node:net'
import { Framer } from '../../src/fix/session/wire/framer'
import { formatUtcTimestamp } from '../../src/fix/session/wire/fix-time'
import { fix, fieldsOf, show } from './fix-text'

export interface Received {
  readonly text: string
  get: (tag: number) => string | undefined
  readonly msgType: string
}

export class RawFixPeer {
  private socket: net.Socket | null = null
  private readonly inbox: Received[] = []
  private waiters: Array<() => void> = []
  private closed = false
  private readonly framer = new Framer()

  /** Connect to host:port (our acceptor). */
  static async connect (port: number, host = '127.0.0.1'): Promise<RawFixPeer> {
    const p = new RawFixPeer()
    await new Promise<void>((resolve, reject) => {
      const s = net.connect({ host, port }, () => resolve())
      s.once('error', reject)
      p.attach(s)
    })
    return p
  }

  /** Listen on a free port; `accepted()` resolves with the next connection (our initiator). */
  static async listen (): Promise<{ port: number, accepted: () => Promise<RawFixPeer>, close: () => Promise<void> }> {
    const queue: net.Socket[] = []
    const waiting: Array<(s: net.Socket) => void> = []
    const server = net.createServer((s) => { const w = waiting.shift(); if (w != null) w(s); else queue.push(s) })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    const port = (server.address() as net.AddressInfo).port
    return {
      port,
      accepted: async () => {
        const s = queue.shift() ?? await new Promise<net.Socket>((resolve) => waiting.push(resolve))
        const p = new RawFixPeer()
        p.attach(s)
        return p
      },
      close: async () => { await new Promise<void>((resolve) => server.close(() => resolve())) }
    }
  }

  private attach (s: net.Socket): void {
    this.socket = s
    s.on('data', (chunk: Buffer) => {
      for (const ev of this.framer.push(chunk)) {
        if (ev.kind !== 'message') continue
        const fields = fieldsOf(ev.bytes)
        const first = new Map<number, string>()
        for (const [t, v] of fields) if (!first.has(Number(t))) first.set(Number(t), v)
        this.inbox.push({ text: show(ev.bytes), get: (t) => first.get(t), msgType: first.get(35) ?? '' })
      }
      this.wake()
    })
    s.on('close', () => { this.closed = true; this.wake() })
    s.on('error', () => {})
  }

  private wake (): void { for (const w of this.waiters.splice(0)) w() }

  get isClosed (): boolean { return this.closed }

  /** Send 'tag=value|...' (BodyLength/CheckSum added unless given); <NOW> and <NOW-n>/<NOW+n> are replaced by SendingTime-style UTC times. */
  send (text: string): void {
    const now = Date.now()
    const t = text.replace(/<NOW([+-]\d+)?>/g, (_a, off?: string) => formatUtcTimestamp(new Date(now + Number(off ?? 0) * 1000)))
    this.socket?.write(fix(t))
  }

  sendBytes (b: Buffer): void { this.socket?.write(b) }

  /** The next message (optionally of this MsgType, skipping others only when `skip` is true). */
  async next (timeoutMs = 3000): Promise<Received> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      const m = this.inbox.shift()
      if (m != null) return m
      if (this.closed) throw new Error('connection closed, no message')
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`no message within ${timeoutMs} ms`)
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, left) })
    }
  }

  /** Resolves when the other side has closed the connection; fails if a message arrives first. */
  async closedByPeer (timeoutMs = 3000): Promise<void> {
    const deadline = Date.now() + timeoutMs
    while (!this.closed) {
      if (this.inbox.length > 0) throw new Error(`expected a disconnect, got ${this.inbox[0].text}`)
      const left = deadline - Date.now()
      if (left <= 0) throw new Error(`still connected after ${timeoutMs} ms`)
      await new Promise<void>((resolve) => { this.waiters.push(resolve); setTimeout(resolve, left) })
    }
    if (this.inbox.length > 0) throw new Error(`expected a disconnect, got ${this.inbox[0].text}`)
  }

  /** Nothing received for `ms`. */
  async quiet (ms = 300): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, ms))
    if (this.inbox.length > 0) throw new Error(`expected nothing, got ${this.inbox.map((m) => m.text).join(' / ')}`)
  }

  close (): void { this.socket?.destroy() }
}
