/**
 * The application of QuickFIX's acceptance tests (see ../shared/conformance/README.md),
 * so the certification scripts can run against our session layer:
 *  - NewOrderSingle (D) is sent back unchanged on the same session; the session writes
 *    49/56/34/52 and drops PossDupFlag/OrigSendingTime, other header fields (PossResend,
 *    routing) stay. A PossResend=Y order whose ClOrdID was already seen since the last
 *    logout is dropped.
 *  - SecurityDefinition (d) and Email (C) are echoed too.
 *  - Anything else is unsupported: the session answers with BusinessMessageReject 380=3.
 * Echoed bodies are written in ascending tag order, each repeating group right after its
 * NumInGroup field with entries in dictionary order, as the reference engine writes them.
 */
import type { FixApp, FixgwSession } from '../session/fixgw-session'
import type { FieldSetSpec, SessionDictionary } from '../session/dictionary/session-dictionary'
import { structure, type Level } from '../session/validate/message-structure'
import type { RawMessage } from '../session/wire/raw-message'
import type { TagValue } from '../session/wire/encoder'

const ECHOED = new Set(['D', 'd', 'C'])
/** written by the session on every message we send */
const NOT_COPIED = new Set([8, 9, 10, 34, 35, 43, 49, 52, 56, 122])

export class EchoApp implements FixApp {
  private readonly orderIds = new Map<string, Set<string>>()

  supportsMsgType = (msgType: string): boolean => ECHOED.has(msgType)

  onReady (): void {}

  onStopped (s: FixgwSession): void { this.orderIds.delete(s.name) }

  onMessage (s: FixgwSession, msgType: string): void {
    const m = s.currentMessage
    if (m == null) return
    if (msgType === 'D') {
      const clOrdId = m.get(11) ?? ''
      let seen = this.orderIds.get(s.name)
      if (seen == null) { seen = new Set(); this.orderIds.set(s.name, seen) }
      if (m.get(97) === 'Y' && seen.has(clOrdId)) return
      seen.add(clOrdId)
    }
    const { header, body } = echoFields(m, s.codec.dictionary)
    s.sendFields(msgType, body, header)
  }
}

export function echoFields (m: RawMessage, dict: SessionDictionary): { header: TagValue[], body: TagValue[] } {
  const st = structure(m, dict)
  const header = st.header.fields.filter((f) => !NOT_COPIED.has(f.tag)).map((f) => [f.tag, f.value] as const)
  const spec = dict.message(m.msgType)
  const body: TagValue[] = []
  writeLevel(st.body, spec ?? null, null, body)
  return { header, body }
}

function writeLevel (lv: Level, spec: FieldSetSpec | null, order: readonly number[] | null, out: TagValue[]): void {
  const rank = (tag: number): number => {
    const i = order?.indexOf(tag) ?? -1
    return i < 0 ? 1_000_000 + tag : i
  }
  const fields = lv.fields.map((f, i) => ({ f, i })).sort((a, b) => rank(a.f.tag) - rank(b.f.tag) || a.i - b.i).map((x) => x.f)
  for (const f of fields) {
    out.push([f.tag, f.value])
    const entries = lv.groups.get(f)
    const g = spec?.groups.get(f.tag)
    if (entries == null || g == null) continue
    for (const e of entries) writeLevel(e, g, g.order, out)
  }
}
