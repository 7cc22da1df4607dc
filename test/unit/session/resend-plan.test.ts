import { expect } from 'chai'
import { planResend, ResendPlanner, resolveEndSeqNo, type ResendStep } from '../../../src/fix/session/resend-plan'
import type { StoredMessage } from '../../../src/fix/store/session-store'

/** 'A1 02 03 D4' = Logon seq 1, Heartbeats 2 and 3, NewOrderSingle 4 (any letter/digit is the MsgType) */
function stored (spec: string): StoredMessage[] {
  return spec.split(' ').filter((s) => s !== '').map((s) => ({ seqNum: Number(s.slice(1)), msgType: s[0], raw: `raw${s}`, sentAt: new Date(0) }))
}

/** steps as 'R4' (resend 4) and 'G2>5' (gap fill at 2, NewSeqNo 5) */
const show = (steps: readonly ResendStep[]): string => steps.map((s) => s.kind === 'resend' ? `R${s.message.seqNum}` : `G${s.seqNum}>${s.newSeqNo}`).join(' ')

/** [what the spec says, stored messages, begin, end, expected steps] */
const TABLE: ReadonlyArray<[string, string, number, number, string]> = [
  ['resends application messages one by one', 'D2 D3 D4', 2, 4, 'R2 R3 R4'],
  ['collapses admin messages into one gap fill ending after the last', 'A1 02 03 04', 1, 4, 'G1>5'],
  ['gap-fills admin messages before an application message, then resends it', '02 03 04 D5 D6', 2, 6, 'G2>5 R5 R6'],
  ['gap-fills each run of admin messages separately', '02 03 04 D5 D6 07 08 D9', 2, 9, 'G2>5 R5 R6 G7>9 R9'],
  ['ends with a gap fill when the range ends in admin messages', 'D2 D3 D4 05', 2, 5, 'R2 R3 R4 G5>6'],
  ['gap-fills a hole in the store like an admin message', 'D2 D5', 2, 5, 'R2 G3>5 R5'],
  ['gap-fills the whole range when nothing is stored', '', 3, 7, 'G3>8'],
  ['gap-fills a hole at the end of the range', 'D2 D3', 2, 6, 'R2 R3 G4>7'],
  ['merges a hole with adjacent admin messages into one gap fill', '02 04 D5', 2, 5, 'G2>5 R5'],
  ['ignores stored messages outside the requested range', 'D1 D2 D3 D4', 2, 3, 'R2 R3'],
  ['treats BusinessMessageReject (j) as an application message', '02 j3', 2, 3, 'G2>3 R3'],
  ['treats Reject (3) as a session message', '32 D3', 2, 3, 'G2>3 R3'],
  ['answers an empty range with nothing', 'D2', 3, 2, '']
]

describe('answering a ResendRequest: planResend', () => {
  for (const [spec, s, begin, end, expected] of TABLE) {
    it(spec, () => {
      expect(show(planResend(stored(s), begin, end))).to.equal(expected)
    })
  }

  it('plans the same steps when the stored messages come in chunks of any size', () => {
    const all = stored('A1 02 03 D4 D5 06 D7 08 09 D10 D12 013 D14')
    const whole = show(planResend(all, 1, 15))
    for (const size of [1, 2, 3, 5, 13]) {
      const p = new ResendPlanner(1, 15)
      const steps: ResendStep[] = []
      for (let i = 0; i < all.length; i += size) steps.push(...p.feed(all.slice(i, i + size)))
      steps.push(...p.finish())
      expect(show(steps), `chunks of ${size}`).to.equal(whole)
    }
  })

  it('gap-fills a stored application message the caller cannot resend', () => {
    expect(show(planResend(stored('D2 D3 D4'), 2, 4, (m) => m.seqNum === 3))).to.equal('R2 G3>4 R4')
  })

  it('reads EndSeqNo 0 as "up to the last message sent", and caps an EndSeqNo beyond it', () => {
    expect(resolveEndSeqNo(0, 10)).to.equal(9)
    expect(resolveEndSeqNo(50, 10)).to.equal(9)
    expect(resolveEndSeqNo(5, 10)).to.equal(5)
  })
})
