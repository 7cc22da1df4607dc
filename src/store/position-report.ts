/**
 * Positions as stored, and their reconciliation with the fills. A position row is
 * updated in each fill's transaction; this recomputes it from scratch from the active
 * fills (in trade order, average cost: src/domain/position.ts), the same way a bust or a
 * correction does, and reports every (account, symbol) where the two disagree.
 * Read-only; one consistent snapshot, so a fill committing meanwhile cannot show up as a
 * false difference.
 */
import type { Knex } from 'knex'
import { Decimal } from '../domain/money'
import { positionFromFills, type Position, type PositionFill } from '../domain/position'

/** Active fills of an account in a symbol, in trade order (a correction takes its original's place). */
export async function activeFills (db: Knex, account: string, symbol: string): Promise<PositionFill[]> {
  const rows = await db('executions').where({ account, symbol, status: 'active' }).whereIn('exec_type', ['F', 'G'])
    .orderByRaw('coalesce(corrects_id, id)').select('last_qty', 'last_px', 'commission', 'side')
  return rows.map((r: { last_qty: string, last_px: string, commission: string | null, side: string }) => ({
    signedQty: new Decimal(r.last_qty).times(r.side === '1' ? 1 : -1),
    px: new Decimal(r.last_px),
    fee: new Decimal(r.commission ?? '0')
  }))
}

/** A stored position; decimals as plain strings (never exponent form, never floats). */
export interface PositionRow {
  readonly account: string // '' when the orders had none
  readonly symbol: string
  readonly qty: string // signed: long > 0
  readonly avgCost: string
  readonly realizedPnl: string
  readonly fees: string
  readonly updatedAt: Date
}

export const POSITION_FIELDS = ['qty', 'avgCost', 'realizedPnl', 'fees'] as const
export type PositionField = typeof POSITION_FIELDS[number]

/** Column names, for messages an operator compares with the database. */
export const POSITION_COLUMNS: { readonly [F in PositionField]: string } = {
  qty: 'qty', avgCost: 'avg_cost', realizedPnl: 'realized_pnl', fees: 'fees'
}

export type PositionValues = { readonly [F in PositionField]: string }

export interface PositionDifference {
  readonly account: string
  readonly symbol: string
  /** the fields that differ, in POSITION_FIELDS order */
  readonly fields: readonly PositionField[]
  /** the row as stored; null when there is no row but there are active fills */
  readonly stored: PositionValues | null
  /** what the active fills add up to */
  readonly recomputed: PositionValues
}

export interface ReconcileResult {
  /** how many (account, symbol) pairs were compared */
  readonly checked: number
  readonly differences: readonly PositionDifference[]
}

interface DbPositionRow {
  account: string
  symbol: string
  qty: string
  avg_cost: string
  realized_pnl: string
  fees: string
  updated_at: Date
}

/** Decimal strings normalized ("10.50" → "10.5"), so equal values print the same. */
const norm = (v: string): string => new Decimal(v).toFixed()

const byKey = (a: { account: string, symbol: string }, b: { account: string, symbol: string }): number =>
  a.account < b.account ? -1 : a.account > b.account ? 1 : a.symbol < b.symbol ? -1 : a.symbol > b.symbol ? 1 : 0

function toRow (r: DbPositionRow): PositionRow {
  return {
    account: r.account,
    symbol: r.symbol,
    qty: norm(r.qty),
    avgCost: norm(r.avg_cost),
    realizedPnl: norm(r.realized_pnl),
    fees: norm(r.fees),
    updatedAt: r.updated_at
  }
}

function values (p: Position): PositionValues {
  return { qty: p.qty.toFixed(), avgCost: p.avgCost.toFixed(), realizedPnl: p.realizedPnl.toFixed(), fees: p.fees.toFixed() }
}

/** Every position row (of one account when given), by account then symbol. */
export async function listPositions (db: Knex, account?: string): Promise<PositionRow[]> {
  const q = db<DbPositionRow>('positions').select('account', 'symbol', 'qty', 'avg_cost', 'realized_pnl', 'fees', 'updated_at')
  if (account !== undefined) q.where({ account })
  const rows = (await q).map(toRow)
  // code-unit order: the same on every machine, whatever the database collation
  return rows.sort(byKey)
}

/**
 * Compare every stored position with the one its active fills add up to, for every
 * (account, symbol) that has a position row or an active fill. Decimal comparison:
 * "10.50" and "10.5" are equal; nothing is rounded.
 */
export async function reconcilePositions (db: Knex): Promise<ReconcileResult> {
  return await db.transaction(async (trx) => {
    const stored = new Map<string, PositionRow>()
    for (const r of await listPositions(trx)) stored.set(JSON.stringify([r.account, r.symbol]), r)
    const traded = await trx('executions').distinct('account', 'symbol')
      .where({ status: 'active' }).whereIn('exec_type', ['F', 'G']).whereNotNull('account').whereNotNull('symbol') as Array<{ account: string, symbol: string }>
    const keys = new Map<string, { account: string, symbol: string }>()
    for (const k of [...stored.values(), ...traded]) keys.set(JSON.stringify([k.account, k.symbol]), { account: k.account, symbol: k.symbol })

    const differences: PositionDifference[] = []
    for (const { account, symbol } of [...keys.values()].sort(byKey)) {
      const recomputed = positionFromFills(await activeFills(trx, account, symbol))
      const row = stored.get(JSON.stringify([account, symbol])) ?? null
      const fields = POSITION_FIELDS.filter((f) => !new Decimal(row?.[f] ?? '0').eq(recomputed[f]))
      if (fields.length > 0) differences.push({ account, symbol, fields, stored: row == null ? null : pick(row), recomputed: values(recomputed) })
    }
    return { checked: keys.size, differences }
  }, { isolationLevel: 'repeatable read', readOnly: true })
}

function pick (r: PositionRow): PositionValues {
  return { qty: r.qty, avgCost: r.avgCost, realizedPnl: r.realizedPnl, fees: r.fees }
}
