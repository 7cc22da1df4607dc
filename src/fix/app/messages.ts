/**
 * FIX 4.4 message bodies we send, as jspurefix objects (field names from the
 * dictionary; jspurefix stamps the header). Decimals go out as strings, exactly.
 */
import type { ILooseObject } from '../jspurefix'
import type { MessageView } from '../session/message-view'
import type { Decimal } from '../../domain/money'
import type { Order } from '../../domain/order'
import type { ClientCancelReject, ClientExecReport, ClientMassCancelReport } from '../../oms/ports'
import type { BrokerCancelReject, BrokerExecReport } from '../../oms/execution-normalizer'
import type { NewOrderRequest } from '../../domain/new-order'
import type { CancelCommand, ReplaceCommand } from '../../oms/cancel-replace-command'
import type { MassCancelCommand, StatusCommand } from '../../oms/status-mass-cancel-command'

/** AvgPx on the wire: enough decimals for any price, no float noise. */
const px = (d: Decimal): string => d.toDecimalPlaces(10).toFixed()

export function clientExecutionReport (er: ClientExecReport): ILooseObject {
  const o = er.order
  const body: ILooseObject = {
    OrderID: o.orderId,
    ClOrdID: er.clOrdId ?? o.clOrdId,
    ExecID: er.execId,
    ExecType: er.execType,
    OrdStatus: er.ordStatus,
    Account: o.account ?? undefined,
    Instrument: { Symbol: o.symbol, SecurityType: o.securityType ?? undefined },
    Side: o.side,
    OrderQtyData: o.orderQty.isZero() ? undefined : { OrderQty: o.orderQty.toFixed() },
    OrdType: o.ordType,
    Price: o.price?.toFixed(),
    StopPx: o.stopPx?.toFixed(),
    TimeInForce: o.timeInForce,
    LastQty: er.lastQty?.toFixed(),
    LastPx: er.lastPx?.toFixed(),
    LeavesQty: o.leavesQty.toFixed(),
    CumQty: o.cumQty.toFixed(),
    AvgPx: px(o.avgPx),
    OrdRejReason: er.ordRejReason,
    Text: er.text,
    TransactTime: new Date()
  }
  const orig = er.origClOrdId ?? (er.clOrdId == null ? o.origClOrdId : null)
  if (orig != null) body.OrigClOrdID = orig
  if (er.ordStatusReqId != null) body.OrdStatusReqID = er.ordStatusReqId
  if (er.execRefId != null) body.ExecRefID = er.execRefId
  if (er.execRestatementReason != null) body.ExecRestatementReason = er.execRestatementReason
  return body
}

export function clientCancelReject (r: ClientCancelReject): ILooseObject {
  return {
    OrderID: r.orderId,
    ClOrdID: r.clOrdId,
    OrigClOrdID: r.origClOrdId,
    OrdStatus: r.ordStatus,
    CxlRejResponseTo: String(r.responseTo),
    CxlRejReason: r.cxlRejReason,
    Text: r.text
  }
}

export function clientMassCancelReport (r: ClientMassCancelReport): ILooseObject {
  return {
    ClOrdID: r.clOrdId,
    OrderID: r.orderId,
    MassCancelRequestType: r.requestType,
    MassCancelResponse: r.response,
    MassCancelRejectReason: r.rejectReason == null ? undefined : String(r.rejectReason), // a char field: the encoder writes only strings there
    TotalAffectedOrders: r.totalAffected,
    Instrument: r.symbol != null || r.securityType != null ? { Symbol: r.symbol, SecurityType: r.securityType } : undefined,
    Text: r.text
  }
}

/** Our OrderCancelRequest toward a broker. */
export function brokerCancelRequest (brokerClOrdId: string, orig: string, o: Order): ILooseObject {
  return {
    OrigClOrdID: orig,
    OrderID: o.brokerOrderId ?? undefined,
    ClOrdID: brokerClOrdId,
    Account: o.account ?? undefined,
    Instrument: { Symbol: o.symbol, SecurityType: o.securityType ?? undefined },
    Side: o.side,
    TransactTime: new Date(),
    OrderQtyData: { OrderQty: o.orderQty.toFixed() }
  }
}

/** Our OrderStatusRequest toward a broker (reconcile after a reconnect). */
export function brokerStatusRequest (brokerClOrdId: string, o: Order): ILooseObject {
  return {
    OrderID: o.brokerOrderId ?? undefined,
    ClOrdID: brokerClOrdId,
    Instrument: { Symbol: o.symbol, SecurityType: o.securityType ?? undefined },
    Side: o.side
  }
}

