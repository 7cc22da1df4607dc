/**
 * Kill switches in Postgres, so they survive restarts. The CLI turns them on and off;
 * a trigger announces every change (NOTIFY fixgw_kill_switch) and the running engine's
 * in-memory copy follows. Every change is written to the audit trail in the same transaction.
 */
import type { Knex } from 'knex'
import { appendAudit } from './audit-chain'

export interface KillSwitchRow {
  readonly scope: string
  readonly active: boolean
  readonly reason: string | null
  readonly updatedBy: string
  readonly updatedAt: Date
}

/** 'global', or 'session:<name>' for one client session. */
export function killSwitchScope (session: string | null): string {
  return session == null ? 'global' : `session:${session}`
}

export async function setKillSwitch (db: Knex, scope: string, active: boolean, reason: string | null, by: string): Promise<void> {
  await db.transaction(async (trx) => {
    await trx('kill_switches').insert({ scope, active, reason, updated_by: by, updated_at: trx.fn.now() })
      .onConflict('scope').merge(['active', 'reason', 'updated_by', 'updated_at'])
    await appendAudit(trx, [{ actor: by, kind: 'kill_switch', detail: { scope, active, reason } }])
  })
}

export async function listKillSwitches (db: Knex): Promise<KillSwitchRow[]> {
  const rows = await db('kill_switches').orderBy('scope')
  return rows.map((r: { scope: string, active: boolean, reason: string | null, updated_by: string, updated_at: Date }) =>
    ({ scope: r.scope, active: r.active, reason: r.reason, updatedBy: r.updated_by, updatedAt: r.updated_at }))
}
