import { expect } from 'chai'
import { Decimal } from '../../../src/domain/money'
import { normalizeExecution, type BrokerExecReport, type Normalized } from '../../../src/oms/execution-normalizer'

/** A broker ExecutionReport with an ExecID and nothing else of interest. */
function er (over: Partial<BrokerExecReport> = {}): BrokerExecReport {
  return {
    brokerClOrdId: 'B-1',
    origBrokerClOrdId: null,
    brokerOrderId: 'BO-1',
    execId: 'E-1',
    execType: '0',
    ordStatus: '0',
    lastQty: null,
    lastPx: null,
    commission: null,
    execRefId: null,
    ordRejReason: null,
    text: null,
    orderQty: null,
    cumQty: null,
    avgPx: null,
    leavesQty: null,
    execRestatementReason: null,
    ...over
  }
}

function trade (over: Partial<BrokerExecReport> = {}): BrokerExecReport {
  return er({ execType: 'F', ordStatus: '1', lastQty: '100', lastPx: '10.25', ...over })
}

/** The event with Decimals shown as plain strings, so it can be compared with deep.equal. */
function shown (n: Normalized): unknown {
  if (!n.ok) return n
  // Every Decimal in the event as its plain string; other values as they are.
  const event = Object.fromEntries(Object.entries(n.event).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v]))
  return { ok: true, event }
}

function problem (n: Normalized): string {
  if (n.ok) throw new Error(`expected a problem, got event ${JSON.stringify(n.event)}`)
  return n.problem
}

