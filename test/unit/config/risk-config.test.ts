import { expect } from 'chai'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { ConfigError } from '../../../src/config/config-error'
import type { ClientSessionConfig } from '../../../src/config/session-config'

const FILE = 'sessions/c.json'
const base = { name: 'c', role: 'client', senderCompId: 'GW', targetCompId: 'C1', host: '127.0.0.1', port: 9000 }

function parse (extra: Record<string, unknown>): ClientSessionConfig {
  return parseSessionConfig({ ...base, ...extra }, FILE) as ClientSessionConfig
}

function problem (extra: Record<string, unknown>): { field: string, problem: string } {
  try {
    parse(extra)
  } catch (e) {
    if (e instanceof ConfigError) return { field: e.field, problem: e.problem }
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('config: risk block and symbol list of a client session', () => {
  it('parses every limit, decimals exactly, with account overrides', () => {
    const s = parse({
      symbols: ['IBM', 'MSFT'],
      risk: {
        maxOrderQty: '10000', maxNotional: 2000000, priceCollarPct: '2.5', referencePrices: { IBM: '150.125' },
        allowSymbols: ['IBM'], denySymbols: ['GME'], maxOpenOrders: 10, maxPositionPerSymbol: '0', dailyLossLimit: '25000.50',
        maxOrdersPerSecond: 5, tradingHours: { start: '09:30', end: '16:00', timeZone: 'America/New_York', days: [1, 2, 3, 4, 5] },
        accounts: { SMALL: { maxOrderQty: '100' } }
      }
    })
    expect(s.symbols).to.deep.equal(['IBM', 'MSFT'])
    const l = s.risk.limits
    expect([l.maxOrderQty?.toFixed(), l.maxNotional?.toFixed(), l.priceCollarPct?.toFixed(), l.referencePrices?.IBM.toFixed(), l.maxPositionPerSymbol?.toFixed(), l.dailyLossLimit?.toFixed()])
      .to.deep.equal(['10000', '2000000', '2.5', '150.125', '0', '25000.5'])
    expect([l.maxOpenOrders, l.maxOrdersPerSecond]).to.deep.equal([10, 5])
    expect(l.tradingHours).to.deep.equal({ start: '09:30', end: '16:00', timeZone: 'America/New_York', days: [1, 2, 3, 4, 5] })
    expect(s.risk.accounts.SMALL.maxOrderQty?.toFixed()).to.equal('100')
  })

  it('refuses a fractional JSON number for a decimal (it would be a binary float)', () => {
    expect(problem({ risk: { maxNotional: 1000.5 } })).to.deep.equal({ field: 'risk.maxNotional', problem: 'write fractional or large numbers as strings, e.g. "1000.5" (JSON numbers are binary floats)' })
  })

  it('refuses unknown fields, bad decimals, zero limits, bad counts, times, zones and weekdays, naming the field', () => {
    expect(problem({ risk: { maxQty: '1' } }).field).to.equal('risk.maxQty')
    expect(problem({ risk: { maxOrderQty: '-5' } }).field).to.equal('risk.maxOrderQty')
    expect(problem({ risk: { maxOrderQty: '0' } })).to.deep.equal({ field: 'risk.maxOrderQty', problem: 'must be greater than 0' })
    expect(problem({ risk: { maxOpenOrders: 0 } }).field).to.equal('risk.maxOpenOrders')
    expect(problem({ risk: { tradingHours: { start: '9:30', end: '16:00' } } }).field).to.equal('risk.tradingHours.start')
    expect(problem({ risk: { tradingHours: { start: '09:30', end: '16:00', timeZone: 'Mars/Olympus' } } }).field).to.equal('risk.tradingHours.timeZone')
    expect(problem({ risk: { tradingHours: { start: '09:30', end: '16:00', days: [0] } } }).field).to.equal('risk.tradingHours.days[0]')
    expect(problem({ risk: { accounts: { A: { accounts: {} } } } }).field).to.equal('risk.accounts.A.accounts')
    expect(problem({ risk: { referencePrices: { IBM: 'cheap' } } }).field).to.equal('risk.referencePrices.IBM')
    expect(problem({ symbols: ['IBM', ''] }).field).to.equal('symbols[1]')
  })

  it('takes dedupeRetentionDays as a whole number of days, at least 1', () => {
    expect(parse({ dedupeRetentionDays: 5 }).dedupeRetentionDays).to.equal(5)
    expect(parse({}).dedupeRetentionDays).to.equal(null)
    expect(problem({ dedupeRetentionDays: 0 }).field).to.equal('dedupeRetentionDays')
    expect(problem({ dedupeRetentionDays: '2' }).field).to.equal('dedupeRetentionDays')
  })

  it('refuses risk and symbols on a broker session', () => {
    const e = (() => { try { parseSessionConfig({ ...base, role: 'broker', risk: {} }, FILE) } catch (x) { return x as ConfigError } throw new Error('no error') })()
    expect([e.field, e.problem]).to.deep.equal(['risk', 'only allowed when role is "client"'])
  })
})
