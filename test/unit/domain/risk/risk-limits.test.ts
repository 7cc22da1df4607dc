import { expect } from 'chai'
import { limitsFor, type RiskLimits } from '../../../../src/domain/risk/risk-limits'
import { Decimal } from '../../../../src/domain/money'
import { d } from './fixtures'

/** Limits with decimals as plain strings, for deep comparison. */
function plain (l: RiskLimits): Record<string, unknown> {
  return Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v instanceof Decimal ? v.toFixed() : v]))
}

const SESSION: RiskLimits = {
  maxOrderQty: d('1000'),
  maxNotional: d('50000'),
  allowSymbols: ['AAPL', 'MSFT'],
  maxOpenOrders: 20
}

const ACCOUNTS: Readonly<Record<string, RiskLimits>> = {
  'ACC-SMALL': { maxOrderQty: d('100') },
  'ACC-WIDE': { allowSymbols: ['AAPL', 'MSFT', 'TSLA'], dailyLossLimit: d('2500') }
}

describe('domain/risk/risk-limits limitsFor', () => {
  it('gives the session limits for an order without an account', () => {
    expect(plain(limitsFor(SESSION, ACCOUNTS, null))).to.deep.equal(plain(SESSION))
  })

  it('gives the session limits when the session has no account overrides', () => {
    expect(plain(limitsFor(SESSION, undefined, 'ACC-SMALL'))).to.deep.equal(plain(SESSION))
  })

  it('gives the session limits for an account without overrides', () => {
    expect(plain(limitsFor(SESSION, ACCOUNTS, 'ACC-OTHER'))).to.deep.equal(plain(SESSION))
  })

  it('replaces a session limit with the account\'s and keeps the others', () => {
    expect(plain(limitsFor(SESSION, ACCOUNTS, 'ACC-SMALL'))).to.deep.equal({ maxOrderQty: '100', maxNotional: '50000', allowSymbols: ['AAPL', 'MSFT'], maxOpenOrders: 20 })
  })

  it('adds a limit the session does not have', () => {
    expect(limitsFor(SESSION, ACCOUNTS, 'ACC-WIDE').dailyLossLimit?.toFixed()).to.equal('2500')
  })

  it('replaces a symbol list as a whole rather than merging it', () => {
    expect(limitsFor(SESSION, ACCOUNTS, 'ACC-WIDE').allowSymbols).to.deep.equal(['AAPL', 'MSFT', 'TSLA'])
    expect(limitsFor(SESSION, { A: { allowSymbols: ['IBM'] } }, 'A').allowSymbols).to.deep.equal(['IBM'])
  })

  it('applies an account\'s overrides to that account only', () => {
    limitsFor(SESSION, ACCOUNTS, 'ACC-SMALL')
    expect(limitsFor(SESSION, ACCOUNTS, 'ACC-WIDE').maxOrderQty?.toFixed()).to.equal('1000')
  })

  it('leaves the session limits and the overrides unchanged', () => {
    const session = { ...SESSION }
    const accounts = { 'ACC-SMALL': { maxOrderQty: d('100') } }
    limitsFor(session, accounts, 'ACC-SMALL')
    expect(session.maxOrderQty?.toFixed()).to.equal('1000')
    expect(Object.keys(accounts['ACC-SMALL'])).to.deep.equal(['maxOrderQty'])
  })

  it('matches the account name exactly (case-sensitive)', () => {
    expect(limitsFor(SESSION, ACCOUNTS, 'acc-small').maxOrderQty?.toFixed()).to.equal('1000')
  })

  it('gives the session limits to accounts named like Object.prototype members', () => {
    for (const account of ['constructor', 'toString', '__proto__', 'hasOwnProperty']) {
      expect(plain(limitsFor(SESSION, ACCOUNTS, account)), account).to.deep.equal(plain(SESSION))
    }
  })
})
