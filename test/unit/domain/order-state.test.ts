import { expect } from 'chai'
import { ORD_STATES, ORD_STATUS, isOrdState, isTerminal, type OrdState } from '../../../src/domain/order-state'

/**
 * FIX 4.4 OrdStatus(39), written out from the FIX 4.4 field definition (not from the
 * implementation): 0 New, 1 Partially filled, 2 Filled, 3 Done for day, 4 Canceled,
 * 6 Pending Cancel, 7 Stopped, 8 Rejected, 9 Suspended, A Pending New, B Calculated,
 * C Expired, D Accepted for bidding, E Pending Replace. 5 (Replaced) was removed in 4.3/4.4.
 */
const FIX44_ORD_STATUS_VALUES = ['0', '1', '2', '3', '4', '6', '7', '8', '9', 'A', 'B', 'C', 'D', 'E']

/** What each internal state must show the client as OrdStatus(39). */
const EXPECTED_ORD_STATUS: ReadonlyArray<[OrdState, string, string]> = [
  ['Received', 'A', 'not yet accepted for execution → Pending New'],
  ['PendingRisk', 'A', 'not yet accepted for execution → Pending New'],
  ['Held', 'A', 'accepted by us but not at the broker → Pending New'],
  ['PendingNew', 'A', 'routed, broker has not acknowledged → Pending New'],
  ['New', '0', 'outstanding, no executions → New'],
  ['PartiallyFilled', '1', 'outstanding with executions → Partially filled'],
  ['Filled', '2', 'complete → Filled'],
  ['PendingCancel', '6', 'cancel requested → Pending Cancel'],
  ['Canceled', '4', 'canceled → Canceled'],
  ['PendingReplace', 'E', 'cancel/replace requested → Pending Replace'],
  ['Rejected', '8', 'rejected → Rejected'],
  ['DoneForDay', '3', 'no further executions today → Done for day'],
  ['Expired', 'C', 'canceled for its time in force → Expired']
]

describe('domain/order-state', () => {
  describe('ORD_STATES', () => {
    it('holds exactly the thirteen internal order states, each once', () => {
      expect([...ORD_STATES].sort()).to.deep.equal(EXPECTED_ORD_STATUS.map(([s]) => s).sort())
      expect(new Set(ORD_STATES).size).to.equal(ORD_STATES.length)
    })
  })

  describe('ORD_STATUS maps every state to its FIX 4.4 OrdStatus(39)', () => {
    for (const [state, code, why] of EXPECTED_ORD_STATUS) {
      it(`${state} is OrdStatus(39)=${code} (${why})`, () => {
        expect(ORD_STATUS[state]).to.equal(code)
      })
    }

    it('never produces OrdStatus(39)=5 (Replaced), which does not exist in FIX 4.4', () => {
      for (const s of ORD_STATES) expect(ORD_STATUS[s], s).to.not.equal('5')
    })

    it('only produces values that are valid OrdStatus(39) codes in FIX 4.4', () => {
      for (const s of ORD_STATES) expect(FIX44_ORD_STATUS_VALUES, s).to.include(ORD_STATUS[s])
    })

    it('has an entry for every state and no entry for anything else', () => {
      expect(Object.keys(ORD_STATUS).sort()).to.deep.equal([...ORD_STATES].sort())
    })
  })

  describe('isTerminal', () => {
    const terminal: OrdState[] = ['Filled', 'Canceled', 'Rejected', 'Expired']
    const live: OrdState[] = ['Received', 'PendingRisk', 'Held', 'PendingNew', 'New', 'PartiallyFilled', 'PendingCancel', 'PendingReplace', 'DoneForDay']

    for (const s of terminal) {
      it(`treats ${s} as terminal (no further executions expected, LeavesQty 0)`, () => {
        expect(isTerminal(s)).to.equal(true)
      })
    }
    for (const s of live) {
      it(`treats ${s} as not terminal`, () => {
        expect(isTerminal(s)).to.equal(false)
      })
    }

    it('classifies every state (terminal and non-terminal lists cover ORD_STATES)', () => {
      expect([...terminal, ...live].sort()).to.deep.equal([...ORD_STATES].sort())
    })
  })

  describe('isOrdState', () => {
    for (const s of EXPECTED_ORD_STATUS.map(([st]) => st)) {
      it(`accepts '${s}'`, () => {
        expect(isOrdState(s)).to.equal(true)
      })
    }

    for (const s of ['Replaced', 'new', 'NEW', 'Pending New', 'PendingNew ', '', '0', 'A', 'toString', 'constructor', '__proto__']) {
      it(`rejects ${JSON.stringify(s)}`, () => {
        expect(isOrdState(s)).to.equal(false)
      })
    }
  })
})
