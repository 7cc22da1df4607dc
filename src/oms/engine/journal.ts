/**
 * What one batch of engine work writes to Postgres, in ONE transaction (docs/engine.md):
 * the last version of every order it changed, dedupe rows, broker routes, executions,
 * positions, audit entries, every outbound FIX message with its MsgSeqNum, each inbound
 * session's next expected MsgSeqNum, and the ID counters.
 *
 * Commands write into a Journal of their own; it joins the open batch only when the
 * command has succeeded (a failed command leaves no trace).
 */
import type { Decimal } from '../../domain/money'
import type { Order } from '../../domain/order'
import type { Position } from '../../domain/position'
import type { AuditEntry, NewExecutionRow } from '../ports'

export interface PositionState extends Position {
  /** UTC day (YYYY-MM-DD) of the last change, and realized P&L when that day began */
  readonly pnlDay: string | null
  readonly dayStart: Decimal
}

export interface RouteState {
  readonly broker: string
  readonly brokerClOrdId: string
  readonly orderId: string
  readonly kind: string // new | cancel | replace
  readonly status: string // sent | accepted | rejected
  readonly brokerOrderId: string | null
}

export interface ClOrdIdRow {
  readonly session: string
  readonly clOrdId: string
  readonly orderId: string
  readonly kind: string
}

/** An outbound FIX message as stored (fix_messages), under its session's key. */
export interface JournaledMessage {
  readonly sessionKey: string
  readonly seqNum: number
  readonly msgType: string
  readonly raw: string
  readonly sentAt: Date
}

export interface Counters {
  nextOrderId: bigint
  nextBrokerClOrdId: bigint
  nextClientExecId: bigint
  nextExecutionId: bigint
}

export interface StampedAudit extends AuditEntry { readonly at: Date }

export class Journal {
  readonly orders = new Map<string, Order>()
  readonly clOrdIds: ClOrdIdRow[] = []
  readonly routes = new Map<string, RouteState>()
  readonly executions: Array<NewExecutionRow & { readonly id: string }> = []
  readonly executionStatus = new Map<string, string>()
  readonly positions = new Map<string, { readonly account: string, readonly symbol: string, readonly p: PositionState }>()
  readonly audit: StampedAudit[] = []
  readonly messages: JournaledMessage[] = []
  /** session key → next expected inbound MsgSeqNum */
  readonly inbound = new Map<string, number>()

  get isEmpty (): boolean {
    return this.orders.size === 0 && this.clOrdIds.length === 0 && this.routes.size === 0 && this.executions.length === 0 &&
      this.executionStatus.size === 0 && this.positions.size === 0 && this.audit.length === 0 && this.messages.length === 0 && this.inbound.size === 0
  }

  /** Append a later journal (its map entries win). */
  absorb (j: Journal): void {
    for (const [k, v] of j.orders) this.orders.set(k, v)
    for (const r of j.clOrdIds) this.clOrdIds.push(r)
    for (const [k, v] of j.routes) this.routes.set(k, v)
    for (const e of j.executions) this.executions.push(e)
    for (const [k, v] of j.executionStatus) this.executionStatus.set(k, v)
    for (const [k, v] of j.positions) this.positions.set(k, v)
    for (const a of j.audit) this.audit.push(a)
    for (const m of j.messages) this.messages.push(m)
    for (const [k, v] of j.inbound) this.inbound.set(k, Math.max(v, this.inbound.get(k) ?? 0))
  }
}

/** A batch as the store commits it. */
export interface Batch {
  readonly id: bigint
  readonly journal: Journal
  readonly counters: Counters
}
