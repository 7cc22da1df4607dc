/** Plays one parsed scenario against a running gateway (see parse.ts for the format). */
import { expect } from 'chai'
import type { Harness } from '../gateway-harness'
import type { ReceivedMessage } from '../../../src/fix/client/fix-peer'
import type { FieldSpec, Party, Scenario, Step } from './parse'
import type { FixPeer } from '../../../src/fix/client/fix-peer'

interface PgConn { query: (q: { text: string, rowMode: 'array' }) => Promise<{ rows: unknown[][] }> }

const fixNow = (): string => new Date().toISOString().replace(/-/g, '').replace('T', '-').replace('Z', '')

export class ScenarioRun {
  private readonly vars = new Map<string, string>()

  constructor (private readonly s: Scenario, private readonly h: Harness) {}

  async run (): Promise<void> {
    for (const step of this.s.steps) await this.step(step)
    // Nothing else may have been sent to either side.
    await new Promise((resolve) => setTimeout(resolve, 150))
    const leftover = [this.h.client, this.h.client2, this.h.broker, this.h.broker2].flatMap((p) => p?.pending() ?? []).map((m) => m)
    expect(leftover.map((m) => m.text), `${this.s.file}: unexpected messages after the last step`).to.deep.equal([])
  }

  private where (step: Step): string { return `${this.s.file}:${step.line}` }

  private subst (value: string): string {
    return value.replace(/<now>/g, fixNow()).replace(/\$([A-Za-z_]\w*)/g, (all, name: string) => this.vars.get(name) ?? all)
  }

  private async step (step: Step): Promise<void> {
    switch (step.kind) {
      case 'wait':
        await new Promise((resolve) => setTimeout(resolve, step.ms))
        return
      case 'send': {
        const peer = this.peer(step.from)
        if (peer == null) throw new Error(`${this.where(step)}: no scripted ${step.from} in this scenario`)
        peer.sendTags(step.msgType, step.fields.map(([t, v]) => [t, this.subst(v)] as const))
        return
      }
      case 'expect': {
        const peer = this.peer(step.to)
        if (peer == null) throw new Error(`${this.where(step)}: no scripted ${step.to} in this scenario`)
        let m: ReceivedMessage
        try {
          m = await peer.next(() => true, 5000)
        } catch (e) {
          throw new Error(`${this.where(step)}: expected ${step.msgType} at ${step.to}: ${(e as Error).message}`)
        }
        this.match(step, m)
        return
      }
      case 'control':
        await this.h.gateway.drain()
        if (step.action === 'restart gw') await this.h.restart()
        else await this.h.startBroker2()
        return
      case 'exec':
        await this.h.gateway.drain()
        await this.h.gateway.db.raw(this.subst(step.sql))
        // a kill switch changed by SQL reaches the engine by NOTIFY, a moment later: be in step first
        await this.h.gateway.refreshKillSwitches()
        return
      case 'db': {
        await this.h.gateway.drain()
        const rows = await this.query(this.subst(step.sql))
        const actual = rows.map((row) => row.map((v) => v == null ? 'null' : v instanceof Date ? v.toISOString() : String(v)))
        const expected = step.rows.map((row) => row.map((c) => this.subst(c)))
        expect(actual, `${this.where(step)}: ${step.sql}`).to.deep.equal(expected)
      }
    }
  }

  private peer (p: Party): FixPeer | null {
    return { client: this.h.client, client2: this.h.client2, broker: this.h.broker, broker2: this.h.broker2 }[p]
  }

  /** Rows as arrays (column order, duplicate column names kept). */
  private async query (sql: string): Promise<unknown[][]> {
    const client = this.h.gateway.db.client as { acquireConnection: () => Promise<PgConn>, releaseConnection: (c: PgConn) => Promise<void> }
    const conn = await client.acquireConnection()
    try {
      return (await conn.query({ text: sql, rowMode: 'array' })).rows
    } finally {
      await client.releaseConnection(conn)
    }
  }

  private match (step: Step & { kind: 'expect' }, m: ReceivedMessage): void {
    const at = `${this.where(step)} (received ${m.text})`
    expect(m.msgType, `${at}: MsgType`).to.equal(step.msgType)
    for (const [tag, spec] of step.fields as FieldSpec[]) {
      const actual = m.get(tag)
      if (spec === '~') { expect(actual, `${at}: tag ${tag} must be absent`).to.equal(null); continue }
      expect(actual, `${at}: tag ${tag} missing`).to.not.equal(null)
      if (spec === '*') continue
      const bind = /^\$([A-Za-z_]\w*)$/.exec(spec)
      if (bind != null && !this.vars.has(bind[1])) { this.vars.set(bind[1], actual as string); continue }
      expect(actual, `${at}: tag ${tag}`).to.equal(this.subst(spec))
    }
  }
}
