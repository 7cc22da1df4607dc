import { expect } from 'chai'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { ConfigError } from '../../../src/config/config-error'
import type { ClientSessionConfig } from '../../../src/config/session-config'
import { DEFAULT_BOUNDS } from '../../../src/domain/numeric-bounds'

const FILE = 'sessions/c.json'
const base = { name: 'c', role: 'client', senderCompId: 'GW', targetCompId: 'C1', host: '127.0.0.1', port: 9000 }

function parse (extra: Record<string, unknown>): ClientSessionConfig {
  return parseSessionConfig({ ...base, ...extra }, FILE) as ClientSessionConfig
}

function problem (bounds: unknown): string {
  try {
    parse({ bounds })
  } catch (e) {
    if (e instanceof ConfigError) return e.message
    throw e
  }
  throw new Error('expected a ConfigError')
}

const shown = (s: ClientSessionConfig): unknown[] =>
  [s.bounds.maxQty.toFixed(), s.bounds.maxQtyDecimals, s.bounds.minPrice.toFixed(), s.bounds.maxPrice.toFixed(), s.bounds.maxPriceDecimals]

describe('config: bounds block of a client session', () => {
  it('defaults to qty ≤ 10^12 with 8 decimals, price 10^-8 … 10^9 with 8 decimals', () => {
    expect(parse({}).bounds).to.equal(DEFAULT_BOUNDS)
    expect(shown(parse({}))).to.deep.equal(['1000000000000', 8, '0.00000001', '1000000000', 8])
  })

  it('parses every field, decimals as strings or whole JSON numbers', () => {
    const s = parse({ bounds: { maxQty: 1000000, maxQtyDecimals: 0, minPrice: '0.0001', maxPrice: '50000', maxPriceDecimals: 4 } })
    expect(shown(s)).to.deep.equal(['1000000', 0, '0.0001', '50000', 4])
    expect(Object.isFrozen(s.bounds)).to.equal(true)
  })

  it('keeps the defaults of fields left out; minPrice follows a smaller maxPriceDecimals', () => {
    expect(shown(parse({ bounds: { maxQty: '5000' } }))).to.deep.equal(['5000', 8, '0.00000001', '1000000000', 8])
    expect(shown(parse({ bounds: { maxPriceDecimals: 2 } }))).to.deep.equal(['1000000000000', 8, '0.01', '1000000000', 2])
    expect(shown(parse({ bounds: { maxPriceDecimals: 12 } }))[2]).to.equal('0.00000001')
  })

  it('allows up to the hard ceilings (qty 10^15 / 10 decimals, price 10^-12 … 10^12 / 12 decimals)', () => {
    const s = parse({ bounds: { maxQty: '1000000000000000', maxQtyDecimals: 10, minPrice: '0.000000000001', maxPrice: '1000000000000', maxPriceDecimals: 12 } })
    expect(shown(s)).to.deep.equal(['1000000000000000', 10, '0.000000000001', '1000000000000', 12])
  })

  it('names file, field path and problem for every bad value', () => {
    expect(problem('x')).to.equal('sessions/c.json: bounds: must be an object (got string)')
    expect(problem({ maxqty: '1' })).to.equal('sessions/c.json: bounds.maxqty: unknown field (known: maxQty, maxQtyDecimals, minPrice, maxPrice, maxPriceDecimals)')
    expect(problem({ maxQty: '1e12' })).to.equal('sessions/c.json: bounds.maxQty: must be a positive decimal such as "1000000" or "0.0001" (got "1e12")')
    expect(problem({ maxQty: 1.5 })).to.equal('sessions/c.json: bounds.maxQty: write fractional or large numbers as strings, e.g. "1.5" (JSON numbers are binary floats)')
    expect(problem({ maxQty: '0' })).to.equal('sessions/c.json: bounds.maxQty: must be greater than 0')
    expect(problem({ maxQty: '1000000000000001' })).to.equal('sessions/c.json: bounds.maxQty: must be at most 1000000000000000 (got 1000000000000001)')
    expect(problem({ maxQty: '9'.repeat(41) })).to.equal('sessions/c.json: bounds.maxQty: must be at most 40 characters long (got 41)')
    expect(problem({ maxQtyDecimals: 11 })).to.equal('sessions/c.json: bounds.maxQtyDecimals: must be between 0 and 10 (got 11)')
    expect(problem({ maxQtyDecimals: '8' })).to.equal('sessions/c.json: bounds.maxQtyDecimals: must be a whole number of decimals (got string)')
    expect(problem({ maxPriceDecimals: 2.5 })).to.equal('sessions/c.json: bounds.maxPriceDecimals: must be a whole number of decimals (got 2.5)')
    expect(problem({ maxPriceDecimals: 13 })).to.equal('sessions/c.json: bounds.maxPriceDecimals: must be between 0 and 12 (got 13)')
    expect(problem({ minPrice: '0.0000000000001', maxPriceDecimals: 12 })).to.equal('sessions/c.json: bounds.minPrice: must be at least 0.000000000001 (got 0.0000000000001)')
    expect(problem({ maxPrice: '1000000000001' })).to.equal('sessions/c.json: bounds.maxPrice: must be at most 1000000000000 (got 1000000000001)')
    expect(problem({ minPrice: '10', maxPrice: '10' })).to.equal('sessions/c.json: bounds.maxPrice: must be greater than bounds.minPrice (10)')
    expect(problem({ minPrice: '0.001', maxPriceDecimals: 2 })).to.equal('sessions/c.json: bounds.minPrice: has 3 decimals, more than bounds.maxPriceDecimals (2): no price could be that small')
  })

  it('is a client-only field', () => {
    try {
      parseSessionConfig({ ...base, role: 'broker', bounds: {} }, FILE)
      expect.fail('expected a ConfigError')
    } catch (e) {
      expect((e as Error).message).to.equal('sessions/c.json: bounds: only allowed when role is "client"')
    }
  })
})
