/**
 * The audit trail's hash chain (hash_version 2): each row's hash is the SHA-256 of its
 * content and the previous row's hash, in canonical JSON (keys sorted, no spaces), so
 * an edited, inserted or deleted row breaks every hash after it. Writers (the engine's
 * journal, the CLI's operator actions) extend the chain under one advisory lock, with
 * explicit gap-free ids; nothing in Postgres computes it any more.
 */
import { hash } from 'node:crypto'
import type { Knex } from 'knex'
import type { AuditEntry } from '../oms/ports'

/** pg_advisory_xact_lock key every audit writer holds while it extends the chain. */
export const AUDIT_CHAIN_LOCK = 72616001

export interface ChainedAuditRow {
  readonly id: string
  readonly at: Date
  readonly actor: string
  readonly kind: string
  readonly orderId: string | null
  readonly fromState: string | null
  readonly toState: string | null
  /** canonical JSON of the detail, or null */
  readonly detail: string | null
  readonly fixMessage: string | null
  readonly prevHash: string | null
  readonly hash: string
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson (v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null'
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJson(x))).join(',')}]`
  const o = v as Record<string, unknown>
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort()
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(o[k])}`).join(',')}}`
}

export function auditHash (prevHash: string | null, r: Omit<ChainedAuditRow, 'hash' | 'prevHash'>): string {
  const text = JSON.stringify([prevHash, r.id, r.at.toISOString(), r.actor, r.kind, r.orderId, r.fromState, r.toState, r.detail, r.fixMessage])
  return hash('sha256', text, 'hex')
}

/** Chain entries after the row (lastId, lastHash); ids continue from lastId. */
export function chainEntries (lastId: string, lastHash: string | null, entries: ReadonlyArray<AuditEntry & { at: Date }>): ChainedAuditRow[] {
  let id = BigInt(lastId)
  let prev = lastHash
  const out: ChainedAuditRow[] = []
  for (const e of entries) {
    id += 1n
    const row = {
      id: id.toString(),
      at: e.at,
      actor: e.actor,
      kind: e.kind,
      orderId: e.orderId ?? null,
      fromState: e.fromState ?? null,
      toState: e.toState ?? null,
      detail: e.detail == null ? null : canonicalJson(e.detail),
      fixMessage: e.fixMessage ?? null
    }
    const hash = auditHash(prev, row)
    out.push({ ...row, prevHash: prev, hash })
    prev = hash
  }
  return out
}

/** Append entries from a knex transaction (CLI operator actions): lock, read the chain's end, insert. */
export async function appendAudit (trx: Knex.Transaction, entries: readonly AuditEntry[]): Promise<void> {
  if (entries.length === 0) return
  await trx.raw('SELECT pg_advisory_xact_lock(?)', [AUDIT_CHAIN_LOCK])
  const last = await trx('audit_log').orderBy('id', 'desc').first('id', 'hash') as { id: string, hash: string } | undefined
  const at = new Date()
  const rows = chainEntries(last?.id ?? '0', last?.hash ?? null, entries.map((e) => ({ ...e, at })))
  await trx('audit_log').insert(rows.map((r) => ({
    id: r.id, at: r.at, actor: r.actor, kind: r.kind, order_id: r.orderId, from_state: r.fromState, to_state: r.toState,
    detail: r.detail, fix_message: r.fixMessage, prev_hash: r.prevHash, hash: r.hash, hash_version: 2
  })))
}
