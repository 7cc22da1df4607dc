import { expect } from 'chai'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { ConfigError } from '../../../src/config/config-error'
import type { BrokerSessionConfig } from '../../../src/config/session-config'

const base = { name: 'b', role: 'broker', senderCompId: 'GW', targetCompId: 'B1', host: '127.0.0.1', port: 9001 }
const parse = (extra: Record<string, unknown>): BrokerSessionConfig => parseSessionConfig({ ...base, ...extra }, 'b.json') as BrokerSessionConfig
function problem (extra: Record<string, unknown>): string {
  try { parse(extra) } catch (e) { if (e instanceof ConfigError) return `${e.field}: ${e.problem}`; throw e }
  throw new Error('expected a ConfigError')
}

describe('config: simulator block of a simulated broker session', () => {
  it('takes the behaviour fields', () => {
    const s = parse({ simulate: true, simulator: { fills: 3, fillDelayMs: 10, marketPrice: '101.5', rejectSymbols: ['REJ'], bustLastFill: true, refuseCancels: true } })
    expect(s.simulator).to.deep.equal({ fills: 3, fillDelayMs: 10, marketPrice: '101.5', rejectSymbols: ['REJ'], bustLastFill: true, refuseCancels: true })
    expect(parse({ simulate: true }).simulator).to.deep.equal({})
  })

  it('refuses it without simulate, unknown fields and bad values, naming the field', () => {
    expect(problem({ simulator: { fills: 1 } })).to.equal('simulator: only allowed with "simulate": true')
    expect(problem({ simulate: true, simulator: { fill: 1 } })).to.match(/^simulator\.fill: unknown field/)
    expect(problem({ simulate: true, simulator: { fills: -1 } })).to.match(/^simulator\.fills: must be a whole number/)
    expect(problem({ simulate: true, simulator: { marketPrice: 100.5 } })).to.match(/^simulator\.marketPrice: must be a positive decimal string/)
    expect(problem({ simulate: true, simulator: { duplicateReports: 'yes' } })).to.equal('simulator.duplicateReports: must be true or false')
  })
})
