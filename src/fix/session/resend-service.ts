/**
 * Answers a ResendRequest from the store: reads the range in chunks, plans it
 * (resend-plan.ts) and writes each step, waiting for the socket to drain so a large
 * range never piles up in memory. Resent messages keep their MsgSeqNum and body, get
 * PossDupFlag=Y, OrigSendingTime = their original SendingTime and a new SendingTime.
 */
import type { Logger } from 'pino'
import type { SessionStore, StoredMessage } from '../store/session-store'
import type { SessionDictionary } from './dictionary/session-dictionary'
import type { SessionSettings } from './session-settings'
import type { ByteSink } from './outbound-pipeline'
import { ResendPlanner, sessionMessagesOnly, type ResendStep } from './resend-plan'
import { encodeMessage, type TagValue } from './wire/encoder'
import { formatUtcTimestamp } from './wire/fix-time'
import { splitFields } from './wire/raw-message'

export interface ResendContext {
  readonly store: SessionStore
  readonly dict: SessionDictionary
  readonly settings: SessionSettings
  readonly log: Logger
  readonly clock: () => Date
}

/** Order messages a broker must not get late (settings.staleOrderSeconds). */
const ORDER_MSG_TYPES = new Set(['D', 'F', 'G'])

export async function serviceResend (ctx: ResendContext, sink: ByteSink, begin: number, end: number): Promise<{ resent: number, gapFills: number, stale: StoredMessage[] }> {
  const counts = { resent: 0, gapFills: 0, stale: [] as StoredMessage[] }
  const rebuilt = new Map<number, Buffer>()
  const staleBefore = ctx.settings.staleOrderSeconds == null ? null : ctx.clock().getTime() - ctx.settings.staleOrderSeconds * 1000
  // a stored message we cannot read back is gap-filled rather than resent garbled
  const gapFilled = (m: StoredMessage): boolean => {
    if (sessionMessagesOnly(m)) return true
    if (staleBefore != null && ORDER_MSG_TYPES.has(m.msgType) && m.sentAt.getTime() < staleBefore) {
      counts.stale.push(m)
      return true
    }
    const bytes = rebuildForResend(ctx, m)
    if (bytes == null) {
      ctx.log.error({ seqNum: m.seqNum }, 'stored message cannot be read back: gap-filled instead of resent')
      return true
    }
    rebuilt.set(m.seqNum, bytes)
    return false
  }
  const planner = new ResendPlanner(begin, end, gapFilled)
  const write = async (steps: ResendStep[]): Promise<void> => {
    for (const s of steps) {
      if (s.kind === 'resend') {
        counts.resent++
        const bytes = rebuilt.get(s.message.seqNum) as Buffer
        rebuilt.delete(s.message.seqNum)
        if (!sink.write(bytes)) await sink.drained()
      } else {
        counts.gapFills++
        if (!sink.write(gapFill(ctx, s.seqNum, s.newSeqNo))) await sink.drained()
      }
    }
  }
  for await (const chunk of ctx.store.readRange(begin, end, ctx.settings.resendChunkSize)) await write(planner.feed(chunk))
  await write(planner.finish())
  return counts
}

function header (ctx: ResendContext, seqNum: number, origSendingTime: string, extra: readonly TagValue[]): TagValue[] {
  return [
    [34, String(seqNum)], [43, 'Y'], [49, ctx.settings.senderCompId], [52, formatUtcTimestamp(ctx.clock())],
    [56, ctx.settings.targetCompId], [122, origSendingTime], ...extra
  ]
}

/** SequenceReset-GapFill for seqNum..newSeqNo-1 (not stored: it stands for messages that were). */
export function gapFill (ctx: ResendContext, seqNum: number, newSeqNo: number): Buffer {
  const now = formatUtcTimestamp(ctx.clock())
  return encodeMessage({ beginString: ctx.settings.beginString, msgType: '4', fields: header(ctx, seqNum, now, []) },
    [[36, String(newSeqNo)], [123, 'Y']])
}

const REWRITTEN = new Set([8, 9, 10, 34, 35, 43, 49, 52, 56, 122])

/** A stored application message, ready to go out again; null when it cannot be parsed. */
export function rebuildForResend (ctx: ResendContext, m: StoredMessage): Buffer | null {
  const bytes = Buffer.from(m.raw, 'latin1')
  const fields = splitFields(bytes, ctx.dict.dataLengths)
  if (typeof fields === 'string' || fields.length < 4 || fields[0].tag !== 8) return null
  const sent = fields.find((f) => f.tag === 52)?.value ?? formatUtcTimestamp(m.sentAt)
  const extra: TagValue[] = []
  const body: TagValue[] = []
  for (const f of fields) {
    if (REWRITTEN.has(f.tag)) continue
    if (ctx.dict.isHeaderTag(f.tag)) extra.push([f.tag, f.value])
    else if (!ctx.dict.isTrailerTag(f.tag)) body.push([f.tag, f.value])
  }
  return encodeMessage({ beginString: ctx.settings.beginString, msgType: m.msgType, fields: header(ctx, m.seqNum, sent, extra) }, body)
}
