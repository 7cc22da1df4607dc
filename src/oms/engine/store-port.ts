/**
 * What the engine needs from Postgres (src/store/pg-journal-store.ts implements it):
 * the snapshot it starts from, the one-transaction commit of a batch, and the reads of
 * rare paths (orders that left memory, trade busts, dedupe confirmations). The engine
 * calls a read only after everything before it has been committed, so Postgres then
 * holds the truth.
 */
import type { Decimal } from '../../domain/money'
import type { Order } from '../../domain/order'
import type { ExecutionRow } from '../ports'
import type { Batch, RouteState } from './journal'
import type { EngineSnapshot } from './state'

export interface FillRow {
  readonly id: string
  readonly correctsId: string | null
  readonly status: string
  readonly execType: string
  readonly side: string
  readonly qty: Decimal
  readonly px: Decimal
  readonly commission: Decimal | null
}

export interface EngineStore {
  load: () => Promise<EngineSnapshot>
  /**
   * Write the batch in one transaction. An error with `outcomeUnknown: true` means the
   * COMMIT was sent but not answered: the batch may have landed (lastBatchId tells).
   */
  commit: (batch: Batch) => Promise<void>
  /** The id of the last batch committed (also: is Postgres answering). */
  lastBatchId: () => Promise<bigint>
  /** An order with its ClOrdIDs and routes, or null. */
  loadOrder: (orderId: string) => Promise<{ order: Order, clOrdIds: Array<{ session: string, clOrdId: string }>, routes: RouteState[] } | null>
  orderIdOfClOrdId: (session: string, clOrdId: string) => Promise<string | null>
  orderIdOfRoute: (broker: string, brokerClOrdId: string) => Promise<string | null>
  execIdTaken: (broker: string, execId: string) => Promise<boolean>
  findExecution: (broker: string, execId: string) => Promise<ExecutionRow | null>
  /** trade executions (F, G) of an order, or of an account in a symbol, any status */
  orderFills: (orderId: string) => Promise<FillRow[]>
  accountFills: (account: string, symbol: string) => Promise<FillRow[]>
  /** delete expired dedupe rows of a session (finished orders only); returns their ClOrdIDs */
  purgeDedupe: (session: string, days: number, limit: number) => Promise<string[]>
}
