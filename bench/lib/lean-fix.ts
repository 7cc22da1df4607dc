/**
 * A lean FIX 4.4 session for the benchmark's own ends of the wire (the load clients and
 * the lean broker), built for low CPU per message rather than for completeness:
 *
 *  - messages are built as strings from pre-built bodies, written once per tick (all the
 *    messages produced by one burst of work go out in one write);
 *  - received frames are cut by BodyLength, their CheckSum checked, and only the tags
 *    asked for are looked up (indexOf on the frame's latin1 text): no dictionary, no
 *    parse tree;
 *  - the session part is what a well-behaved counterparty needs and no more: Logon with
 *    ResetSeqNumFlag=Y (both sides start at 1), Heartbeat / TestRequest, Logout, a
 *    SequenceReset-GapFill answer to a ResendRequest (we store nothing), and every
 *    anomaly (sequence gap, garbled frame, session Reject, unexpected message) counted
 *    and reported, never hidden.
 *
 * Why not our FixgwSession (src/fix/session): it is the certified implementation, but
 * it parses every message twice (our wire layer, then a jspurefix view) and costs about
 * 0.1 ms of CPU per order on the client side; on a 2-core machine shared with the
 * gateway and PostgreSQL the load generator must cost as little as possible. The
 * session-layer client is still available (`--client session`) to cross-check.
 */
import * as net from 'node:net'

export const SOH = '\x01'

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n))

let stampMs = 0
let stamp = ''
/** UTCTimestamp with milliseconds, cached per millisecond. */
export function utcNow (): string {
  const now = Date.now()
  if (now !== stampMs) {
    const d = new Date(now)
    stampMs = now
    stamp = `${d.getUTCFullYear()}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}-${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}.${pad3(d.getUTCMilliseconds())}`
  }
  return stamp
}

/** The value of `tag` in a frame (latin1 text), or undefined. Tags are searched as SOH + tag + '='. */
export function field (frame: string, tag: number): string | undefined {
  const key = `${SOH}${tag}=`
  const i = frame.indexOf(key)
  if (i < 0) return undefined
  const start = i + key.length
  const end = frame.indexOf(SOH, start)
  return frame.slice(start, end < 0 ? frame.length : end)
}

/** Cuts a byte stream into FIX frames by BodyLength; checks the CheckSum. */
export class FrameReader {
  private buf: Buffer | null = null

  constructor (private readonly onFrame: (frame: string) => void, private readonly onGarbled: (reason: string) => void) {}

  push (chunk: Buffer): void {
    let buf = this.buf == null ? chunk : Buffer.concat([this.buf, chunk])
    let o = 0
    for (;;) {
      if (buf.length - o < 16) break
      // 8=FIX.4.4<SOH>9=<len><SOH>
      if (buf[o] !== 0x38 || buf[o + 1] !== 0x3d) {
        const next = buf.indexOf('8=FIX', o + 1, 'latin1')
        this.onGarbled('frame does not start with 8=')
        if (next < 0) { o = buf.length; break }
        o = next
        continue
      }
      const soh1 = buf.indexOf(1, o)
      if (soh1 < 0) break
      if (buf[soh1 + 1] !== 0x39 || buf[soh1 + 2] !== 0x3d) { this.onGarbled('BodyLength is not the second field'); o = soh1 + 1; continue }
      const soh2 = buf.indexOf(1, soh1 + 3)
      if (soh2 < 0) break
      let len = 0
      for (let i = soh1 + 3; i < soh2; i++) len = len * 10 + buf[i] - 48
      const bodyEnd = soh2 + 1 + len
      const end = bodyEnd + 7 // 10=nnn<SOH>
      if (buf.length < end) break
      if (buf[bodyEnd] !== 0x31 || buf[bodyEnd + 1] !== 0x30 || buf[bodyEnd + 2] !== 0x3d || buf[end - 1] !== 1) {
        this.onGarbled('CheckSum not where BodyLength says')
        o = soh1 + 1
        continue
      }
      let sum = 0
      for (let i = o; i < bodyEnd; i++) sum += buf[i]
      const stated = (buf[bodyEnd + 3] - 48) * 100 + (buf[bodyEnd + 4] - 48) * 10 + (buf[bodyEnd + 5] - 48)
      if (sum % 256 !== stated) {
        this.onGarbled(`CheckSum ${stated}, computed ${sum % 256}`)
      } else {
        this.onFrame(buf.toString('latin1', o, end))
      }
      o = end
    }
    if (o >= buf.length) this.buf = null
    else {
      buf = buf.subarray(o)
      this.buf = this.buf == null || o > 0 ? Buffer.from(buf) : buf
    }
  }
}

