/**
 * Our session layer in the mode the QuickFIX acceptance scripts expect (see
 * ../shared/conformance/README.md): acceptor ISLD for TW44 (and TW, which a few scripts
 * of the suite use), reset on every Logon, HeartBtInt taken from the peer, full
 * validation, SendingTime accuracy 120 s, the echo application. Same FixgwSession,
 * Listener and stores as the gateway: only the application differs.
 */
import type { Logger } from 'pino'
import type { Knex } from 'knex'
import { FixCodec } from '../session/codec'
import { FixgwSession } from '../session/fixgw-session'
import { sessionSettings } from '../session/session-settings'
import { Listener } from '../transport/acceptor'
import { MemorySessionStore } from '../store/memory-session-store'
import { PgSessionStore } from '../store/pg-session-store'
import type { SessionStore } from '../store/session-store'
import { EchoApp } from './echo-app'

export const CONFORMANCE_SENDER = 'ISLD'
export const CONFORMANCE_TARGETS: readonly string[] = ['TW44', 'TW']

export interface ConformanceOptions {
  readonly host: string
  readonly port: number
  readonly logger: Logger
  /** Postgres: the message store the gateway uses; null: in memory */
  readonly db: Knex | null
  readonly senderCompId?: string
  readonly targetCompIds?: readonly string[]
}

export interface RunningAcceptor {
  readonly sessions: readonly FixgwSession[]
  stop: () => Promise<void>
}

export async function startConformanceAcceptor (o: ConformanceOptions): Promise<RunningAcceptor> {
  const codec = await FixCodec.load()
  const app = new EchoApp()
  const sender = o.senderCompId ?? CONFORMANCE_SENDER
  const sessions: FixgwSession[] = []
  const stores: SessionStore[] = []
  for (const target of o.targetCompIds ?? CONFORMANCE_TARGETS) {
    const name = `conformance-${target}`
    const id = { beginString: 'FIX.4.4', senderCompId: sender, targetCompId: target, name }
    const store: SessionStore = o.db == null ? new MemorySessionStore(id) : new PgSessionStore(o.db, id)
    await store.initialize()
    stores.push(store)
    const settings = sessionSettings({ senderCompId: sender, targetCompId: target, resetOnLogon: true })
    sessions.push(new FixgwSession({ name, role: 'acceptor', settings, store, codec, app, logger: o.logger }))
  }
  const listener = new Listener({ name: 'conformance', host: o.host, port: o.port, logger: o.logger },
    sessions.map((session) => ({ session, allowList: null })))
  await listener.start()
  o.logger.info({ host: o.host, port: o.port, sender, targets: o.targetCompIds ?? CONFORMANCE_TARGETS, store: o.db == null ? 'memory' : 'postgres' }, 'conformance acceptor listening')
  return {
    sessions,
    stop: async () => {
      await listener.stop()
      for (const s of sessions) await s.stop(500)
      for (const st of stores) await st.dispose()
    }
  }
}
