/**
 * The broker of the fault tests: an acceptor Endpoint in the test process, outliving
 * the gateway, with one in-memory store per FIX session kept across restarts of the
 * endpoint (like a real broker's engine it resumes its sequence numbers, never resets).
 *
 * Its application acknowledges every new order after `ackDelayMs` and fills it whole
 * after `fillDelayMs`, answers OrderStatusRequests from what it knows, and records
 * every NewOrderSingle it is handed with PossDupFlag(43) and PossResend(97), so a test
 * can tell a legitimate resend from a duplicate order.
 *
 * An ExecutionReport due while the gateway is not logged on is either kept and sent
 * once it is back (`whileAway: 'queue'`, what a real engine's store gives) or lost
 * (`'drop'`, a broker that forgets: the gateway must then reconcile with status
 * requests).
 */
import type { Logger } from 'pino'
import type { IFixSessionStore } from '../../../src/fix/jspurefix'
import type { MessageView } from '../../../src/fix/session/message-view'
import { Endpoint, type EndpointSpec } from '../../../src/fix/transport/endpoint'
import { keptMemoryStores } from '../../../src/fix/client/fix-peer'
import type { FixApp, FixgwSession } from '../../../src/fix/session/fixgw-session'

export interface FaultBrokerBehaviour {
  readonly ackDelayMs: number
  readonly fillDelayMs: number
  readonly whileAway: 'queue' | 'drop'
}

/** One NewOrderSingle as the broker's application received it. */
export interface BrokerOrderSeen {
  readonly clOrdId: string
  /** Account(1): the fault tests put the client's ClOrdID there, to link both sides */
  readonly account: string
  readonly possDup: boolean
  readonly possResend: boolean
  readonly seq: number
  readonly at: number
}

interface BrokerOrder {
  readonly clOrdId: string
  readonly orderId: string
  readonly symbol: string
  readonly side: string
  readonly qty: string
  readonly px: string
  filled: boolean
}

type Outgoing = Record<string, unknown>

export class FaultBrokerApp implements FixApp {
  readonly seen: BrokerOrderSeen[] = []
  readonly statusRequests: string[] = []
  /** ExecutionReports lost while away ('drop') */
  dropped = 0
  /** ExecutionReports kept while away and sent later ('queue') */
  queuedLater = 0
  private readonly orders = new Map<string, BrokerOrder>()
  private readonly outbox: Array<[string, Outgoing]> = []
  private session: FixgwSession | null = null
  private nextId = 1
  private readonly idPrefix = `FB${Date.now().toString(36).toUpperCase()}`
  private readonly timers = new Set<NodeJS.Timeout>()
  private closed = false

  constructor (readonly behaviour: FaultBrokerBehaviour) {}

  onReady (s: FixgwSession): void {
    this.session = s
    const queued = this.outbox.splice(0)
    for (const [msgType, body] of queued) this.send(msgType, body)
  }

  onStopped (s: FixgwSession): void { if (this.session === s) this.session = null }

  onMessage (s: FixgwSession, msgType: string, view: MessageView): void {
    this.session = s
    switch (msgType) {
      case 'D': this.newOrder(view); return
      case 'H': this.status(view); return
      default:
        this.send('j', { RefSeqNum: view.getInt(34) ?? undefined, RefMsgType: msgType, BusinessRejectReason: 3, Text: `fault broker does not support ${msgType}` })
    }
  }

  /** Stop timers (test teardown). */
  close (): void {
    this.closed = true
    for (const t of this.timers) clearTimeout(t)
    this.timers.clear()
  }

  /** Orders accepted and filled so far (by our ClOrdID). */
  get filledCount (): number { return [...this.orders.values()].filter((o) => o.filled).length }

