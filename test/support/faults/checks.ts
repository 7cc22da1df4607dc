/**
 * What the fault tests assert, as functions returning the list of problems found (empty:
 * fine), so a test can print them all in one diagnosable failure and a summary can
 * count them. Nothing here knows how the gateway works inside: the inputs are what the
 * peers received, what went over the wire (WireTap) and the rows in Postgres.
 */
import { expect } from 'chai'
import type { WireFrame } from './wire-tap'
import { isAck, isTerminalEr, type ClientMessage, type SentOrder } from './fault-client'
import type { BrokerOrderSeen } from './fault-broker'
import { TERMINAL, type OrderRow } from './pg'

/** At most `max` items, then "… and N more". */
export function few (items: readonly string[], max = 15): string {
  return items.length <= max ? items.join('; ') : `${items.slice(0, max).join('; ')}; … and ${items.length - max} more`
}

/** Assert an empty problem list, with a short message: "<what>: 3 × (first; second; third)". */
export function expectNone (problems: readonly string[], what: string, max = 12): void {
  expect(problems.length, `${what}: ${problems.length} × (${few(problems, max)})`).to.equal(0)
}

/**
 * No sequence reset in what `side` wrote: no Logon with ResetSeqNumFlag(141)=Y, no
 * SequenceReset in reset mode (without GapFillFlag), and MsgSeqNum strictly increasing
 * over every new (not PossDupFlag=Y) message, across all connections.
 */
export function sequenceResetProblems (frames: readonly WireFrame[], side: string): string[] {
  const problems: string[] = []
  let last = 0
  let lastConn = 0
  for (const f of frames) {
    if (f.from !== side) continue
    if (f.msgType === 'A' && f.get(141) === 'Y') problems.push(`${side} sent a Logon with ResetSeqNumFlag=Y on connection ${f.conn}: ${f.text}`)
    if (f.msgType === '4' && f.get(123) !== 'Y') problems.push(`${side} sent a SequenceReset without GapFillFlag on connection ${f.conn}: ${f.text}`)
    if (f.possDup) continue
    if (!(f.seq > last)) problems.push(`${side} MsgSeqNum went from ${last} (connection ${lastConn}) to ${f.seq} (connection ${f.conn}, 35=${f.msgType})`)
    last = Math.max(last, f.seq)
    lastConn = f.conn
  }
  return problems
}

/**
 * MsgSeqNums of 1..(highest delivered) that `side` never delivered: neither a message
 * (new or resent) nor inside a SequenceReset-GapFill. Frames lost in a black hole do
 * not count as delivered.
 */
export function seqNumHoles (frames: readonly WireFrame[], side: string): number[] {
  const covered = new Set<number>()
  let max = 0
  for (const f of frames) {
    if (f.from !== side || f.dropped || !Number.isFinite(f.seq)) continue
    covered.add(f.seq)
    max = Math.max(max, f.seq)
    if (f.msgType === '4' && f.get(123) === 'Y') {
      const to = Number(f.get(36)) - 1
      for (let s = f.seq + 1; s <= to; s++) covered.add(s)
      max = Math.max(max, to)
    }
  }
  const holes: number[] = []
  for (let s = 1; s <= max; s++) if (!covered.has(s)) holes.push(s)
  return holes
}

/** "3, 5-9, 12" */
export function ranges (nums: readonly number[]): string {
  const out: string[] = []
  for (let i = 0; i < nums.length;) {
    let j = i
    while (j + 1 < nums.length && nums[j + 1] === nums[j] + 1) j++
    out.push(i === j ? String(nums[i]) : `${nums[i]}-${nums[j]}`)
    i = j + 1
  }
  return out.join(', ')
}

/** Orders the client saw acknowledged (any ER that says the gateway has it). */
export function acknowledged (received: readonly ClientMessage[]): Set<string> {
  return new Set(received.filter(isAck).map((m) => m.clOrdId ?? ''))
}

/** Every ClOrdID the client saw acknowledged must be an order in Postgres. */
export function lostAcknowledged (received: readonly ClientMessage[], orders: ReadonlyMap<string, OrderRow>): string[] {
  return [...acknowledged(received)].filter((id) => !orders.has(id)).sort()
}

/** ClOrdIDs the client sent that are not an order in a terminal state (no order at all included). */
export function notTerminal (sent: readonly SentOrder[], orders: ReadonlyMap<string, OrderRow>): string[] {
  return sent.filter((o) => !TERMINAL.has(orders.get(o.clOrdId)?.state ?? '')).map((o) => o.clOrdId)
}

/**
 * Exactly one terminal ExecutionReport per order at the client. A PossDupFlag=Y copy of
 * an ER the client already has (same ExecID) does not count; a PossDupFlag=Y ER it never
 * had (missed while away, then resent) is its delivery and counts.
 */
