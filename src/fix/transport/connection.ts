/**
 * One TCP (or TLS) connection carrying FIX: bytes in → frames out, bytes out with
 * backpressure, and a close that lets written data (a Logout) reach the peer first.
 * Who receives the frames can change on the fly (the acceptor reads the first message,
 * then hands the connection to the session it names).
 */
import type * as net from 'node:net'
import { Framer, type FrameEvent } from '../session/wire/framer'

let nextId = 1

export class Connection {
  readonly id = nextId++
  readonly remoteAddress: string
  readonly remotePort: number
  private readonly framer = new Framer()
  /** no more frames are delivered (we are closing, or the socket is gone) */
  private closed = false
  private socketClosed = false
  private closeReason = 'peer closed the connection'
  /** receives every frame (and every run of garbage) in arrival order */
  onFrame: (ev: FrameEvent) => void = () => {}
  private readonly closeHandlers: Array<(reason: string) => void> = []

  constructor (private readonly socket: net.Socket) {
    this.remoteAddress = normaliseAddress(socket.remoteAddress ?? '')
    this.remotePort = socket.remotePort ?? 0
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => {
      if (this.closed) return
      for (const ev of this.framer.push(chunk)) {
        if (this.closed) return
        this.onFrame(ev)
      }
    })
    socket.on('error', (e) => { this.closeReason = `socket error: ${e.message}` })
    socket.on('end', () => { socket.end() })
    socket.on('close', () => {
      this.closed = true
      this.socketClosed = true
      for (const h of this.closeHandlers.splice(0)) h(this.closeReason)
    })
  }

  get isOpen (): boolean { return !this.closed && !this.socket.destroyed }

  onClose (handler: (reason: string) => void): void {
    if (this.socketClosed) handler(this.closeReason)
    else this.closeHandlers.push(handler)
  }

  private corked = false

  /**
   * false when the socket's buffer is full: wait for drained() before writing a lot more.
   * Writes made in one turn of the event loop (a committed batch's messages) leave in one
   * system call: the socket is corked until the turn ends.
   */
  write (bytes: Buffer): boolean {
    if (!this.isOpen) return true
    if (!this.corked) {
      this.corked = true
      this.socket.cork()
      setImmediate(() => {
        this.corked = false
        this.socket.uncork()
      })
    }
    return this.socket.write(bytes)
  }

  async drained (): Promise<void> {
    if (!this.isOpen || !this.socket.writableNeedDrain) return
    await new Promise<void>((resolve) => {
      const done = (): void => { this.socket.off('drain', done); this.socket.off('close', done); resolve() }
      this.socket.once('drain', done)
      this.socket.once('close', done)
    })
  }

  /** Send what is queued, then close; destroy if the peer has not closed within graceMs. */
  close (reason: string, graceMs = 1000): void {
    if (this.closed) return
    this.closeReason = reason
    this.closed = true // no more frames to the session
    this.socket.end()
    const t = setTimeout(() => this.socket.destroy(), graceMs)
    t.unref()
    this.socket.once('close', () => clearTimeout(t))
  }

  /** Drop the connection now, sending nothing more. */
  destroy (reason: string): void {
    if (!this.closed) this.closeReason = reason
    this.closed = true
    this.socket.destroy()
  }
}

/** "::ffff:127.0.0.1" → "127.0.0.1", so IPv4 allow-lists match dual-stack sockets. */
export function normaliseAddress (a: string): string {
  return a.startsWith('::ffff:') && a.includes('.') ? a.slice(7) : a
}
