/**
 * Lets any jspurefix IFixSessionStore (its MemorySessionStore, FileSessionStore...) serve
 * as our SessionStore, so code that hands Endpoint a jspurefix store factory keeps
 * working. jspurefix's senderSeqNum/targetSeqNum are the next numbers to use.
 */
import { FixMsgStoreRecord } from '../jspurefix'
import type { IFixSessionStore } from '../jspurefix'
import { sessionKey, type SessionStore, type SessionStoreState, type StoredMessage } from './session-store'

export class JsFixStoreAdapter implements SessionStore {
  readonly sessionKey: string

  constructor (private readonly store: IFixSessionStore) {
    const id = store.sessionId
    this.sessionKey = sessionKey({ beginString: id.beginString, senderCompId: id.senderCompID, targetCompId: id.targetCompID })
  }

  get nextSenderMsgSeqNum (): number { return this.store.senderSeqNum }
  get nextTargetMsgSeqNum (): number { return this.store.targetSeqNum }
  get creationTime (): Date { return this.store.creationTime }

  async initialize (): Promise<void> { await this.store.initialize() }
  async refresh (_state?: SessionStoreState): Promise<void> {}

  async appendOutbound (messages: readonly StoredMessage[]): Promise<void> {
    for (const m of messages) await this.store.put(new FixMsgStoreRecord(m.msgType, m.sentAt, m.seqNum, undefined, m.raw))
    if (messages.length > 0) await this.store.setSenderSeqNum(messages[messages.length - 1].seqNum + 1)
  }

  async setNextSenderSeqNum (next: number): Promise<void> { await this.store.setSenderSeqNum(next) }
  async setNextTargetSeqNum (next: number): Promise<void> { await this.store.setTargetSeqNum(Math.max(next, this.store.targetSeqNum)) }

  noteDurable (nextSender: number | null, nextTarget: number | null): void {
    if (nextSender != null && nextSender > this.store.senderSeqNum) void this.store.setSenderSeqNum(nextSender)
    if (nextTarget != null && nextTarget > this.store.targetSeqNum) void this.store.setTargetSeqNum(nextTarget)
  }

  async * readRange (begin: number, end: number, chunkSize: number): AsyncIterable<StoredMessage[]> {
    for (let from = begin; from <= end; from += chunkSize) {
      const to = Math.min(end, from + chunkSize - 1)
      const records = await this.store.getRange(from, to)
      const out = records.filter((r) => r.encoded != null)
        .map((r) => ({ seqNum: r.seqNum, msgType: r.msgType, raw: r.encoded as string, sentAt: r.timestamp }))
      if (out.length > 0) yield out
    }
  }

  async reset (): Promise<void> { await this.store.reset() }
  async recordState (_state: SessionStoreState): Promise<void> {}
  async dispose (): Promise<void> { await this.store.dispose() }
}
