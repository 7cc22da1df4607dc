/**
 * The client of the fault tests: a FixPeer initiator (its per-session store, and so its
 * sequence numbers, survive every reconnect) and an order sender that keeps a steady
 * rate with unique ClOrdIDs. While the client is not logged on it waits: an order is
 * counted as sent only once the session has taken it (stored, numbered); the session
 * layer resends whatever the gateway asks for after a reconnect.
 *
 * Every order carries Account(1) = its ClOrdID, so the broker side can tell which client
 * order a NewOrderSingle it receives belongs to.
 */
import type { Logger } from 'pino'
import { FixPeer, type ReceivedMessage } from '../../../src/fix/client/fix-peer'
import { sleep } from './wait'

export interface SentOrder {
  readonly clOrdId: string
  /** Date.now() when the session took it */
  readonly at: number
}

/** An application message the client's application received, with the fields the checks use. */
export interface ClientMessage {
  readonly msgType: string
  readonly seq: number
  readonly possDup: boolean
  readonly clOrdId: string | null
  readonly execId: string | null
  readonly execType: string | null
  readonly ordStatus: string | null
  /** BusinessRejectReason(380) of a 35=j */
  readonly businessRejectReason: string | null
  readonly refId: string | null
  readonly text: string
  /** index in delivery order */
  readonly index: number
}

const TERMINAL_STATUS = new Set(['2', '4', '8', 'C'])

export function toClientMessage (m: ReceivedMessage, index: number): ClientMessage {
  return {
    msgType: m.msgType,
    seq: Number(m.get(34)),
    possDup: m.get(43) === 'Y',
    clOrdId: m.get(11),
    execId: m.get(17),
    execType: m.get(150),
    ordStatus: m.get(39),
    businessRejectReason: m.get(380),
    refId: m.get(379),
    text: m.text,
    index
  }
}

/** An ExecutionReport that ends its order (not a status answer, 150=I). */
export function isTerminalEr (m: ClientMessage): boolean {
  return m.msgType === '8' && m.execType !== 'I' && TERMINAL_STATUS.has(m.ordStatus ?? '')
}

/** An ExecutionReport that says the gateway has the order: any but a rejection or an unknown-order status. */
export function isAck (m: ClientMessage): boolean {
  return m.msgType === '8' && m.execType !== '8' && !(m.execType === 'I' && m.ordStatus === '8')
}

export class FaultClient {
  readonly peer: FixPeer
  readonly sent: SentOrder[] = []
  private sending: Promise<void> | null = null
  private stopRequested = false
  private n = 0
  /** ms spent waiting for a logon with an order to send */
  waitedMs = 0

  constructor (readonly name: string, port: number, logger: Logger, readonly prefix: string) {
    this.peer = new FixPeer({
      name, role: 'initiator', senderCompId: 'CLIENT1', targetCompId: 'FIXGW', host: '127.0.0.1', port,
      heartBtInt: 30, resetSeqNumOnLogon: false, reconnect: { initialDelayMs: 100, maxDelayMs: 500 }
    }, logger, {} as never)
  }

  async start (timeoutMs: number): Promise<void> { await this.peer.start(timeoutMs) }

  get isLoggedOn (): boolean { return this.peer.isLoggedOn }

  /** Every application message received so far, in delivery order. */
  received (): ClientMessage[] { return this.peer.pending().map(toClientMessage) }

  /** Send one order now; false (nothing sent) when not logged on. */
  sendOrder (): SentOrder | null {
    if (!this.peer.isLoggedOn) return null
    const clOrdId = `${this.prefix}-${this.n}`
    try {
      this.peer.send('D', {
        ClOrdID: clOrdId, Account: clOrdId, HandlInst: '1', Instrument: { Symbol: 'FLT' }, Side: '1',
        TransactTime: new Date(), OrderQtyData: { OrderQty: '10' }, OrdType: '2', Price: '5'
      })
    } catch {
      return null // the session went down just now: the same ClOrdID goes next time
    }
    this.n++
    const o = { clOrdId, at: Date.now() }
    this.sent.push(o)
    return o
  }

  /** Send `perSecond` orders a second until stopSending() (or `max` orders). */
  startSending (perSecond: number, max = Infinity): void {
    if (this.sending != null) throw new Error('already sending')
    this.stopRequested = false
    const interval = 1000 / perSecond
    this.sending = (async () => {
      let count = 0
      while (!this.stopRequested && count < max) {
        const o = this.sendOrder()
        if (o == null) {
          const t0 = Date.now()
          await sleep(20)
          this.waitedMs += Date.now() - t0
          continue
        }
        count++
        await sleep(interval)
      }
    })()
  }

  async stopSending (): Promise<void> {
    this.stopRequested = true
    await this.sending
    this.sending = null
  }

  /** Wait until `count` more orders have been sent (bounded by the caller's until()). */
  get sentCount (): number { return this.sent.length }

  async stop (): Promise<void> {
    this.stopRequested = true
    await this.sending?.catch(() => {})
    await this.peer.stop()
  }
}

export { TERMINAL_STATUS }
