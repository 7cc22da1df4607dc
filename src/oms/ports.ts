/**
 * What the OMS needs from the outside world. Adapters implement these: Postgres
 * (src/store), FIX sessions (src/fix/app). The OMS never imports an adapter.
 */
import type { Decimal } from '../domain/money'
import type { Order } from '../domain/order'
import type { Position } from '../domain/position'
import type { OrdState } from '../domain/order-state'

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
  readonly execType: string
  readonly lastQty: Decimal | null
  readonly lastPx: Decimal | null
  readonly commission: Decimal | null
  readonly clientExecId: string
}

export interface RouteRow {
  readonly orderId: string
  readonly kind: string
}

/** One database transaction's worth of OMS persistence. */
export interface OmsTx {
  nextOrderId: () => Promise<string>
  nextBrokerClOrdId: () => Promise<string>
  nextClientExecId: () => Promise<string>
  /** false when (clientSession, clOrdId) is already taken: the dedupe, by UNIQUE constraint. */
  claimClOrdId: (clientSession: string, clOrdId: string, orderId: string, kind: string) => Promise<boolean>
  insertOrder: (o: Order) => Promise<void>
  /** Lock and read; null when absent. */
  lockOrder: (orderId: string) => Promise<Order | null>
  findOrderByClOrdId: (clientSession: string, clOrdId: string) => Promise<Order | null>
  /** Optimistic: updates only when the stored version is `o.version - 1`; throws otherwise. */
  updateOrder: (o: Order) => Promise<void>
  insertBrokerRoute: (brokerSession: string, brokerClOrdId: string, orderId: string, kind: string) => Promise<void>
  findRoute: (brokerSession: string, brokerClOrdId: string) => Promise<RouteRow | null>
  markRoute: (brokerSession: string, brokerClOrdId: string, status: string, brokerOrderId: string | null) => Promise<void>
  /** false when (brokerSession, execId) was applied already. */
  insertExecution: (row: NewExecutionRow) => Promise<boolean>
  lockPosition: (account: string, symbol: string) => Promise<Position>
  savePosition: (account: string, symbol: string, p: Position) => Promise<void>
  audit: (e: AuditEntry) => Promise<void>
}

export interface OmsStore {
  transaction: <T>(fn: (tx: OmsTx) => Promise<T>) => Promise<T>
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
  /** Rejects of a NewOrderSingle that never became an order echo the client's ClOrdID. */
  readonly clOrdId?: string
}

export interface ClientGateway {
  /** Send to the client session; false when it is not logged on. */
  sendExecutionReport: (clientSession: string, er: ClientExecReport) => boolean
}

export interface BrokerGateway {
  isUp: (brokerSession: string) => boolean
  sendNewOrder: (brokerSession: string, brokerClOrdId: string, order: Order) => boolean
}

export interface Router {
  /** The broker session for an order, or null when no route matches. */
  route: (o: { clientSession: string, account: string | null, symbol: string, securityType: string | null, exDestination: string | null }) => string | null
}
