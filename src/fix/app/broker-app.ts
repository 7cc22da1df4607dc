/**
 * The initiator side: broker sessions. Broker ERs and cancel rejects → OMS events (each
 * committed with the session's next expected number). Our orders toward a broker go out
 * through the engine's outbox (fix-outbox.ts), with the broker's field mapping from here.
 */
import type { Logger } from 'pino'
import type { MessageView } from '../session/message-view'
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import { NotAcceptedError, NotCommittedError, type OrderService } from '../../oms/order-service'
import type { BrokerStatus } from '../../oms/ports'
import { readBrokerCancelReject, readBrokerExecutionReport } from './messages'
import { setTag, stripTag, tagPath, UnknownTagError } from './tag-object'
import type { FieldMap } from '../../config/routing-config'
import type { FixDefinitions, ILooseObject } from '../jspurefix'
import type { SessionDirectory } from './session-directory'
import { originOf } from './client-app'
import type { StoredMessage } from '../store/session-store'

export class BrokerFixApp implements FixApp, BrokerStatus {
  private oms: OrderService | null = null

  /**
   * @param directory our sessions (isUp asks it)
   * @param fieldMaps per broker session: tags set or stripped on our orders toward it (sessions/*.json fieldMap)
   * @param definitions the FIX 4.4 dictionary, to find where a mapped tag goes in a message
   * @param available whether the engine can take work now (logons are refused while it cannot)
   */
  constructor (private readonly logger: Logger, private readonly directory: SessionDirectory, private readonly fieldMaps: ReadonlyMap<string, FieldMap> = new Map(),
    private readonly definitions: FixDefinitions | null = null, private readonly available: () => boolean = () => true) {}

  /** A message body toward a broker with its field mapping applied. */
  mapped (brokerSession: string, msgType: string, body: ILooseObject): ILooseObject {
    const fm = this.fieldMaps.get(brokerSession)
    const defs = this.definitions
    if (fm != null && defs != null) {
      // A mapping applies where the message type has the field (Account is on D/F/G,
      // ExDestination only on D/G); elsewhere there is nothing to set or strip.
      const has = (tag: number): boolean => { try { tagPath(defs, msgType, tag); return true } catch (e) { if (e instanceof UnknownTagError) return false; throw e } }
      for (const tag of fm.strip) if (has(tag)) stripTag(defs, msgType, body, tag)
      for (const [tag, value] of Object.entries(fm.set)) if (has(Number(tag))) setTag(defs, msgType, body, Number(tag), value)
    }
    return body
  }

  /** the connection on which a broker report last failed to commit (logged once per connection) */
  private readonly notCommittedOn = new WeakMap<FixgwSession, number | null>()

  attach (oms: OrderService): void { this.oms = oms }

  onLogon (s: FixgwSession): boolean {
    if (this.available()) return true
    this.logger.warn({ session: s.name }, 'logon refused: the order engine cannot commit (Postgres unavailable)')
    return false
  }

  onReady (s: FixgwSession): void {
    // Release held orders and reconcile open ones; broker reports that arrive after this
    // run after it (the engine runs commands in arrival order).
    this.requireOms().onBrokerLogon(s.name).catch((e) => {
      this.logger.error({ err: e, session: s.name }, 'broker logon handling failed')
      if (e instanceof NotCommittedError) s.disconnect('STORE_FAILURE', 'could not commit the logon reconciliation')
    })
  }

  onStopped (): void {}

  /** Resolves when the report is applied and committed, so the session counts the message only then. */
  onMessage (s: FixgwSession, msgType: string, view: MessageView): Promise<void> | undefined {
    const text = s.currentMessageText
    const connection = s.connectionId
    let work: Promise<void>
    switch (msgType) {
      case '8':
        work = this.requireOms().onBrokerExecution(s.name, readBrokerExecutionReport(view), text, originOf(s, view))
        break
      case '9':
        work = this.requireOms().onBrokerCancelReject(s.name, readBrokerCancelReject(view), text, originOf(s, view))
        break
      default:
        this.logger.warn({ session: s.name, msgType }, 'broker message type not handled')
        return
    }
    return work.catch((e: unknown) => {
      if (!(e instanceof NotCommittedError)) throw e
      // A broker report cannot be refused: it was undone, so the session must hear it
      // again. Reconnect; the broker resends from the last committed number.
      // Reports pipelined behind it on that connection fail together: one line for them all.
      if (this.notCommittedOn.get(s) !== connection) {
        this.notCommittedOn.set(s, connection)
        this.logger.error({ err: e.cause, session: s.name }, 'broker report not committed: reconnecting to have it resent')
      }
      s.disconnect('STORE_FAILURE', 'could not commit a broker report')
      throw new NotAcceptedError('broker report not committed', e)
    })
  }

  /** Order messages the broker asked for again but got gap-filled (staleOrderSeconds): tell the clients. */
  onNotResent (s: FixgwSession, messages: readonly StoredMessage[]): void {
    for (const m of messages) {
      const clOrdId = /\x0111=([^\x01]*)\x01/.exec(m.raw)?.[1]
      if (clOrdId == null) continue
      this.requireOms().onBrokerNotResent(s.name, clOrdId, m.msgType, s.settings.staleOrderSeconds)
        .catch((e) => this.logger.error({ err: e, session: s.name, clOrdId }, 'could not reject an order that was not resent'))
    }
  }

  isUp (brokerSession: string): boolean { return this.directory.get(brokerSession) != null }

  async drain (): Promise<void> { await this.requireOms().drain() }

  private requireOms (): OrderService {
    if (this.oms == null) throw new Error('BrokerFixApp used before attach()')
    return this.oms
  }
}
