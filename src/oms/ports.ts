/**
 * What the OMS needs from the outside world. Adapters implement these: Postgres
 * (src/store, through engine/store-port.ts), FIX sessions (src/fix/app, through the
 * engine's Outbox). The OMS never imports an adapter.
 */
import type { Decimal } from '../domain/money'
import type { Order } from '../domain/order'
import type { Position } from '../domain/position'
import type { OrdState } from '../domain/order-state'
import type { RiskNeeds, RiskState } from '../domain/risk/risk-checks'

export interface AuditEntry {
  readonly actor: string
  readonly kind: string
  readonly orderId?: string | null
  readonly fromState?: OrdState | null
  readonly toState?: OrdState | null
  readonly detail?: Record<string, unknown>
  readonly fixMessage?: string | null
}

export interface NewExecutionRow {
  readonly brokerSession: string
  readonly execId: string
  readonly orderId: string
  /** the order's account ('' when none), symbol and side: what positions group on */
  readonly account: string
  readonly symbol: string
  readonly side: string
  /** a correction: the id of the execution row it replaces */
  readonly correctsId?: string
  readonly execType: string
  readonly lastQty: Decimal | null
  readonly lastPx: Decimal | null
  readonly commission: Decimal | null
  readonly clientExecId: string
}

export interface ExecutionRow {
  readonly id: string
  readonly orderId: string
  readonly execType: string
  readonly status: 'active' | 'busted' | 'corrected'
  readonly lastQty: Decimal | null
  readonly lastPx: Decimal | null
  readonly clientExecId: string | null
}

export interface RouteRow {
  readonly orderId: string
  readonly kind: string
}

/** How a client names an order in F / G / H: any ClOrdID of its chain, or our OrderID. */
export interface OrderRef {
  readonly clOrdId: string | null
  readonly orderId: string | null
}

export interface OpenOrderFilter {
  readonly symbol?: string
  readonly securityType?: string
}

/**
 * What one command reads and changes: served from the engine's memory (engine/engine-tx.ts),
 * journaled, and committed with the rest of its batch in one Postgres transaction.
 */
export interface OmsTx {
  nextOrderId: () => Promise<string>
  nextBrokerClOrdId: () => Promise<string>
  nextClientExecId: () => Promise<string>
  /** false when (clientSession, clOrdId) is already taken: the dedupe, by UNIQUE constraint. */
  claimClOrdId: (clientSession: string, clOrdId: string, orderId: string, kind: string) => Promise<boolean>
  insertOrder: (o: Order) => Promise<void>
  /** The order (the engine runs one command at a time: nothing else changes it meanwhile); null when absent. */
  lockOrder: (orderId: string) => Promise<Order | null>
  /** Read the session's order named by ref; null when the session has no such order. */
  findClientOrder: (clientSession: string, ref: OrderRef) => Promise<Order | null>
  /** Read the open orders (Held included) routed to a broker session, oldest first. */
  lockBrokerOrders: (brokerSession: string) => Promise<Order[]>
  /** Read the session's open (non-terminal) orders matching the filter, oldest first. */
  lockOpenOrders: (clientSession: string, filter: OpenOrderFilter) => Promise<Order[]>
  /** The state the risk checks read, as of this transaction. */
  riskState: (clientSession: string, account: string | null, symbol: string, excludeOrderId: string | null, needs: RiskNeeds) => Promise<Omit<RiskState, 'now'>>
  /** Replace the order by `o` (its version one higher). */
  updateOrder: (o: Order) => Promise<void>
  insertBrokerRoute: (brokerSession: string, brokerClOrdId: string, orderId: string, kind: string) => Promise<void>
  /** Our first broker ClOrdID of that kind for the order (the NOS's, for kind 'new'). */
  brokerClOrdIdOf: (orderId: string, kind: string) => Promise<string | null>
  /** Run fn so that, if it throws, only its own changes are undone. */
  savepoint: <T>(fn: () => Promise<T>) => Promise<T>
  findRoute: (brokerSession: string, brokerClOrdId: string) => Promise<RouteRow | null>
  markRoute: (brokerSession: string, brokerClOrdId: string, status: string, brokerOrderId: string | null) => Promise<void>
  /** false when (brokerSession, execId) was applied already. */
  insertExecution: (row: NewExecutionRow) => Promise<boolean>
  findExecution: (brokerSession: string, execId: string) => Promise<ExecutionRow | null>
  setExecutionStatus: (id: string, status: ExecutionRow['status']) => Promise<void>
  /** the order's active fills (trades and corrections), in trade order */
  orderFills: (orderId: string) => Promise<Array<{ qty: Decimal, px: Decimal }>>
  /** the position recomputed from the account's active fills in the symbol, in trade order */
  positionFromFills: (account: string, symbol: string) => Promise<Position>
  lockPosition: (account: string, symbol: string) => Promise<Position>
  savePosition: (account: string, symbol: string, p: Position) => Promise<void>
  audit: (e: AuditEntry) => Promise<void>
}

/** Our ExecutionReport toward a client, before FIX encoding. */
export interface ClientExecReport {
  readonly order: Order
  readonly execId: string
  readonly execType: string // FIX ExecType(150)
  readonly ordStatus: string // FIX OrdStatus(39)
  readonly lastQty?: Decimal
  readonly lastPx?: Decimal
  readonly ordRejReason?: number
  readonly text?: string
  /** ClOrdID(11) when it is not the order's current one (a pending request's, a rejected NOS's) */
  readonly clOrdId?: string
  /** OrigClOrdID(41): the last accepted ClOrdID, on cancel/replace flows */
  readonly origClOrdId?: string
  readonly ordStatusReqId?: string
  /** ExecRefID(19): our ExecID of the fill a bust or correction amends */
  readonly execRefId?: string
  readonly execRestatementReason?: string
}

/** Our OrderCancelReject (35=9) toward a client. */
export interface ClientCancelReject {
  readonly orderId: string // 'NONE' for an unknown order
  readonly clOrdId: string
  readonly origClOrdId: string
  readonly ordStatus: string
  readonly responseTo: 1 | 2 // CxlRejResponseTo(434): 1 cancel, 2 replace
  readonly cxlRejReason: number
  readonly text: string
}

/** Our OrderMassCancelReport (35=r). */
export interface ClientMassCancelReport {
  readonly clOrdId: string
  readonly orderId: string
  readonly requestType: string // MassCancelRequestType(530)
  readonly response: string // MassCancelResponse(531): '0' rejected, else the request type
  readonly rejectReason?: number // MassCancelRejectReason(532)
  readonly totalAffected: number
  readonly symbol?: string
  readonly securityType?: string
  readonly text?: string
}

/** Whether a broker session is logged on (routing holds or rejects orders for one that is not). */
export interface BrokerStatus {
  isUp: (brokerSession: string) => boolean
}

/** What routing looks at. */
export interface RoutingKeys {
  readonly clientSession: string
  readonly account: string | null
  readonly symbol: string
  readonly securityType: string | null
  readonly exDestination: string | null
}

export interface Route {
  readonly broker: string
  /** while the broker session is down: reject the order, or hold it and send it on logon */
  readonly whenDown: 'reject' | 'hold'
  /** which rule chose it, for the audit trail */
  readonly rule: string
}

export interface Router {
  /** The route for an order, or null when there is no broker at all. */
  route: (o: RoutingKeys) => Route | null
}
