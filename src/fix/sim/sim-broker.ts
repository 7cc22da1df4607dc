/**
 * Our simulated broker: a FIX 4.4 acceptor that plays a broker for `npm start`, demos
 * and tests, so the whole gateway runs offline.
 *
 * Per NewOrderSingle: ack after `ackDelayMs` (or reject when the symbol is in
 * `rejectSymbols`), then `fills` executions `fillDelayMs` apart (the last takes the
 * remainder) at the limit price, or `marketPrice` for market orders. `fills: 0` leaves
 * orders working. Scripted misbehaviour, each off by default:
 *   unsolicitedCancelAfterMs  cancel what is left of an open order after that long
 *   doneForDayAfterMs         send DoneForDay for an open order after that long
 *   bustLastFill              send a TradeCancel (H) for the last fill right after it
 *   correctLastFill           send a TradeCorrect (G) for the last fill at a price 1% better
 *   duplicateReports          send every ExecutionReport twice (same ExecID)
 *   refuseCancels             answer cancels and replaces with OrderCancelReject (broker option)
 * Cancels, replaces and status requests (H) are answered at once.
 */
import type { Logger } from 'pino'
import { Decimal } from '../../domain/money'
import type { MessageView } from '../session/message-view'
import type { FixApp, FixgwSession } from '../session/fixgw-session'

export interface SimBrokerBehaviour {
  readonly ackDelayMs: number
  readonly fills: number
  readonly fillDelayMs: number
  readonly marketPrice: string
  readonly rejectSymbols: readonly string[]
  readonly unsolicitedCancelAfterMs: number | null
  readonly doneForDayAfterMs: number | null
  readonly bustLastFill: boolean
  readonly correctLastFill: boolean
  readonly duplicateReports: boolean
  readonly refuseCancels: boolean
}

export const DEFAULT_SIM_BEHAVIOUR: SimBrokerBehaviour = {
  ackDelayMs: 0,
  fills: 1,
  fillDelayMs: 0,
  marketPrice: '100',
  rejectSymbols: [],
  unsolicitedCancelAfterMs: null,
  doneForDayAfterMs: null,
  bustLastFill: false,
  correctLastFill: false,
  duplicateReports: false,
  refuseCancels: false
}

interface SimOrder {
  clOrdId: string
  readonly orderId: string
  readonly symbol: string
  readonly side: string
  qty: Decimal
  px: Decimal
  cum: Decimal
  notional: Decimal
  open: boolean
}

const sleep = async (ms: number): Promise<void> => { if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms)) }

export class SimBroker implements FixApp {
  private nextId = 1
  // Real brokers never reuse an ExecID or OrderID; a restarted simulator must not either
  // (the gateway drops a repeated ExecID as a duplicate), so ids carry the start time.
  private readonly idPrefix = `SIM${Date.now().toString(36).toUpperCase()}`
  private readonly behaviour: SimBrokerBehaviour
  private readonly orders = new Map<string, SimOrder>()

  constructor (private readonly logger: Logger, behaviour: Partial<SimBrokerBehaviour> = {}) {
    this.behaviour = { ...DEFAULT_SIM_BEHAVIOUR, ...behaviour }
  }

  onReady (s: FixgwSession): void {
    this.logger.info({ session: s.name }, 'simulated broker: client logged on')
  }

  onStopped (): void {}

  onMessage (s: FixgwSession, msgType: string, view: MessageView): void {
    switch (msgType) {
      case 'D': this.newOrder(s, view); return
      case 'F':
      case 'G': this.amend(s, msgType, view); return
      case 'H': this.status(s, view); return
      default:
        s.sendMessage('j', { RefSeqNum: view.getInt(34) ?? undefined, RefMsgType: msgType, BusinessRejectReason: 3, Text: `simulated broker does not support ${msgType}` })
    }
  }

  private newOrder (s: FixgwSession, view: MessageView): void {
    const limit = view.getString(44)
    const o: SimOrder = {
      clOrdId: view.getString(11) ?? '',
      orderId: `${this.idPrefix}-${this.nextId++}`,
      symbol: view.getString(55) ?? '',
      side: view.getString(54) ?? '1',
      qty: new Decimal(view.getString(38) ?? '0'),
      px: new Decimal(limit ?? this.behaviour.marketPrice),
      cum: new Decimal(0),
      notional: new Decimal(0),
      open: true
    }
    this.orders.set(o.clOrdId, o)
    this.run(s, o).catch((e) => this.logger.error({ err: e }, 'simulated broker failed'))
  }