export function terminalErProblems (sent: readonly SentOrder[], received: readonly ClientMessage[]): { missing: string[], duplicated: string[] } {
  const byOrder = new Map<string, ClientMessage[]>()
  const seenExec = new Set<string>()
  for (const m of received) {
    if (m.msgType !== '8') continue
    const copy = m.possDup && seenExec.has(m.execId ?? '')
    seenExec.add(m.execId ?? '')
    if (copy || !isTerminalEr(m)) continue
    const list = byOrder.get(m.clOrdId ?? '') ?? []
    list.push(m)
    byOrder.set(m.clOrdId ?? '', list)
  }
  const missing: string[] = []
  const duplicated: string[] = []
  for (const o of sent) {
    const list = byOrder.get(o.clOrdId) ?? []
    if (list.length === 0) missing.push(o.clOrdId)
    if (list.length > 1) duplicated.push(`${o.clOrdId}: ${list.map((m) => `34=${m.seq}${m.possDup ? ' 43=Y' : ''} 17=${m.execId ?? ''} 150=${m.execType ?? ''} 39=${m.ordStatus ?? ''}`).join(' / ')}`)
  }
  return { missing, duplicated }
}

/**
 * A NewOrderSingle for the same order reached the broker more than once as a new
 * message (neither PossDupFlag nor PossResend): per our ClOrdID toward the broker, and
 * per client order (Account = the client's ClOrdID), from the broker application's
 * records and from the wire.
 */
export function duplicateOrdersAtBroker (seenByApp: readonly BrokerOrderSeen[], brokerWire: readonly WireFrame[], gatewaySide: string): string[] {
  const problems: string[] = []
  const count = (items: Array<{ key: string, flagged: boolean, where: string }>): void => {
    const n = new Map<string, string[]>()
    for (const i of items) {
      if (i.flagged) continue
      const list = n.get(i.key) ?? []
      list.push(i.where)
      n.set(i.key, list)
    }
    for (const [key, where] of n) if (where.length > 1) problems.push(`${key} ${where.length} times unflagged (${where.join(', ')})`)
  }
  count(seenByApp.map((s) => ({ key: `broker app: ClOrdID ${s.clOrdId}`, flagged: s.possDup || s.possResend, where: `34=${s.seq}` })))
  count(seenByApp.map((s) => ({ key: `broker app: order ${s.account}`, flagged: s.possDup || s.possResend, where: `11=${s.clOrdId} 34=${s.seq}` })))
  const wireD = brokerWire.filter((f) => f.from === gatewaySide && f.msgType === 'D' && !f.dropped)
  count(wireD.map((f) => ({ key: `wire: ClOrdID ${f.get(11) ?? ''}`, flagged: f.possDup || f.get(97) === 'Y', where: `34=${f.seq} conn ${f.conn}` })))
  return problems
}

/** Per order, its ack must come before its fill in the client's delivery order. */
export function outOfOrder (received: readonly ClientMessage[]): string[] {
  const ackAt = new Map<string, number>()
  const out: string[] = []
  for (const m of received) {
    if (m.msgType !== '8') continue
    const id = m.clOrdId ?? ''
    if (m.execType === '0' && !ackAt.has(id)) ackAt.set(id, m.index)
    if (m.execType === 'F' && !ackAt.has(id)) out.push(`${id}: fill (34=${m.seq}) before any ack`)
  }
  return out
}

/** The client application must get messages in MsgSeqNum order (resends included). */
export function deliveryOrderProblems (received: readonly ClientMessage[]): string[] {
  const out: string[] = []
  for (let i = 1; i < received.length; i++) {
    if (!(received[i].seq > received[i - 1].seq)) out.push(`34=${received[i].seq} delivered after 34=${received[i - 1].seq}`)
  }
  return out
}

/** The number of messages of each ExecType / MsgType, for summaries. */
export function histogram (values: readonly string[]): string {
  const n = new Map<string, number>()
  for (const v of values) n.set(v, (n.get(v) ?? 0) + 1)
  return n.size === 0 ? 'none' : [...n.entries()].sort().map(([k, c]) => `${k}:${c}`).join(' ')
}

/** One order as every side saw it, for failure messages: "K-7 (postgres Filled; client 150=0 150=F/43=Y; broker 1× D)". */
export function describeOrder (clOrdId: string, orders: ReadonlyMap<string, OrderRow>, received: readonly ClientMessage[], seenByApp: readonly BrokerOrderSeen[]): string {
  const text = (m: ClientMessage): string => { const t = /\|58=([^|]*)/.exec(m.text)?.[1]; return t == null ? '' : ` "${t}"` }
  const ers = received.filter((m) => m.clOrdId === clOrdId || m.refId === clOrdId)
    .map((m) => m.msgType === '8' ? `150=${m.execType ?? ''}${m.possDup ? '/43=Y' : ''}${m.execType === '8' ? text(m) : ''}` : `35=${m.msgType}${text(m)}`)
  const atBroker = seenByApp.filter((s) => s.account === clOrdId)
  return `${clOrdId} (postgres ${orders.get(clOrdId)?.state ?? 'none'}; client ${ers.length === 0 ? 'nothing' : ers.join(' ')}; broker ${atBroker.length}× D${atBroker.some((s) => s.possDup) ? ' incl. PossDup' : ''})`
}

/** "ResendRequests 3, 41 messages resent (43=Y), 2 gap fills": what `asker` asked of the other side and what came back. */
export function resendStats (frames: readonly WireFrame[], asker: string): string {
  const asked = frames.filter((f) => f.from === asker && f.msgType === '2').length
  const back = frames.filter((f) => f.from !== asker && f.possDup && !f.dropped)
  return `${asked} ResendRequests, ${back.filter((f) => f.msgType !== '4').length} messages resent (43=Y), ${back.filter((f) => f.msgType === '4').length} gap fills`
}
