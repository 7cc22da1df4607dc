import { expect } from 'chai'
import { verify, type SeqChecks, type VerifyContext } from '../../../src/fix/session/seq-verdict'
import { parseFrame, type RawMessage } from '../../../src/fix/session/wire/raw-message'
import { formatUtcTimestamp } from '../../../src/fix/session/wire/fix-time'
import { fix } from '../../support/fix-text'

const NOW = new Date(Date.UTC(2024, 0, 2, 12, 0, 0))
const at = (secondsFromNow: number): string => formatUtcTimestamp(new Date(NOW.getTime() + secondsFromNow * 1000))
const ctx: VerifyContext = { expected: 5, now: NOW, senderCompId: 'ISLD', targetCompId: 'TW', checkCompIds: true, maxLatencySeconds: 120 }
const BOTH: SeqChecks = { tooHigh: true, tooLow: true }

function msg (extra: string, { seq = 5, type = '0', sent = at(0), sender = 'TW', target = 'ISLD' } = {}): RawMessage {
  const r = parseFrame(fix(`8=FIX.4.4|35=${type}|34=${seq}|49=${sender}|52=${sent}|56=${target}|${extra}`), new Map())
  if (!r.ok) throw new Error(r.reason)
  return r.msg
}

describe('verifying an inbound message (SendingTime, CompIDs, MsgSeqNum, PossDup)', () => {
  it('accepts the expected MsgSeqNum', () => {
    expect(verify(msg(''), ctx, BOTH).kind).to.equal('ok')
  })

  it('queues a MsgSeqNum higher than expected (a gap: ResendRequest)', () => {
    expect(verify(msg('', { seq: 9 }), ctx, BOTH).kind).to.equal('too-high')
  })

  it('logs out on a MsgSeqNum lower than expected without PossDupFlag, saying what it expected', () => {
    expect(verify(msg('', { seq: 2 }), ctx, BOTH)).to.deep.equal({ kind: 'too-low', text: 'MsgSeqNum too low, expecting 5 but received 2' })
  })

  it('ignores a lower MsgSeqNum with PossDupFlag=Y and an earlier OrigSendingTime (already received)', () => {
    expect(verify(msg(`43=Y|122=${at(-5)}|`, { seq: 2 }), ctx, BOTH).kind).to.equal('duplicate')
  })

  it('rejects a possible duplicate without OrigSendingTime with 373=1 on tag 122', () => {
    const v = verify(msg('43=Y|', { seq: 2 }), ctx, BOTH)
    expect(v.kind === 'reject' && [v.problem.reason, v.problem.refTagId]).to.deep.equal([1, '122'])
  })

  it('rejects and logs out on a possible duplicate whose OrigSendingTime is after its SendingTime (373=10)', () => {
    const v = verify(msg(`43=Y|122=${at(10)}|`, { seq: 2 }), ctx, BOTH)
    expect(v.kind === 'reject-logout' && v.problem.reason).to.equal(10)
  })

  it('checks PossDup consistency at the expected MsgSeqNum too (FIX 4.4 Vol 2 test 2g)', () => {
    expect(verify(msg('43=Y|'), ctx, BOTH).kind).to.equal('reject')
    expect(verify(msg(`43=Y|122=${at(-1)}|`), ctx, BOTH).kind).to.equal('ok')
  })

  it('does not ask for OrigSendingTime on a SequenceReset-GapFill sent as a possible duplicate', () => {
    expect(verify(msg('43=Y|36=9|123=Y|', { seq: 2, type: '4' }), ctx, BOTH).kind).to.equal('duplicate')
  })

  it('rejects and logs out on a SendingTime more than 120 s from our clock, either way (373=10)', () => {
    for (const off of [-121, 121]) {
      const v = verify(msg('', { sent: at(off) }), ctx, BOTH)
      expect(v.kind === 'reject-logout' && v.problem.reason, `${off} s`).to.equal(10)
    }
    expect(verify(msg('', { sent: at(-119) }), ctx, BOTH).kind).to.equal('ok')
  })

  it('rejects and logs out on a wrong SenderCompID or TargetCompID (373=9), before looking at MsgSeqNum', () => {
    for (const o of [{ sender: 'WT' }, { target: 'DLSI' }]) {
      const v = verify(msg('', { ...o, seq: 1 }), ctx, BOTH)
      expect(v.kind === 'reject-logout' && v.problem.reason).to.equal(9)
    }
  })

  it('skips the checks it is told to skip (ResendRequest, Logout, SequenceReset-Reset)', () => {
    expect(verify(msg('', { seq: 1 }), ctx, { tooHigh: false, tooLow: false }).kind).to.equal('ok')
    expect(verify(msg('', { seq: 99 }), ctx, { tooHigh: false, tooLow: true }).kind).to.equal('ok')
  })

  it('does not check SendingTime or CompIDs when switched off', () => {
    const off = { ...ctx, maxLatencySeconds: null, checkCompIds: false }
    expect(verify(msg('', { sent: at(-3600), sender: 'X' }), off, BOTH).kind).to.equal('ok')
  })
})