  /** Cancel (F) or replace (G): done at once while the order is open, else "too late". */
  private amend (s: FixgwSession, msgType: 'F' | 'G', view: MessageView): void {
    const clOrdId = view.getString(11) ?? ''
    const orig = view.getString(41) ?? ''
    const o = this.orders.get(orig)
    const refuse = (reason: number, text: string): void => {
      s.sendMessage('9', {
        OrderID: o?.orderId ?? 'NONE', ClOrdID: clOrdId, OrigClOrdID: orig, OrdStatus: o == null ? '8' : this.ordStatus(o),
        CxlRejResponseTo: msgType === 'F' ? '1' : '2', CxlRejReason: reason, Text: text
      })
    }
    if (o == null) { refuse(1, 'unknown order'); return }
    if (!o.open) { refuse(0, 'too late: order is done'); return }
    if (this.behaviour.refuseCancels) { refuse(2, 'refused by the simulated broker'); return }
    o.clOrdId = clOrdId
    this.orders.set(clOrdId, o)
    if (msgType === 'F') {
      o.open = false
      this.report(s, o, '4', '4', { OrigClOrdID: orig })
      return
    }
    o.qty = new Decimal(view.getString(38) ?? o.qty.toFixed())
    o.px = new Decimal(view.getString(44) ?? o.px.toFixed())
    if (o.cum.gte(o.qty)) o.open = false
    this.report(s, o, '5', this.ordStatus(o), { OrigClOrdID: orig })
  }

  private status (s: FixgwSession, view: MessageView): void {
    const o = this.orders.get(view.getString(11) ?? '')
    if (o == null) {
      s.sendMessage('8', { OrderID: 'NONE', ClOrdID: view.getString(11) ?? '', ExecID: `${this.idPrefix}-S${this.nextId++}`, ExecType: 'I', OrdStatus: '8',
        Instrument: { Symbol: view.getString(55) ?? '' }, Side: view.getString(54) ?? '1', LeavesQty: '0', CumQty: '0', AvgPx: '0', Text: 'unknown order' })
      return
    }
    this.report(s, o, 'I', this.ordStatus(o))
  }

  private ordStatus (o: SimOrder): string {
    if (o.cum.gte(o.qty)) return '2'
    if (!o.open) return '4'
    return o.cum.gt(0) ? '1' : '0'
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
    if (b.unsolicitedCancelAfterMs != null) this.later(b.unsolicitedCancelAfterMs, () => { if (o.open) { o.open = false; this.report(s, o, '4', '4', { Text: 'canceled by the simulated venue' }) } })
    if (b.doneForDayAfterMs != null) this.later(b.doneForDayAfterMs, () => { if (o.open) { o.open = false; this.report(s, o, '3', '3') } })
    let lastExecId: string | null = null
    let last = new Decimal(0)
    for (let i = 1; i <= b.fills; i++) {
      await sleep(b.fillDelayMs)
      if (!o.open) break
      last = i === b.fills ? o.qty.minus(o.cum) : o.qty.div(b.fills).toDecimalPlaces(0, Decimal.ROUND_DOWN)
      if (last.lte(0)) continue
      o.cum = o.cum.plus(last)
      o.notional = o.notional.plus(last.times(o.px))
      if (o.cum.gte(o.qty)) o.open = false
      lastExecId = this.report(s, o, 'F', this.ordStatus(o), { LastQty: last.toFixed(), LastPx: o.px.toFixed() })
    }
    if (lastExecId == null) return
    if (b.bustLastFill) {
      o.cum = o.cum.minus(last)
      o.notional = o.notional.minus(last.times(o.px))
      o.open = true
      this.report(s, o, 'H', this.ordStatus(o), { ExecRefID: lastExecId, LastQty: last.toFixed(), LastPx: o.px.toFixed() })
    } else if (b.correctLastFill) {
      const better = o.side === '1' ? o.px.times('0.99') : o.px.times('1.01')
      o.notional = o.notional.minus(last.times(o.px)).plus(last.times(better))
      this.report(s, o, 'G', this.ordStatus(o), { ExecRefID: lastExecId, LastQty: last.toFixed(), LastPx: better.toFixed() })
    }
  }

  private later (ms: number, fn: () => void): void {
    setTimeout(fn, ms).unref()
  }

  /** Send an ExecutionReport (twice with duplicateReports); returns its ExecID. */
  private report (s: FixgwSession, o: SimOrder, execType: string, ordStatus: string, extra: Record<string, string> = {}): string {
    const terminal = ['2', '8', '4', '3', 'C'].includes(ordStatus)
    const execId = `${o.orderId}-${this.nextId++}`
    const body = {
      OrderID: o.orderId,
      ClOrdID: o.clOrdId,
      ExecID: execId,
      ExecType: execType,
      OrdStatus: ordStatus,
      Instrument: { Symbol: o.symbol },
      Side: o.side,
      OrderQtyData: { OrderQty: o.qty.toFixed() },
      LeavesQty: terminal ? '0' : o.qty.minus(o.cum).toFixed(),
      CumQty: o.cum.toFixed(),
      AvgPx: o.cum.isZero() ? '0' : o.notional.div(o.cum).toDecimalPlaces(10).toFixed(),
      TransactTime: new Date(),
      ...extra
    }
    s.sendMessage('8', body)
    if (this.behaviour.duplicateReports) s.sendMessage('8', body)
    return execId
  }
}