describe('oms/normalizeExecution', () => {
  describe('ExecType(150) → broker event', () => {
    it('maps ExecType=A (Pending New) to PendingNew', () => {
      expect(normalizeExecution(er({ execType: 'A', ordStatus: 'A' }))).to.deep.equal({ ok: true, event: { kind: 'PendingNew' } })
    })

    it('maps ExecType=6 (Pending Cancel), E (Pending Replace) and 5 (Replaced) to their events', () => {
      expect(normalizeExecution(er({ execType: '6' }))).to.deep.equal({ ok: true, event: { kind: 'PendingCancel' } })
      expect(normalizeExecution(er({ execType: 'E' }))).to.deep.equal({ ok: true, event: { kind: 'PendingReplace' } })
      expect(normalizeExecution(er({ execType: '5' }))).to.deep.equal({ ok: true, event: { kind: 'Replaced' } })
    })

    it('maps ExecType=H (Trade Cancel) to TradeCancel naming the busted ExecRefID(19), and refuses one without it', () => {
      expect(normalizeExecution(er({ execType: 'H', execRefId: 'X-9' }))).to.deep.equal({ ok: true, event: { kind: 'TradeCancel', refExecId: 'X-9' } })
      expect(normalizeExecution(er({ execType: 'H' }))).to.deep.equal({ ok: false, problem: 'trade cancel without ExecRefID(19)' })
    })

    it('maps ExecType=G (Trade Correct) to TradeCorrect with the corrected LastQty/LastPx, and checks them like a trade', () => {
      expect(shown(normalizeExecution(er({ execType: 'G', execRefId: 'X-9', lastQty: '90', lastPx: '10.2' }))))
        .to.deep.equal({ ok: true, event: { kind: 'TradeCorrect', refExecId: 'X-9', lastQty: '90', lastPx: '10.2', commission: '0' } })
      expect(normalizeExecution(er({ execType: 'G', execRefId: 'X-9', lastQty: '0', lastPx: '10' }))).to.deep.equal({ ok: false, problem: 'trade correct with bad LastQty(32)=0' })
      expect(normalizeExecution(er({ execType: 'G', lastQty: '1', lastPx: '10' }))).to.deep.equal({ ok: false, problem: 'trade correct without ExecRefID(19)' })
    })

    it('maps ExecType=D (Restated) with the restated OrderQty(38) and ExecRestatementReason(378)', () => {
      expect(shown(normalizeExecution(er({ execType: 'D', orderQty: '80', execRestatementReason: '3' })))).to.deep.equal({ ok: true, event: { kind: 'Restated', orderQty: '80', reason: '3' } })
      expect(shown(normalizeExecution(er({ execType: 'D' })))).to.deep.equal({ ok: true, event: { kind: 'Restated', orderQty: null, reason: null } })
      expect(normalizeExecution(er({ execType: 'D', orderQty: 'x' }))).to.deep.equal({ ok: false, problem: 'restatement with bad OrderQty(38)=x' })
    })

    it('maps ExecType=0 (New) to Ack', () => {
      expect(normalizeExecution(er({ execType: '0' }))).to.deep.equal({ ok: true, event: { kind: 'Ack' } })
    })

    it('maps ExecType=F (Trade) to Trade with LastQty(32), LastPx(31) and Commission(12) as exact decimals', () => {
      expect(shown(normalizeExecution(trade({ lastQty: '150.5', lastPx: '10.0125', commission: '1.75' }))))
        .to.deep.equal({ ok: true, event: { kind: 'Trade', lastQty: '150.5', lastPx: '10.0125', commission: '1.75' } })
    })

    it('maps ExecType=8 (Rejected) to Rejected, carrying Text(58)', () => {
      expect(normalizeExecution(er({ execType: '8', ordStatus: '8', text: 'unknown symbol' })))
        .to.deep.equal({ ok: true, event: { kind: 'Rejected', text: 'unknown symbol' } })
    })

    it('maps ExecType=8 without Text(58) to Rejected with a null text', () => {
      expect(normalizeExecution(er({ execType: '8', ordStatus: '8' }))).to.deep.equal({ ok: true, event: { kind: 'Rejected', text: null } })
    })

    it('maps ExecType=4 (Canceled) to Canceled, carrying Text(58)', () => {
      expect(normalizeExecution(er({ execType: '4', ordStatus: '4', text: 'IOC remainder' })))
        .to.deep.equal({ ok: true, event: { kind: 'Canceled', text: 'IOC remainder' } })
    })

    it('maps ExecType=4 without Text(58) to Canceled with a null text', () => {
      expect(normalizeExecution(er({ execType: '4', ordStatus: '4' }))).to.deep.equal({ ok: true, event: { kind: 'Canceled', text: null } })
    })

    it('maps ExecType=3 (Done for day) to DoneForDay', () => {
      expect(normalizeExecution(er({ execType: '3', ordStatus: '3' }))).to.deep.equal({ ok: true, event: { kind: 'DoneForDay' } })
    })

    it('maps ExecType=C (Expired) to Expired', () => {
      expect(normalizeExecution(er({ execType: 'C', ordStatus: 'C' }))).to.deep.equal({ ok: true, event: { kind: 'Expired' } })
    })

    it('maps ExecType=I (Order Status) to Status', () => {
      expect(shown(normalizeExecution(er({ execType: 'I', ordStatus: '1', cumQty: '40', avgPx: '10.5' })))).to.deep.equal({ ok: true, event: { kind: 'Status', ordStatus: '1', cumQty: '40', avgPx: '10.5' } })
    })
  })

  describe('trades', () => {
    it('defaults a missing Commission(12) to 0', () => {
      expect(shown(normalizeExecution(trade({ commission: null }))))
        .to.deep.equal({ ok: true, event: { kind: 'Trade', lastQty: '100', lastPx: '10.25', commission: '0' } })
    })

    it('does not take CumQty(14), LeavesQty(151) or AvgPx(6) from the broker: the event has only the fill', () => {
      const n = normalizeExecution(trade())
      if (!n.ok) throw new Error(n.problem)
      expect(Object.keys(n.event).sort()).to.deep.equal(['commission', 'kind', 'lastPx', 'lastQty'])
    })

    for (const lastQty of [null, '', '0', '-100', 'abc', '1e3']) {
      it(`reports a trade with LastQty(32)=${JSON.stringify(lastQty)} as a problem naming LastQty(32)`, () => {
        expect(problem(normalizeExecution(trade({ lastQty })))).to.include('LastQty(32)')
      })
    }

    for (const lastPx of [null, '', '-0.01', 'abc', '1e1']) {
      it(`reports a trade with LastPx(31)=${JSON.stringify(lastPx)} as a problem naming LastPx(31)`, () => {
        expect(problem(normalizeExecution(trade({ lastPx })))).to.include('LastPx(31)')
      })
    }

    it('puts the offending value in the problem text', () => {
      expect(problem(normalizeExecution(trade({ lastQty: '-100' })))).to.include('=-100')
      expect(problem(normalizeExecution(trade({ lastPx: 'abc' })))).to.include('=abc')
    })

    // Regression: parseDecimal refuses "100." although FIX 4.4 floats may end in a decimal point
    // ("23." = "23"); a real execution reported that way is dropped as a problem.
    it('accepts a trade with LastPx(31)="100." (a valid FIX 4.4 float)', () => {
      expect(shown(normalizeExecution(trade({ lastPx: '100.' }))))
        .to.deep.equal({ ok: true, event: { kind: 'Trade', lastQty: '100', lastPx: '100', commission: '0' } })
    })
  })

  describe('numbers beyond what we compute with exactly (issue 9)', () => {
    it('refuses a 1,000-digit LastQty(32) as out of bounds, naming field and bound', () => {
      expect(normalizeExecution(trade({ lastQty: '9'.repeat(1000) }))).to.deep.equal({ ok: false, outOfBounds: true, problem: 'LastQty(32)=99999999999999999999...(1000 chars) is above the maximum 1000000000000000' })
    })

    it('refuses a LastPx(31) of 10^40, a LastQty with 11 decimals and a 10^13 Commission(12)', () => {
      expect(normalizeExecution(trade({ lastPx: '1' + '0'.repeat(40) }))).to.include({ ok: false, outOfBounds: true })
      expect(problem(normalizeExecution(trade({ lastQty: '1.00000000001' })))).to.equal('LastQty(32)=1.00000000001 has more than 10 decimals')
      expect(problem(normalizeExecution(trade({ commission: '-10000000000000' })))).to.equal('Commission(12)=-10000000000000 is below the minimum -1000000000000')
    })

    it('refuses an out-of-bounds restated OrderQty(38) and status CumQty(14) / AvgPx(6)', () => {
      expect(normalizeExecution(er({ execType: 'D', orderQty: '9'.repeat(50) }))).to.include({ ok: false, outOfBounds: true })
      expect(problem(normalizeExecution(er({ execType: 'I', cumQty: '1' + '0'.repeat(20) })))).to.equal('CumQty(14)=100000000000000000000 is above the maximum 1000000000000000')
      expect(normalizeExecution(er({ execType: 'I', cumQty: '5', avgPx: '0.' + '0'.repeat(40) + '1' }))).to.include({ ok: false, outOfBounds: true })
    })

    it('still accepts the widest in-bounds values, zero LastPx, a negative commission and a zero or unreadable status CumQty', () => {
      expect(shown(normalizeExecution(trade({ lastQty: '999999999999999.9999999999', lastPx: '0', commission: '-1.5' }))))
        .to.deep.equal({ ok: true, event: { kind: 'Trade', lastQty: '999999999999999.9999999999', lastPx: '0', commission: '-1.5' } })
      expect(shown(normalizeExecution(er({ execType: 'I', cumQty: '0', avgPx: 'x' })))).to.deep.equal({ ok: true, event: { kind: 'Status', ordStatus: '0', cumQty: '0', avgPx: null } })
    })

    it('keeps plain problems (not a number) apart from out-of-bounds ones', () => {
      expect(normalizeExecution(trade({ lastQty: 'abc' }))).to.deep.equal({ ok: false, problem: 'trade with bad LastQty(32)=abc' })
    })
  })

  describe('problems', () => {
    it('reports a missing ExecID(17) as a problem, whatever the ExecType(150)', () => {
      for (const execType of ['0', 'F', '8', 'Z']) {
        expect(normalizeExecution(trade({ execId: null, execType }))).to.deep.equal({ ok: false, problem: 'ExecID(17) missing' })
      }
    })

    it('reports an empty ExecID(17) as missing', () => {
      expect(normalizeExecution(er({ execId: '' }))).to.deep.equal({ ok: false, problem: 'ExecID(17) missing' })
    })

    for (const execType of ['1', '2', '7', '9', 'L', 'Z']) {
      it(`reports ExecType(150)=${execType} as not handled, naming the tag and the value`, () => {
        const p = problem(normalizeExecution(er({ execType })))
        expect(p).to.include('ExecType(150)')
        expect(p).to.include(`=${execType}`)
      })
    }

    it('reports a missing ExecType(150) as not handled', () => {
      expect(problem(normalizeExecution(er({ execType: null })))).to.include('ExecType(150)')
    })
  })
})
