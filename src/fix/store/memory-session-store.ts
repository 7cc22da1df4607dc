/**
 * An in-memory SessionStore: test peers, and the conformance acceptor when no database
 * is wanted. Same contract as the Postgres store, minus durability.
 */
import { sessionKey, type SessionIdentity, type SessionStore, type SessionStoreState, type StoredMessage } from './session-store'

export class MemorySessionStore implements SessionStore {
  readonly sessionKey: string
  private sender = 1
  private target = 1
  private created = new Date()
  private readonly messages = new Map<number, StoredMessage>()
  state: SessionStoreState = 'disconnected'

  constructor (id: Pick<SessionIdentity, 'beginString' | 'senderCompId' | 'targetCompId'>) {
    this.sessionKey = sessionKey(id)
  }

  get nextSenderMsgSeqNum (): number { return this.sender }
  get nextTargetMsgSeqNum (): number { return this.target }
  get creationTime (): Date { return this.created }

  async initialize (): Promise<void> {}
  async refresh (state?: SessionStoreState): Promise<void> { if (state != null) this.state = state }

  async appendOutbound (messages: readonly StoredMessage[]): Promise<void> {
    for (const m of messages) this.messages.set(m.seqNum, m)
    if (messages.length > 0) this.sender = Math.max(this.sender, messages[messages.length - 1].seqNum + 1)
  }

  noteDurable (nextSender: number | null, nextTarget: number | null): void {
    if (nextSender != null) this.sender = Math.max(this.sender, nextSender)
    if (nextTarget != null) this.target = Math.max(this.target, nextTarget)
  }

  /** Messages stored for the engine's journal (tests without Postgres). */
  storeJournaled (messages: readonly StoredMessage[]): void {
    for (const m of messages) this.messages.set(m.seqNum, m)
  }

  async setNextSenderSeqNum (next: number): Promise<void> { this.sender = next }
  async setNextTargetSeqNum (next: number): Promise<void> { this.target = Math.max(this.target, next) }

  async * readRange (begin: number, end: number, chunkSize: number): AsyncIterable<StoredMessage[]> {
    const seqs = [...this.messages.keys()].filter((s) => s >= begin && s <= end).sort((a, b) => a - b)
    for (let i = 0; i < seqs.length; i += chunkSize) {
      yield seqs.slice(i, i + chunkSize).map((s) => this.messages.get(s) as StoredMessage)
    }
  }

  async reset (): Promise<void> {
    this.sender = 1
    this.target = 1
    this.created = new Date()
    this.messages.clear()
  }

  async recordState (state: SessionStoreState): Promise<void> { this.state = state }
  async dispose (): Promise<void> {}
}
