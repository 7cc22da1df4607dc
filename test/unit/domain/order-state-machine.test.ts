import { expect } from 'chai'
import { ORD_STATES, isTerminal, type OrdState } from '../../../src/domain/order-state'
import { ORDER_EVENTS, transition, type OrderEvent } from '../../../src/domain/order-state-machine'

/**
 * The expected state machine, written out independently from FIX 4.4 (Vol. 4 order
 * handling and Appendix D order state change matrices), NOT derived from TRANSITIONS.
 *
 *   'Working' — New when nothing is filled, PartiallyFilled otherwise
 *   'Same'    — the state does not change
 *
 * Every (state, event) pair that is not listed must be refused with INVALID_TRANSITION.
 */
type Expected = OrdState | 'Working' | 'Same'

const EXPECTED: { readonly [S in OrdState]: { readonly [E in OrderEvent]?: Expected } } = {
  // Internal pipeline: only the next internal step, or our own reject.
  Received: {
    Validated: 'PendingRisk',
    InternalReject: 'Rejected'
  },
  PendingRisk: {
    RiskAccepted: 'PendingNew',
    RiskHeld: 'Held',
    InternalReject: 'Rejected'
  },
  // Held orders never reached a broker: a cancel is ours to complete at once.
  Held: {
    Released: 'PendingNew',
    InternalReject: 'Rejected',
    CancelRequested: 'Canceled'
  },
  // Routed, not acknowledged: the broker may send PendingNew, ack, reject, or execute
  // straight away; a cancel may be requested before the ack (Appendix D B.1.e).
  PendingNew: {
    BrokerPendingNew: 'Same',
    BrokerAck: 'New',
    BrokerReject: 'Rejected',
    PartialFill: 'PartiallyFilled',
    FullFill: 'Filled',
    CancelRequested: 'PendingCancel',
    UnsolicitedCancel: 'Canceled',
    DoneForDay: 'DoneForDay',
    Expired: 'Expired',
    Restated: 'Same',
    TradeBusted: 'Same' // nothing can be filled yet: a bust changes nothing
  },
  New: {
    BrokerAck: 'Same',
    PartialFill: 'PartiallyFilled',
    FullFill: 'Filled',
    CancelRequested: 'PendingCancel',
    ReplaceRequested: 'PendingReplace',
    UnsolicitedCancel: 'Canceled',
    DoneForDay: 'DoneForDay',
    Expired: 'Expired',
    Restated: 'Same',
    TradeBusted: 'Working'
  },
  PartiallyFilled: {
    BrokerAck: 'Same',
    PartialFill: 'PartiallyFilled',
    FullFill: 'Filled',
    CancelRequested: 'PendingCancel',
    ReplaceRequested: 'PendingReplace',
    UnsolicitedCancel: 'Canceled',
    DoneForDay: 'DoneForDay',
    Expired: 'Expired',
    Restated: 'Same',
    TradeBusted: 'Working'
  },
  // Pending Cancel takes precedence over partially filled (Appendix D D4 / B.1.c): it stays
  // until the broker answers the cancel.
  PendingCancel: {
    BrokerPendingNew: 'Same', // the NOS's PendingNew crosses our cancel 
    BrokerAck: 'Same', // the NOS's ack crosses our cancel (B.1.e)
    BrokerReject: 'Rejected', // the NOS is rejected while our cancel is in flight 
    PartialFill: 'Same',
    FullFill: 'Filled', // nothing left to cancel
    CancelAcked: 'Canceled',
    CancelRejected: 'Working',
    UnsolicitedCancel: 'Canceled',
    DoneForDay: 'Same',
    Expired: 'Expired',
    Restated: 'Same',
    TradeBusted: 'Same'
  },
  PendingReplace: {
    BrokerAck: 'Same',
    PartialFill: 'Same',
    FullFill: 'Filled',
    ReplaceAcked: 'Working',
    ReplaceRejected: 'Working',
    UnsolicitedCancel: 'Canceled',
    DoneForDay: 'Same',
    Expired: 'Expired',
    Restated: 'Same',
    TradeBusted: 'Same'
  },
  Filled: {
    PartialFill: 'Same', // an overfill: the fill is kept, the order stays Filled (flagged by the OMS)
    FullFill: 'Same',
    TradeBusted: 'Working', // a bust reopens the busted quantity
    Restated: 'Same',
    CancelRejected: 'Same', // "too late to cancel" after the fill crossed the cancel 
    ReplaceRejected: 'Same' // same for a replace (Appendix D C.2.a) 
  },
  // Late reports from the venue after the order is done.
  Canceled: {
    PartialFill: 'Same',
    FullFill: 'Filled',
    TradeBusted: 'Same',
    Restated: 'Same'
  },
  DoneForDay: {
    PartialFill: 'Same',
    FullFill: 'Filled',
    TradeBusted: 'Same',
    Restated: 'Working', // GT renewal the next morning (Appendix D D27) 
    Expired: 'Expired'
  },
  Expired: {
    PartialFill: 'Same',
    FullFill: 'Filled',
    TradeBusted: 'Same',
    Restated: 'Same'
  },
  // a fill for a rejected order is the broker's error, but it happened: kept, state unchanged
  Rejected: { PartialFill: 'Same', FullFill: 'Same' }
}