/**
 * Our OrderCancelReplaceRequest toward a broker: the order as a NewOrderSingle would
 * carry it, with the pending replace's terms, plus the broker's OrderID and our
 * OrigClOrdID.
 */
export function brokerReplaceRequest (brokerClOrdId: string, orig: string, o: Order): ILooseObject {
  const p = o.pending
  const replaced: Order = {
    ...o,
    orderQty: p?.orderQty ?? o.orderQty,
    price: p?.price ?? o.price,
    stopPx: p?.stopPx ?? o.stopPx,
    timeInForce: p?.timeInForce ?? o.timeInForce
  }
  return { OrderID: o.brokerOrderId ?? undefined, OrigClOrdID: orig, ...brokerNewOrderSingle(brokerClOrdId, replaced) }
}

/** Our NewOrderSingle toward a broker: our ClOrdID, the client's order otherwise. */
export function brokerNewOrderSingle (brokerClOrdId: string, o: Order): ILooseObject {
  return {
    ClOrdID: brokerClOrdId,
    Account: o.account ?? undefined,
    HandlInst: o.handlInst ?? undefined,
    ExDestination: o.exDestination ?? undefined,
    Instrument: { Symbol: o.symbol, SecurityType: o.securityType ?? undefined },
    Side: o.side,
    TransactTime: new Date(),
    OrderQtyData: { OrderQty: o.orderQty.toFixed() },
    OrdType: o.ordType,
    Price: o.price?.toFixed(),
    StopPx: o.stopPx?.toFixed(),
    TimeInForce: o.timeInForce,
    ExpireTime: o.expireTime ?? undefined
  }
}

const s = (v: MessageView, tag: number): string | null => v.getString(tag)

/** The client's NewOrderSingle fields, as strings, for domain validation. */
export function readNewOrderSingle (v: MessageView): NewOrderRequest {
  const expireTime = v.getUtcTimestamp(126)
  const expireDate = v.getDateOnly(432)
  return {
    clOrdId: s(v, 11) ?? '',
    account: s(v, 1),
    symbol: s(v, 55),
    securityType: s(v, 167),
    side: s(v, 54),
    ordType: s(v, 40),
    timeInForce: s(v, 59),
    orderQty: s(v, 38),
    price: s(v, 44),
    stopPx: s(v, 99),
    handlInst: s(v, 21),
    exDestination: s(v, 100),
    expireTime: expireTime ?? expireDate
  }
}

export function readCancelRequest (v: MessageView): CancelCommand {
  return { clOrdId: s(v, 11) ?? '', origClOrdId: s(v, 41), orderId: s(v, 37), symbol: s(v, 55), side: s(v, 54) }
}

export function readReplaceRequest (v: MessageView): ReplaceCommand {
  return {
    ...readCancelRequest(v),
    ordType: s(v, 40),
    orderQty: s(v, 38),
    price: s(v, 44),
    stopPx: s(v, 99),
    timeInForce: s(v, 59)
  }
}

export function readStatusRequest (v: MessageView): StatusCommand {
  return { clOrdId: s(v, 11), orderId: s(v, 37), ordStatusReqId: s(v, 790), symbol: s(v, 55), side: s(v, 54) }
}

export function readMassCancelRequest (v: MessageView): MassCancelCommand {
  return { clOrdId: s(v, 11) ?? '', requestType: s(v, 530), symbol: s(v, 55), securityType: s(v, 167) }
}

export function readBrokerCancelReject (v: MessageView): BrokerCancelReject {
  return {
    brokerClOrdId: s(v, 11),
    origBrokerClOrdId: s(v, 41),
    brokerOrderId: s(v, 37),
    ordStatus: s(v, 39),
    responseTo: s(v, 434),
    cxlRejReason: s(v, 102),
    text: s(v, 58)
  }
}

export function readBrokerExecutionReport (v: MessageView): BrokerExecReport {
  return {
    brokerClOrdId: s(v, 11),
    origBrokerClOrdId: s(v, 41),
    brokerOrderId: s(v, 37),
    execId: s(v, 17),
    execType: s(v, 150),
    ordStatus: s(v, 39),
    lastQty: s(v, 32),
    lastPx: s(v, 31),
    commission: s(v, 12),
    execRefId: s(v, 19),
    ordRejReason: s(v, 103),
    text: s(v, 58),
    orderQty: s(v, 38),
    cumQty: s(v, 14),
    avgPx: s(v, 6),
    leavesQty: s(v, 151),
    execRestatementReason: s(v, 378)
  }
}