export interface LeanSessionEvents {
  /** logged on both ways */
  onReady: () => void
  /** an application message (any MsgType but 0, 1, 2, 3, 4, 5, A) */
  onApp: (msgType: string, frame: string) => void
  /** something a correct exchange never has; counted by the caller */
  onProblem: (text: string) => void
  onClose: (reason: string) => void
}

export interface LeanSessionOptions {
  readonly senderCompId: string
  readonly targetCompId: string
  readonly role: 'initiator' | 'acceptor'
  readonly heartBtInt: number
}

/** One FIX session on one socket. */
export class LeanFixSession {
  private nextOut = 1
  private expected = 1
  private out: string[] = []
  private flushQueued = false
  private lastSent = Date.now()
  private lastReceived = Date.now()
  private testRequestSent = false
  private timer: NodeJS.Timeout | null = null
  private readonly reader: FrameReader
  private readonly headerTail: string
  state: 'connecting' | 'logon-sent' | 'ready' | 'logout-sent' | 'closed' = 'connecting'

  constructor (private readonly socket: net.Socket, private readonly o: LeanSessionOptions, private readonly ev: LeanSessionEvents) {
    this.headerTail = `${SOH}49=${o.senderCompId}${SOH}52=`
    this.reader = new FrameReader((f) => this.onFrame(f), (reason) => ev.onProblem(`garbled frame: ${reason}`))
    socket.setNoDelay(true)
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk))
    socket.on('error', (e) => { if (this.state !== 'closed' && this.state !== 'logout-sent') ev.onProblem(`socket error: ${e.message}`) })
    socket.on('close', () => this.closed('connection closed'))
    this.timer = setInterval(() => this.tick(), 1000)
    this.timer.unref()
    if (o.role === 'initiator') {
      this.state = 'logon-sent'
      this.send('A', `98=0${SOH}108=${o.heartBtInt}${SOH}141=Y${SOH}`)
    }
  }

  get isReady (): boolean { return this.state === 'ready' }

  /** Queue a message; `body` is its body as tag=value<SOH>... Written at the end of the tick. */
  send (msgType: string, body: string): void {
    const rest = `35=${msgType}${SOH}34=${this.nextOut++}${this.headerTail}${utcNow()}${SOH}56=${this.o.targetCompId}${SOH}${body}`
    const msg = `8=FIX.4.4${SOH}9=${rest.length}${SOH}${rest}`
    let sum = 0
    for (let i = 0; i < msg.length; i++) sum += msg.charCodeAt(i)
    this.out.push(`${msg}10=${pad3(sum % 256)}${SOH}`)
    if (!this.flushQueued) {
      this.flushQueued = true
      process.nextTick(() => this.flush())
    }
  }

  private flush (): void {
    this.flushQueued = false
    if (this.out.length === 0) return
    const data = this.out.length === 1 ? this.out[0] : this.out.join('')
    this.out = []
    if (this.state === 'closed') return
    this.socket.write(data, 'latin1')
    this.lastSent = Date.now()
  }

  /** Log out (waits up to timeoutMs for the peer's Logout), then close. */
  async logout (timeoutMs = 1000): Promise<void> {
    if (this.state === 'closed') return
    if (this.state === 'ready') {
      this.state = 'logout-sent'
      this.send('5', '')
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, timeoutMs)
        this.socket.once('close', () => { clearTimeout(t); resolve() })
      })
    }
    this.socket.destroy()
    this.closed('logged out')
  }

  private closed (reason: string): void {
    if (this.state === 'closed') return
    const was = this.state
    this.state = 'closed'
    if (this.timer != null) clearInterval(this.timer)
    this.timer = null
    this.ev.onClose(was === 'logout-sent' ? 'logged out' : reason)
  }

  private tick (): void {
    if (this.state === 'closed' || this.state === 'connecting') return
    const now = Date.now()
    const hb = this.o.heartBtInt * 1000
    if (now - this.lastReceived > 2.4 * hb) {
      this.ev.onProblem(`nothing received for ${Math.round((now - this.lastReceived) / 1000)} s: disconnecting`)
      this.socket.destroy()
      return
    }
    if (now - this.lastReceived > 1.2 * hb && !this.testRequestSent) {
      this.testRequestSent = true
      this.send('1', `112=TEST${SOH}`)
    } else if (now - this.lastSent >= hb) {
      this.send('0', '')
    }
  }

  private onFrame (frame: string): void {
    this.lastReceived = Date.now()
    this.testRequestSent = false
    const msgType = field(frame, 35) ?? ''
    const seq = Number(field(frame, 34))
    if (msgType === 'A') {
      if (field(frame, 141) === 'Y') this.expected = seq
      if (this.o.role === 'acceptor') {
        if (field(frame, 49) !== this.o.targetCompId || field(frame, 56) !== this.o.senderCompId) {
          this.ev.onProblem(`Logon from ${String(field(frame, 49))} to ${String(field(frame, 56))}: not this session`)
          this.socket.destroy()
          return
        }
        this.nextOut = 1
        this.send('A', `98=0${SOH}108=${field(frame, 108) ?? this.o.heartBtInt}${SOH}${field(frame, 141) === 'Y' ? `141=Y${SOH}` : ''}`)
      }
    }
    if (seq !== this.expected) {
      const possDup = field(frame, 43) === 'Y'
      if (seq < this.expected && possDup) return
      this.ev.onProblem(`MsgSeqNum ${seq}, expected ${this.expected} (MsgType ${msgType})`)
    }
    this.expected = seq + 1
    switch (msgType) {
      case 'A':
        this.state = 'ready'
        this.ev.onReady()
        return
      case '0': return
      case '1': this.send('0', `112=${field(frame, 112) ?? ''}${SOH}`); return
      case '2': {
        // we keep no messages: everything asked for is gap-filled
        this.ev.onProblem(`ResendRequest ${String(field(frame, 7))}..${String(field(frame, 16))} received`)
        const begin = Number(field(frame, 7))
        const saved = this.nextOut
        this.nextOut = begin
        this.send('4', `123=Y${SOH}36=${saved}${SOH}`)
        this.nextOut = Math.max(saved, begin + 1)
        return
      }
      case '3':
        this.ev.onProblem(`session Reject of our message ${String(field(frame, 45))}: reason ${String(field(frame, 373))}, tag ${String(field(frame, 371))}: ${field(frame, 58) ?? ''}`)
        return
      case '4': {
        const next = Number(field(frame, 36))
        if (next > this.expected) this.expected = next
        return
      }
      case '5':
        if (this.state !== 'logout-sent') {
          // the initiator ends the session; an acceptor hearing a Logout is normal
          if (this.o.role === 'initiator') this.ev.onProblem(`Logout from the peer: ${field(frame, 58) ?? ''}`)
          this.state = 'logout-sent'
          this.send('5', '')
          setTimeout(() => this.socket.destroy(), 100).unref()
        } else {
          this.socket.destroy()
        }
        return
      default:
        if (this.state !== 'ready') { this.ev.onProblem(`MsgType ${msgType} before the Logon`); return }
        this.ev.onApp(msgType, frame)
    }
  }
}

/** Initiator side: connect, log on, reconnect while `keepTrying`. */
export function connectLean (host: string, port: number, o: Omit<LeanSessionOptions, 'role'>, ev: LeanSessionEvents): { session: () => LeanFixSession | null, stop: () => Promise<void> } {
  let current: LeanFixSession | null = null
  let stopped = false
  let timer: NodeJS.Timeout | null = null
  const attempt = (): void => {
    if (stopped) return
    const socket = net.connect({ host, port })
    let connected = false
    socket.once('connect', () => {
      connected = true
      current = new LeanFixSession(socket, { ...o, role: 'initiator' }, {
        ...ev,
        onClose: (reason) => {
          current = null
          ev.onClose(reason)
          if (!stopped) timer = setTimeout(attempt, 100)
        }
      })
    })
    socket.once('error', () => {
      if (connected) return
      socket.destroy()
      if (!stopped) timer = setTimeout(attempt, 20) // the gateway is starting: try again soon
    })
  }
  attempt()
  return {
    session: () => current,
    stop: async () => {
      stopped = true
      if (timer != null) clearTimeout(timer)
      await current?.logout()
    }
  }
}
