/**
 * One of our FixgwSessions (in-memory store, recording application) facing a RawFixPeer
 * over loopback, logged on, in either role: 'acceptor' (the peer connects to our
 * Listener) or 'initiator' (our Initiator connects to the peer).
 */
import { createLogger } from '../../src/log/logger'
import { FixCodec } from '../../src/fix/session/codec'
import { FixgwSession, type FixApp } from '../../src/fix/session/fixgw-session'
import { sessionSettings, type SessionSettings } from '../../src/fix/session/session-settings'
import { Listener } from '../../src/fix/transport/acceptor'
import { Initiator } from '../../src/fix/transport/initiator'
import { MemorySessionStore } from '../../src/fix/store/memory-session-store'
import type { SessionStore } from '../../src/fix/store/session-store'
import type { MessageView } from '../../src/fix/session/message-view'
import { findFreePort } from '../../src/db/embedded-postgres'
import { RawFixPeer } from './raw-fix-peer'

export const US = 'ISLD'
export const THEM = 'TW'

export class RecordingApp implements FixApp {
  readonly messages: Array<{ msgType: string, seq: number, text: string, possDup: boolean }> = []
  readyCount = 0
  stoppedCount = 0
  supported: ((t: string) => boolean) | undefined
  onLogonVerdict: boolean = true
  get supportsMsgType (): ((t: string) => boolean) | undefined { return this.supported }
  onLogon (): boolean { return this.onLogonVerdict }
  onReady (): void { this.readyCount++ }
  onStopped (): void { this.stoppedCount++ }
  onMessage (s: FixgwSession, msgType: string, view: MessageView): void {
    this.messages.push({ msgType, seq: view.getInt(34) ?? 0, text: s.currentMessageText, possDup: view.getString(43) === 'Y' })
  }
}

export type Role = 'acceptor' | 'initiator'

export interface Harness {
  readonly role: Role
  readonly session: FixgwSession
  readonly store: SessionStore
  readonly app: RecordingApp
  /** the counterparty's current connection */
  peer: RawFixPeer
  /** a message from the peer: 'tag=value|...' body after the standard header */
  send: (msgType: string, seq: number, body?: string, header?: string) => void
  /** connect the peer again (acceptor) / let our initiator reconnect (initiator), without logging on */
  reconnect: () => Promise<RawFixPeer>
  stop: () => Promise<void>
}

export interface HarnessOptions {
  readonly settings?: Partial<SessionSettings>
  readonly store?: SessionStore
  /** log on with this Logon body after the standard header (acceptor: the peer's; initiator: the peer's reply) */
  readonly logon?: string
  /** false: leave the logon to the test */
  readonly logOn?: boolean
}

const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false })

export function header (msgType: string, seq: number, extra = ''): string {
  return `8=FIX.4.4|35=${msgType}|34=${seq}|49=${THEM}|52=<NOW>|56=${US}|${extra}`
}

export async function startHarness (role: Role, o: HarnessOptions = {}): Promise<Harness> {
  const codec = await FixCodec.load()
  const id = { beginString: 'FIX.4.4', senderCompId: US, targetCompId: THEM, name: `test-${role}` }
  const store = o.store ?? new MemorySessionStore(id)
  await store.initialize()
  const settings = sessionSettings({ senderCompId: US, targetCompId: THEM, heartBtInt: 30, ...o.settings })
  const app = new RecordingApp()
  const session = new FixgwSession({ name: id.name, role, settings, store, codec, app, logger })
  const send = (h: Harness) => (msgType: string, seq: number, body = '', hdr = ''): void => h.peer.send(header(msgType, seq, hdr) + body)
  if (role === 'acceptor') {
    const port = await findFreePort()
    const listener = new Listener({ name: id.name, host: '127.0.0.1', port, logger }, [{ session, allowList: null }])
    await listener.start()
    const h: Harness = {
      role, session, store, app,
      peer: null as unknown as RawFixPeer,
      send: (...a) => send(h)(...a),
      reconnect: async () => { h.peer = await RawFixPeer.connect(port); return h.peer },
      stop: async () => { h.peer?.close(); await listener.stop(); await session.stop(200) }
    }
    await h.reconnect()
    if (o.logOn !== false) {
      h.send('A', 1, o.logon ?? '98=0|108=30|')
      const reply = await h.peer.next()
      if (reply.msgType !== 'A') throw new Error(`no Logon reply: ${reply.text}`)
    }
    return h
  }
  const server = await RawFixPeer.listen()
  const initiator = new Initiator({ host: '127.0.0.1', port: server.port, reconnect: { initialDelayMs: 100, maxDelayMs: 200 }, connectTimeoutMs: 2000, logger }, session)
  const h: Harness = {
    role, session, store, app,
    peer: null as unknown as RawFixPeer,
    send: (...a) => send(h)(...a),
    reconnect: async () => { h.peer = await server.accepted(); return h.peer },
    stop: async () => { h.peer?.close(); await initiator.stop(); await session.stop(200); await server.close() }
  }
  initiator.start()
  await h.reconnect()
  if (o.logOn !== false) {
    const logon = await h.peer.next()
    if (logon.msgType !== 'A') throw new Error(`no Logon: ${logon.text}`)
    h.send('A', 1, o.logon ?? '98=0|108=30|')
    await waitUntil(() => session.isReady, 2000, 'logged on')
  }
  return h
}

export async function waitUntil (cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
}