function resolve (from: OrdState, target: Expected, hasFills: boolean): OrdState {
  if (target === 'Same') return from
  if (target === 'Working') return hasFills ? 'PartiallyFilled' : 'New'
  return target
}

describe('domain/order-state-machine', () => {
  describe('the event and state vocabularies', () => {
    it('has exactly the twenty-one order events, each once', () => {
      expect([...ORDER_EVENTS].sort()).to.deep.equal([
        'BrokerAck', 'BrokerPendingNew', 'BrokerReject', 'CancelAcked', 'CancelRejected', 'CancelRequested',
        'DoneForDay', 'Expired', 'FullFill', 'InternalReject', 'PartialFill', 'Released', 'ReplaceAcked',
        'ReplaceRejected', 'ReplaceRequested', 'Restated', 'RiskAccepted', 'RiskHeld', 'TradeBusted',
        'UnsolicitedCancel', 'Validated'
      ])
      expect(new Set(ORDER_EVENTS).size).to.equal(ORDER_EVENTS.length)
    })

    it('has an expected row for every state (the table below walks all of ORD_STATES × ORDER_EVENTS)', () => {
      expect(Object.keys(EXPECTED).sort()).to.deep.equal([...ORD_STATES].sort())
    })
  })

  describe('transition() over every (state, event) pair', () => {
    for (const from of ORD_STATES) {
      describe(`from ${from}`, () => {
        for (const event of ORDER_EVENTS) {
          const target = EXPECTED[from][event]
          if (target === undefined) {
            it(`refuses ${event} with INVALID_TRANSITION, echoing from and event`, () => {
              for (const hasFills of [false, true]) {
                expect(transition(from, event, hasFills), `hasFills=${String(hasFills)}`)
                  .to.deep.equal({ ok: false, from, event, code: 'INVALID_TRANSITION' })
              }
            })
          } else {
            const label = target === 'Working'
              ? 'New without fills, PartiallyFilled with fills'
              : target === 'Same' ? `stays ${from}` : target
            it(`${event} → ${label}`, () => {
              for (const hasFills of [false, true]) {
                expect(transition(from, event, hasFills), `hasFills=${String(hasFills)}`)
                  .to.deep.equal({ ok: true, from, to: resolve(from, target, hasFills) })
              }
            })
          }
        }
      })
    }
  })

  describe('structural properties of the implementation', () => {
    it('never moves a Rejected order, whatever arrives (a stray fill is kept but the state stays)', () => {
      for (const e of ORDER_EVENTS) {
        const t = transition('Rejected', e, true)
        if (t.ok) expect(t.to, e).to.equal('Rejected')
      }
    })

    it('leaves a terminal state for a live one only through a bust of a Filled order', () => {
      for (const from of ORD_STATES.filter(isTerminal)) {
        for (const e of ORDER_EVENTS) {
          const t = transition(from, e, true)
          if (!t.ok || isTerminal(t.to)) continue
          expect({ from, e }).to.deep.equal({ from: 'Filled', e: 'TradeBusted' })
        }
      }
    })

    it('resolves to a concrete order state on every accepted transition (never Working or Same)', () => {
      for (const from of ORD_STATES) {
        for (const e of ORDER_EVENTS) {
          for (const hasFills of [false, true]) {
            const t = transition(from, e, hasFills)
            if (t.ok) expect(ORD_STATES as readonly string[], `${from}+${e}`).to.include(t.to)
          }
        }
      }
    })
  })

  describe('FIX 4.4 Appendix D lifecycles, step by step', () => {
    type Step = readonly [OrderEvent, boolean, OrdState]
    function walk (start: OrdState, steps: readonly Step[]): void {
      let state = start
      for (const [event, hasFills, to] of steps) {
        const t = transition(state, event, hasFills)
        expect(t, `${state} + ${event}`).to.deep.equal({ ok: true, from: state, to })
        state = to
      }
    }

    it('takes a client order through validation, risk, a hold and release to PendingNew', () => {
      walk('Received', [
        ['Validated', false, 'PendingRisk'],
        ['RiskHeld', false, 'Held'],
        ['Released', false, 'PendingNew']
      ])
    })

    it('fills an order in two executions (D1/A.1.a)', () => {
      walk('PendingNew', [
        ['BrokerAck', false, 'New'],
        ['PartialFill', true, 'PartiallyFilled'],
        ['FullFill', true, 'Filled']
      ])
    })

    it('keeps Pending Cancel through fills while the cancel is active, then cancels (D4/B.1.c)', () => {
      walk('PartiallyFilled', [
        ['CancelRequested', true, 'PendingCancel'],
        ['PartialFill', true, 'PendingCancel'],
        ['CancelAcked', true, 'Canceled']
      ])
    })

    it('returns to the previous working status when a cancel is rejected (D3/B.1.a)', () => {
      walk('New', [
        ['CancelRequested', false, 'PendingCancel'],
        ['CancelRejected', false, 'New']
      ])
      walk('PartiallyFilled', [
        ['CancelRequested', true, 'PendingCancel'],
        ['CancelRejected', true, 'PartiallyFilled']
      ])
    })

    it('cancels an order whose acknowledgment crosses the cancel request (B.1.e)', () => {
      walk('PendingNew', [
        ['CancelRequested', false, 'PendingCancel'],
        ['BrokerAck', false, 'PendingCancel'],
        ['CancelAcked', false, 'Canceled']
      ])
    })

    it('keeps Pending Replace through an execution and resumes after the replace (D7/C.1.b)', () => {
      walk('PartiallyFilled', [
        ['ReplaceRequested', true, 'PendingReplace'],
        ['PartialFill', true, 'PendingReplace'],
        ['ReplaceAcked', true, 'PartiallyFilled']
      ])
    })

    it('reopens a Filled order when a fill is busted (PartiallyFilled if fills remain, New if none)', () => {
      walk('Filled', [['TradeBusted', true, 'PartiallyFilled']])
      walk('Filled', [['TradeBusted', false, 'New']])
    })

    it('completes a Canceled order that receives a late completing fill', () => {
      walk('Canceled', [['PartialFill', true, 'Canceled'], ['FullFill', true, 'Filled']])
    })

    // Appendix D D27 has OrdStatus=1 after the Day-2 GTC renewal restatement.
    it('renews a partially filled GTC order the next day and fills it further (D27)', () => {
      walk('PartiallyFilled', [
        ['DoneForDay', true, 'DoneForDay'],
        ['Restated', true, 'PartiallyFilled'],
        ['PartialFill', true, 'PartiallyFilled']
      ])
    })

    // The bust must not drop PendingCancel, or the broker's CancelAcked would be refused.
    it('still completes a pending cancel after a fill is busted while the cancel is pending', () => {
      walk('PartiallyFilled', [
        ['CancelRequested', true, 'PendingCancel'],
        ['TradeBusted', true, 'PendingCancel'],
        ['CancelAcked', true, 'Canceled']
      ])
    })
  })
})
