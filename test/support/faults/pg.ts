/** One-shot queries against the gateway's database (a fresh connection each time, bounded). */
import { Client } from 'pg'

export async function query<T> (url: string, sql: string, params: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url, connectionTimeoutMillis: 5000, query_timeout: 10000 })
  c.on('error', () => {})
  await c.connect()
  try {
    return (await c.query(sql, params)).rows as T[]
  } finally {
    await c.end().catch(() => {})
  }
}

export interface OrderRow { cl_ord_id: string, state: string }

/** Orders of a client session by ClOrdID (the fault tests never replace, so it is the NewOrderSingle's). */
export async function ordersOf (url: string, clientSession: string): Promise<Map<string, OrderRow>> {
  const rows = await query<OrderRow>(url, 'select cl_ord_id, state from orders where client_session = $1', [clientSession])
  return new Map(rows.map((r) => [r.cl_ord_id, r]))
}

export const TERMINAL = new Set(['Filled', 'Canceled', 'Rejected', 'Expired'])