  private newOrder (view: MessageView): void {
    const clOrdId = view.getString(11) ?? ''
    this.seen.push({
      clOrdId,
      account: view.getString(1) ?? '',
      possDup: view.getString(43) === 'Y',
      possResend: view.getString(97) === 'Y',
      seq: Number(view.getString(34)),
      at: Date.now()
    })
    const known = this.orders.get(clOrdId)
    if (known != null) { this.report(known, 'I'); return } // a resend of an order we have: its status, no new order
    const o: BrokerOrder = {
      clOrdId,
      orderId: `${this.idPrefix}-${this.nextId++}`,
      symbol: view.getString(55) ?? '',
      side: view.getString(54) ?? '1',
      qty: view.getString(38) ?? '0',
      px: view.getString(44) ?? '1',
      filled: false
    }
    this.orders.set(clOrdId, o)
    this.later(this.behaviour.ackDelayMs, () => {
      this.report(o, '0')
      this.later(this.behaviour.fillDelayMs, () => {
        o.filled = true
        this.report(o, 'F')
      })
    })
  }

  private status (view: MessageView): void {
    const clOrdId = view.getString(11) ?? ''
    this.statusRequests.push(clOrdId)
    const o = this.orders.get(clOrdId)
    if (o == null) {
      this.send('8', {
        OrderID: 'NONE', ClOrdID: clOrdId, ExecID: `${this.idPrefix}-S${this.nextId++}`, ExecType: 'I', OrdStatus: '8',
        Instrument: { Symbol: view.getString(55) ?? '' }, Side: view.getString(54) ?? '1', LeavesQty: '0', CumQty: '0', AvgPx: '0', Text: 'unknown order'
      })
      return
    }
    this.report(o, 'I')
  }

  private report (o: BrokerOrder, execType: '0' | 'F' | 'I'): void {
    const filled = o.filled
    this.send('8', {
      OrderID: o.orderId,
      ClOrdID: o.clOrdId,
      ExecID: `${o.orderId}-${this.nextId++}`,
      ExecType: execType,
      OrdStatus: filled ? '2' : '0',
      Instrument: { Symbol: o.symbol },
      Side: o.side,
      OrderQtyData: { OrderQty: o.qty },
      LeavesQty: filled ? '0' : o.qty,
      CumQty: filled ? o.qty : '0',
      AvgPx: filled ? o.px : '0',
      TransactTime: new Date(),
      ...(execType === 'F' ? { LastQty: o.qty, LastPx: o.px } : {})
    })
  }

  private send (msgType: string, body: Outgoing): void {
    const s = this.session
    if (s != null && s.isReady && s.sendMessage(msgType, body)) return
    if (msgType === '8' && (body.ExecType === 'I')) return // a status answer is only worth something now
    if (this.behaviour.whileAway === 'queue') { this.outbox.push([msgType, body]); this.queuedLater++ } else this.dropped++
  }

  private later (ms: number, fn: () => void): void {
    if (this.closed) return
    const t = setTimeout(() => { this.timers.delete(t); if (!this.closed) fn() }, ms)
    this.timers.add(t)
  }
}

/** The broker endpoint: stop() / start() again keeps its sequence numbers (same stores). */
export class BrokerPeer {
  private endpoint: Endpoint | null = null
  private readonly stores = new Map<string, IFixSessionStore>()

  constructor (readonly spec: EndpointSpec, readonly app: FaultBrokerApp, private readonly logger: Logger) {}

  async start (): Promise<void> {
    if (this.endpoint != null) return
    const ep = new Endpoint(this.spec, {
      logger: this.logger,
      app: this.app,
      storeFactory: keptMemoryStores(this.stores)
    })
    await ep.start()
    this.endpoint = ep
  }

  get isLoggedOn (): boolean { return (this.endpoint?.sessions().length ?? 0) > 0 }

  /** The broker's session: next numbers it will send / expects. */
  get session (): FixgwSession | null { return this.endpoint?.fixSession ?? null }

  /** A broker going away politely: Logout, then stop listening. */
  async stop (): Promise<void> {
    const ep = this.endpoint
    this.endpoint = null
    await ep?.stop(1000)
  }
}
