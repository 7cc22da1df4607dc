/**
 * Our simulated broker: a FIX 4.4 acceptor that acknowledges every NewOrderSingle and
 * fills it, so the whole gateway runs offline (`npm start`, tests, demos).
 *
 * Behaviour per order: ack after `ackDelayMs`, then `fills` equal executions (the last
 * one takes the remainder) at the limit price, or `marketPrice` for market orders.
 * `fills: 0` leaves orders working; `rejectSymbols` rejects those symbols outright.
 */
import type { Logger } from 'pino'
import Decimal from 'decimal.js'
import type { MsgView } from '../jspurefix'
import type { FixApp, FixgwSession } from '../session/fixgw-session'

export interface SimBrokerBehaviour {
  readonly ackDelayMs: number
  readonly fills: number
  readonly fillDelayMs: number
  readonly marketPrice: string
  readonly rejectSymbols: readonly string[]
}

export const DEFAULT_SIM_BEHAVIOUR: SimBrokerBehaviour = {
  ackDelayMs: 0,
  fills: 1,
  fillDelayMs: 0,
  marketPrice: '100',
  rejectSymbols: []
}

interface SimOrder {
  clOrdId: string
  readonly orderId: string
  readonly symbol: string
  readonly side: string
  qty: Decimal
  px: Decimal
  cum: Decimal
  open: boolean
}

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }

export class SimBroker implements FixApp {
  private nextId = 1
  // Real brokers never reuse an ExecID or OrderID; a restarted simulator must not either
  // (the gateway drops a repeated ExecID as a duplicate), so ids carry the start time.
  private readonly idPrefix = `SIM${Date.now().toString(36).toUpperCase()}`
  private readonly behaviour: SimBrokerBehaviour

  constructor (private readonly logger: Logger, behaviour: Partial<SimBrokerBehaviour> = {}) {
    this.behaviour = { ...DEFAULT_SIM_BEHAVIOUR, ...behaviour }
  }

  onReady (s: FixgwSession): void {
    this.logger.info({ session: s.name }, 'simulated broker: client logged on')
  }

  onStopped (): void {}

  onMessage (s: FixgwSession, msgType: string, view: MsgView): void {
    if (msgType === 'F' || msgType === 'G') {
      this.amend(s, msgType, view)
      return
    }
    if (msgType !== 'D') {
      s.sendMessage('j', { RefSeqNum: view.getTyped(34) as number, RefMsgType: msgType, BusinessRejectReason: 3, Text: `simulated broker does not support ${msgType}` })
      return
    }
    const qty = new Decimal(view.getString(38) ?? '0')
    const limit = view.getString(44)
    const o: SimOrder = {
      clOrdId: view.getString(11) ?? '',
      orderId: `${this.idPrefix}-${this.nextId++}`,
      symbol: view.getString(55) ?? '',
      side: view.getString(54) ?? '1',
      qty,
      px: new Decimal(limit ?? this.behaviour.marketPrice),
      cum: new Decimal(0),
      open: true
    }
    this.orders.set(o.clOrdId, o)
    this.run(s, o).catch((e) => this.logger.error({ err: e }, 'simulated broker failed'))
  }

  private readonly orders = new Map<string, SimOrder>()

  /** Cancel (F) or replace (G): done at once while the order is open, else "too late". */
  private amend (s: FixgwSession, msgType: 'F' | 'G', view: MsgView): void {
    const clOrdId = view.getString(11) ?? ''
    const orig = view.getString(41) ?? ''
    const o = this.orders.get(orig)
    if (o == null || !o.open) {
      s.sendMessage('9', {
        OrderID: o?.orderId ?? 'NONE', ClOrdID: clOrdId, OrigClOrdID: orig, OrdStatus: o == null ? '8' : o.cum.gte(o.qty) ? '2' : '4',
        CxlRejResponseTo: msgType === 'F' ? '1' : '2', CxlRejReason: o == null ? 1 : 0, Text: o == null ? 'unknown order' : 'too late: order is done'
      })
      return
    }
    o.clOrdId = clOrdId
    this.orders.set(clOrdId, o)
    if (msgType === 'F') {
      o.open = false
      this.report(s, o, '4', '4', { OrigClOrdID: orig })
      return
    }
    o.qty = new Decimal(view.getString(38) ?? o.qty.toFixed())
    o.px = new Decimal(view.getString(44) ?? o.px.toFixed())
    const done = o.cum.gte(o.qty)
    if (done) o.open = false
    this.report(s, o, '5', done ? '2' : o.cum.gt(0) ? '1' : '0', { OrigClOrdID: orig })
  }

  private async run (s: FixgwSession, o: SimOrder): Promise<void> {
    const b = this.behaviour
    await sleep(b.ackDelayMs)
    if (b.rejectSymbols.includes(o.symbol)) {
      o.open = false
      this.report(s, o, '8', '8', { Text: `symbol ${o.symbol} not tradable here` })
      return
    }
    this.report(s, o, '0', '0')
    for (let i = 1; i <= b.fills; i++) {
      await sleep(b.fillDelayMs)
      if (!o.open) return
      const last = i === b.fills ? o.qty.minus(o.cum) : o.qty.div(b.fills).toDecimalPlaces(0, Decimal.ROUND_DOWN)
      if (last.lte(0)) continue
      o.cum = o.cum.plus(last)
      if (o.cum.gte(o.qty)) o.open = false
      this.report(s, o, 'F', o.cum.gte(o.qty) ? '2' : '1', { LastQty: last.toFixed(), LastPx: o.px.toFixed() })
    }
  }

  private report (s: FixgwSession, o: SimOrder, execType: string, ordStatus: string, extra: Record<string, string> = {}): void {
    const terminal = ordStatus === '2' || ordStatus === '8' || ordStatus === '4'
    s.sendMessage('8', {
      OrderID: o.orderId,
      ClOrdID: o.clOrdId,
      ExecID: `${o.orderId}-${this.nextId++}`,
      ExecType: execType,
      OrdStatus: ordStatus,
      Instrument: { Symbol: o.symbol },
      Side: o.side,
      OrderQtyData: { OrderQty: o.qty.toFixed() },
      LeavesQty: terminal ? '0' : o.qty.minus(o.cum).toFixed(),
      CumQty: o.cum.toFixed(),
      AvgPx: o.cum.isZero() ? '0' : o.px.toFixed(),
      TransactTime: new Date(),
      ...extra
    })
  }
}
