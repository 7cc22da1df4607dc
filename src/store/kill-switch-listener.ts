/**
 * Follows the kill_switches table for the running engine: LISTEN fixgw_kill_switch (a
 * trigger announces every change, whoever made it: the CLI, an operator's SQL), and the
 * full list of active switches at every (re)connection. A lost connection is retried
 * with backoff; the engine keeps the last known switches meanwhile.
 */
import { Client } from 'pg'
import type { Logger } from 'pino'

export type KillSwitchUpdate = { readonly kind: 'all', readonly active: readonly string[] } | { readonly kind: 'one', readonly scope: string, readonly active: boolean }

export class KillSwitchListener {
  private client: Client | null = null
  private stopped = false
  private timer: NodeJS.Timeout | null = null

  constructor (private readonly url: string, private readonly onUpdate: (u: KillSwitchUpdate) => void, private readonly logger: Logger) {}

  async start (): Promise<void> { await this.connect(100) }

  private async connect (retryMs: number): Promise<void> {
    if (this.stopped) return
    const client = new Client({ connectionString: this.url })
    client.on('error', (e) => { this.logger.warn({ error: e.message, code: (e as { code?: string }).code }, 'kill switch listener: connection lost') })
    client.on('end', () => {
      if (this.client === client) this.client = null
      this.retry(100)
    })
    client.on('notification', (n) => {
      try {
        const p = JSON.parse(n.payload ?? '{}') as { scope?: unknown, active?: unknown }
        if (typeof p.scope === 'string' && typeof p.active === 'boolean') this.onUpdate({ kind: 'one', scope: p.scope, active: p.active })
      } catch (e) {
        this.logger.error({ err: e, payload: n.payload }, 'kill switch listener: unreadable notification')
      }
    })
    try {
      await client.connect()
      await client.query('LISTEN fixgw_kill_switch')
      const rows = (await client.query<{ scope: string }>('SELECT scope FROM kill_switches WHERE active')).rows
      this.client = client
      this.onUpdate({ kind: 'all', active: rows.map((r) => r.scope) })
      if (this.stopped) await client.end()
    } catch (e) {
      this.logger.warn({ err: e }, 'kill switch listener: cannot connect, retrying')
      client.removeAllListeners('end')
      await client.end().catch(() => {})
      this.retry(Math.min(retryMs * 2, 5000))
    }
  }

  private retry (ms: number): void {
    if (this.stopped || this.timer != null) return
    this.timer = setTimeout(() => { this.timer = null; void this.connect(ms) }, ms)
    this.timer.unref()
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer != null) clearTimeout(this.timer)
    const c = this.client
    this.client = null
    if (c != null) { c.removeAllListeners('end'); await c.end().catch(() => {}) }
  }
}
