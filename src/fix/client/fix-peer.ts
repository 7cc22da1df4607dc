/**
 * A scriptable FIX peer: an initiator (a client's engine) or an acceptor (a broker's
 * engine) whose received application messages land in an inbox you can await.
 * Used by `fixgw send-order`, the integration tests and the scenario runner.
 */
import type { Logger } from 'pino'
import { MemorySessionStore } from '../jspurefix'
import type { IFixSessionStore, JsFixLoggerFactory, SessionId } from '../jspurefix'
import type { ILooseObject } from '../jspurefix'
import { Endpoint, type EndpointSpec } from '../transport/endpoint'
import type { FixgwSession } from '../session/fixgw-session'

/**
 * In-memory session stores kept in `stores` by session id: an endpoint stopped and
 * started again (or a reconnect) carries on with the same sequence numbers.
 */
export function keptMemoryStores (stores: Map<string, IFixSessionStore>): { create: (id: SessionId) => IFixSessionStore } {
  return {
    create: (id: SessionId): IFixSessionStore => {
      const key = id.toString()
      let store = stores.get(key)
      if (store == null) { store = new MemorySessionStore(id); stores.set(key, store) }
      return store
    }
  }
}

export interface ReceivedMessage {
  readonly msgType: string
  /** Every field in wire order, as [tag, value] strings. */
  readonly fields: ReadonlyArray<readonly [number, string]>
  /** First value of a tag, or null. */
  get: (tag: number) => string | null
  readonly text: string
}

export function parseFixText (text: string, delimiter = '|'): Array<[number, string]> {
  const out: Array<[number, string]> = []
  for (const part of text.split(delimiter)) {
    if (part === '') continue
    const eq = part.indexOf('=')
    if (eq <= 0) continue
    out.push([Number(part.slice(0, eq)), part.slice(eq + 1)])
  }
  return out
}

function received (msgType: string, text: string): ReceivedMessage {
  const fields = parseFixText(text)
  return { msgType, fields, text, get: (tag) => fields.find(([t]) => t === tag)?.[1] ?? null }
}

interface Waiter {
  readonly match: (m: ReceivedMessage) => boolean
  readonly resolve: (m: ReceivedMessage) => void
  readonly reject: (e: Error) => void
  readonly timer: NodeJS.Timeout
}

export class FixPeer {
  private endpoint: Endpoint
  // One in-memory store per FIX session id, kept across reconnect(): like a real
  // counterparty's engine, the peer resumes its sequence numbers instead of resetting.
  private readonly stores = new Map<string, IFixSessionStore>()
  private readonly inbox: ReceivedMessage[] = []
  private readonly waiters: Waiter[] = []
  private session: FixgwSession | null = null
  private readyWaiters: Array<() => void> = []

  constructor (private readonly spec: EndpointSpec, private readonly logger: Logger, private readonly jsfixLogFactory: JsFixLoggerFactory) {
    this.endpoint = this.makeEndpoint()
  }

  private makeEndpoint (): Endpoint {
    return new Endpoint(this.spec, {
      logger: this.logger,
      jsfixLogFactory: this.jsfixLogFactory,
      storeFactory: keptMemoryStores(this.stores),
      app: {
        onReady: (s) => {
          this.session = s
          for (const w of this.readyWaiters.splice(0)) w()
        },
        onMessage: (s, msgType, _view) => { this.deliver(received(msgType, s.currentMessageText)) },
        // session-level Rejects too: tests and scenarios expect them like application messages
        onReject: (s) => { this.deliver(received('3', s.currentMessageText)) },
        onStopped: (s) => { if (this.session === s) this.session = null }
      }
    })
  }

  /** Drop the connection (if any) and connect (or listen) again after `awayMs`, keeping sequence numbers. */
  async reconnect (timeoutMs = 10000, awayMs = 0): Promise<void> {
    await this.endpoint.stop(500)
    this.session = null
    if (awayMs > 0) await new Promise((resolve) => setTimeout(resolve, awayMs))
    this.endpoint = this.makeEndpoint()
    await this.start(timeoutMs)
  }

  get isLoggedOn (): boolean { return this.session?.isReady ?? false }

  /** Start (connect / listen) and wait for the Logon exchange. */
  async start (timeoutMs = 10000): Promise<void> {
    await this.endpoint.start()
    if (this.endpoint.spec.role === 'initiator') await this.waitLoggedOn(timeoutMs)
  }

  async waitLoggedOn (timeoutMs = 10000): Promise<void> {
    if (this.isLoggedOn) return
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.endpoint.spec.name}: no logon within ${timeoutMs} ms`)), timeoutMs)
      this.readyWaiters.push(() => { clearTimeout(timer); resolve() })
    })
  }

  send (msgType: string, body: ILooseObject): void {
    if (this.session == null || !this.session.sendMessage(msgType, body)) {
      throw new Error(`${this.endpoint.spec.name}: not logged on, cannot send ${msgType}`)
    }
  }

  /** Send a message written as [tag, value] pairs. */
  sendTags (msgType: string, fields: ReadonlyArray<readonly [number, string]>): void {
    if (this.session == null || !this.session.sendTags(msgType, fields)) {
      throw new Error(`${this.endpoint.spec.name}: not logged on, cannot send ${msgType}`)
    }
  }

  /** The next received message matching `match` (consumed), waiting up to timeoutMs. */
  async next (match: (m: ReceivedMessage) => boolean = () => true, timeoutMs = 5000): Promise<ReceivedMessage> {
    const i = this.inbox.findIndex(match)
    if (i >= 0) return this.inbox.splice(i, 1)[0]
    return await new Promise<ReceivedMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        const k = this.waiters.findIndex((w) => w.timer === timer)
        if (k >= 0) this.waiters.splice(k, 1)
        reject(new Error(`${this.endpoint.spec.name}: no matching message within ${timeoutMs} ms; inbox: ${this.inbox.map((m) => m.text).join(' / ') || 'empty'}`))
      }, timeoutMs)
      this.waiters.push({ match, resolve, reject, timer })
    })
  }

  /** Messages received and not consumed yet. */
  pending (): readonly ReceivedMessage[] { return this.inbox }

  async stop (): Promise<void> {
    for (const w of this.waiters.splice(0)) { clearTimeout(w.timer); w.reject(new Error('peer stopped')) }
    await this.endpoint.stop()
  }

  private deliver (m: ReceivedMessage): void {
    const k = this.waiters.findIndex((w) => w.match(m))
    if (k >= 0) {
      const [w] = this.waiters.splice(k, 1)
      clearTimeout(w.timer)
      w.resolve(m)
      return
    }
    this.inbox.push(m)
  }
}
