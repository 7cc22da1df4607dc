/**
 * Our FIX session: jspurefix's AsciiSession with the application callbacks routed to a
 * FixApp (client OMS adapter, broker adapter, simulated broker, test client...).
 *
 * The session layer fixes of the certification issue land here (override, never edit
 * node_modules). The app sees only application messages; admin traffic stays inside.
 */
import { AsciiSession } from '../jspurefix'
import type { IJsFixConfig } from '../jspurefix'
import type { MsgView } from '../jspurefix'
import type { ILooseObject } from '../jspurefix'
import type { Logger } from 'pino'
import { objectFromTags } from '../app/tag-object'

/** What the application side of a session implements. */
export interface FixApp {
  /** Peer Logon: return false to refuse it (a Logout with a reason is sent). */
  onLogon?: (session: FixgwSession, view: MsgView) => boolean | Promise<boolean>
  /** Logged on both ways: the session may send application messages. */
  onReady: (session: FixgwSession) => void
  /**
   * One application message. The view is only valid during the call: copy what you
   * need (toObject / getString) before any await.
   */
  onMessage: (session: FixgwSession, msgType: string, view: MsgView) => void
  onStopped: (session: FixgwSession, error?: Error) => void
}

export class FixgwSession extends AsciiSession {
  private ready = false
  private decoded = ''

  constructor (config: IJsFixConfig, private readonly app: FixApp, private readonly log: Logger) {
    super(config)
  }

  /** Our name for the session (the sessions/<name>.json file). */
  get name (): string {
    return this.config.description.application?.name ?? 'unknown'
  }

  get senderCompId (): string { return this.config.description.SenderCompId }
  get targetCompId (): string { return this.config.description.TargetCompID }
  get isReady (): boolean { return this.ready }
  /** The text of the message being handled (SOH shown as |): for the audit trail. */
  get currentMessageText (): string { return this.decoded }

  /** Send an application message; false when the session cannot send now. */
  sendMessage (msgType: string, body: ILooseObject): boolean {
    if (!this.ready) {
      this.log.warn({ session: this.name, msgType }, 'session not logged on: message not sent')
      return false
    }
    this.send(msgType, body)
    return true
  }

  /** Send a message given as [tag, value] pairs (nested into components by the dictionary). */
  sendTags (msgType: string, fields: ReadonlyArray<readonly [number, string]>): boolean {
    return this.sendMessage(msgType, objectFromTags(this.config.definitions, msgType, fields))
  }

  /** Log out politely (the peer confirms, then the transport closes). */
  logout (): void {
    this.done()
  }

  protected override onApplicationMsg (msgType: string, view: MsgView): void {
    try {
      this.app.onMessage(this, msgType, view)
    } catch (e) {
      this.log.error({ err: e, session: this.name, msgType }, 'application handler threw')
    }
  }

  protected override onReady (_view: MsgView): void {
    this.ready = true
    this.log.info({ session: this.name, sender: this.senderCompId, target: this.targetCompId }, 'FIX session logged on')
    this.app.onReady(this)
  }

  protected override onStopped (error?: Error): void {
    const wasReady = this.ready
    this.ready = false
    if (wasReady) this.log.info({ session: this.name, reason: error?.message }, 'FIX session logged out')
    this.app.onStopped(this, error)
  }

  protected override onLogon (view: MsgView, _user: string, _password: string): boolean | Promise<boolean> {
    return this.app.onLogon?.(this, view) ?? true
  }

  protected override onDecoded (msgType: string, txt: string): void {
    this.decoded = txt // jspurefix emits 'decoded' just before 'msg' for the same message
    this.log.debug({ session: this.name, dir: 'in', msgType, fix: txt }, 'fix in')
  }

  protected override onEncoded (msgType: string, txt: string): void {
    this.log.debug({ session: this.name, dir: 'out', msgType, fix: txt }, 'fix out')
  }
}
