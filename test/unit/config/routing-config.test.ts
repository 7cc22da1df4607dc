import { expect } from 'chai'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { ConfigError } from '../../../src/config/config-error'
import type { BrokerSessionConfig } from '../../../src/config/session-config'

const FILE = 'sessions/b.json'
const brokerBase = { name: 'b', role: 'broker', senderCompId: 'GW', targetCompId: 'BRK', host: '127.0.0.1', port: 9001 }
const clientBase = { name: 'c', role: 'client', senderCompId: 'GW', targetCompId: 'C1', host: '127.0.0.1', port: 9000 }

function parse (extra: Record<string, unknown>): BrokerSessionConfig {
  return parseSessionConfig({ ...brokerBase, ...extra }, FILE) as BrokerSessionConfig
}

function problem (extra: Record<string, unknown>, base: Record<string, unknown> = brokerBase): { file: string, field: string, problem: string } {
  try {
    parseSessionConfig({ ...base, ...extra }, FILE)
  } catch (e) {
    if (e instanceof ConfigError) return { file: e.file, field: e.field, problem: e.problem }
    throw e
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(extra)}`)
}

const refused = (field: string, what: string): { file: string, field: string, problem: string } => ({ file: FILE, field, problem: what })

const RULE_FIELDS = 'clients, accounts, symbols, securityTypes, exDestinations, priority'

describe('config: routing fields of a broker session (routes, defaultRoute, whenDown, fieldMap)', () => {
  describe('defaults', () => {
    it('no routing fields: no rules, not the default route, reject while down, no field mapping, resend everything', () => {
      expect(parse({}).routing).to.deep.equal({ routes: [], defaultRoute: false, whenDown: 'reject', fieldMap: { set: {}, strip: [] }, staleOrderSeconds: null })
    })

    it('the parsed routing is frozen', () => {
      const r = parse({ routes: [{ symbols: ['A'] }], fieldMap: { set: { 1: 'X' }, strip: [100] } }).routing
      expect(Object.isFrozen(r)).to.equal(true)
      expect(Object.isFrozen(r.routes)).to.equal(true)
      expect(Object.isFrozen(r.routes[0])).to.equal(true)
      expect(Object.isFrozen(r.fieldMap.set)).to.equal(true)
      expect(Object.isFrozen(r.fieldMap.strip)).to.equal(true)
    })
  })

  describe('routes', () => {
    it('parses every criterion, priority defaulting to 100, in file order', () => {
      const r = parse({
        routes: [
          { exDestinations: ['XLON'], priority: 10 },
          { clients: ['demo-client'], accounts: ['ACC1', 'ACC2'], symbols: ['VOD.L'], securityTypes: ['CS'] },
          { symbols: ['X'], priority: -5 },
          { symbols: ['Y'], priority: 0 }
        ]
      }).routing
      expect(r.routes).to.deep.equal([
        { exDestinations: ['XLON'], priority: 10 },
        { clients: ['demo-client'], accounts: ['ACC1', 'ACC2'], symbols: ['VOD.L'], securityTypes: ['CS'], priority: 100 },
        { symbols: ['X'], priority: -5 },
        { symbols: ['Y'], priority: 0 }
      ])
    })

    it('an empty routes array is no rules', () => {
      expect(parse({ routes: [] }).routing.routes).to.deep.equal([])
    })

    it('refuses routes that is not an array', () => {
      expect(problem({ routes: { symbols: ['A'] } })).to.deep.equal(refused('routes', 'must be an array of rules (got object)'))
      expect(problem({ routes: null })).to.deep.equal(refused('routes', 'must be an array of rules (got null)'))
      expect(problem({ routes: 'AAPL' })).to.deep.equal(refused('routes', 'must be an array of rules (got string)'))
    })

    it('refuses a rule that is not an object', () => {
      expect(problem({ routes: [{ symbols: ['A'] }, ['A']] })).to.deep.equal(refused('routes[1]', 'must be an object'))
      expect(problem({ routes: [null] })).to.deep.equal(refused('routes[0]', 'must be an object'))
      expect(problem({ routes: ['AAPL'] })).to.deep.equal(refused('routes[0]', 'must be an object'))
    })

    it('refuses an unknown rule field, naming the known ones', () => {
      expect(problem({ routes: [{ symbol: ['AAPL'] }] })).to.deep.equal(refused('routes[0].symbol', `unknown field (known: ${RULE_FIELDS})`))
      expect(problem({ routes: [{ symbols: ['A'] }, { symbols: ['B'], side: '1' }] })).to.deep.equal(refused('routes[1].side', `unknown field (known: ${RULE_FIELDS})`))
    })

    for (const field of ['clients', 'accounts', 'symbols', 'securityTypes', 'exDestinations']) {
      it(`refuses an empty or mistyped ${field} list, and empty or non-string entries`, () => {
        expect(problem({ routes: [{ [field]: [] }] })).to.deep.equal(refused(`routes[0].${field}`, 'must be a non-empty array of strings (got array)'))
        expect(problem({ routes: [{ [field]: 'AAPL' }] })).to.deep.equal(refused(`routes[0].${field}`, 'must be a non-empty array of strings (got string)'))
        expect(problem({ routes: [{ [field]: null }] })).to.deep.equal(refused(`routes[0].${field}`, 'must be a non-empty array of strings (got null)'))
        expect(problem({ routes: [{ [field]: ['A', ''] }] })).to.deep.equal(refused(`routes[0].${field}[1]`, 'must be a non-empty string'))
        expect(problem({ routes: [{ [field]: ['A', 7] }] })).to.deep.equal(refused(`routes[0].${field}[1]`, 'must be a non-empty string'))
      })
    }

    it('refuses a priority that is not a whole number', () => {
      for (const priority of [1.5, '10', null, true, [1]]) {
        expect(problem({ routes: [{ symbols: ['A'], priority }] }), JSON.stringify(priority)).to.deep.equal(refused('routes[0].priority', 'must be a whole number'))
      }
    })

    it('refuses a rule with no criteria (it would take every order), with or without a priority', () => {
      const what = 'a rule needs at least one of clients, accounts, symbols, securityTypes, exDestinations'
      expect(problem({ routes: [{}] })).to.deep.equal(refused('routes[0]', what))
      expect(problem({ routes: [{ symbols: ['A'] }, { priority: 1 }] })).to.deep.equal(refused('routes[1]', what))
    })
  })

  describe('defaultRoute', () => {
    it('true or false', () => {
      expect(parse({ defaultRoute: true }).routing.defaultRoute).to.equal(true)
      expect(parse({ defaultRoute: false }).routing.defaultRoute).to.equal(false)
    })

    it('refuses anything else', () => {
      expect(problem({ defaultRoute: 'yes' })).to.deep.equal(refused('defaultRoute', 'must be true or false (got string)'))
      expect(problem({ defaultRoute: 1 })).to.deep.equal(refused('defaultRoute', 'must be true or false (got number)'))
    })

    // Regression: an explicit null used to be read as the default.
    it('refuses an explicit null', () => {
      expect(problem({ defaultRoute: null })).to.deep.equal(refused('defaultRoute', 'must be true or false (got null)'))
    })
  })

  describe('staleOrderSeconds', () => {
    it('a whole number of seconds from 1 to 86400', () => {
      expect(parse({ staleOrderSeconds: 1 }).routing.staleOrderSeconds).to.equal(1)
      expect(parse({ staleOrderSeconds: 86_400 }).routing.staleOrderSeconds).to.equal(86_400)
    })

    it('refuses zero, negatives, fractions, too large, strings and null, quoting the value', () => {
      for (const bad of [0, -5, 1.5, 86_401, '30', null]) {
        expect(problem({ staleOrderSeconds: bad })).to.deep.equal(refused('staleOrderSeconds', `must be a whole number of seconds from 1 to 86400 (got ${JSON.stringify(bad)})`))
      }
    })

    it('is a broker field: a client session file may not have it', () => {
      expect(problem({ staleOrderSeconds: 30 }, clientBase).field).to.equal('staleOrderSeconds')
    })
  })

  describe('whenDown', () => {
    it('"reject" or "hold"', () => {
      expect(parse({ whenDown: 'reject' }).routing.whenDown).to.equal('reject')
      expect(parse({ whenDown: 'hold' }).routing.whenDown).to.equal('hold')
    })

    it('refuses anything else, quoting it', () => {
      expect(problem({ whenDown: 'queue' })).to.deep.equal(refused('whenDown', 'must be "reject" or "hold" (got "queue")'))
      expect(problem({ whenDown: 'Hold' })).to.deep.equal(refused('whenDown', 'must be "reject" or "hold" (got "Hold")'))
      expect(problem({ whenDown: true })).to.deep.equal(refused('whenDown', 'must be "reject" or "hold" (got true)'))
    })

    // Regression: same as defaultRoute.
    it('refuses an explicit null', () => {
      expect(problem({ whenDown: null })).to.deep.equal(refused('whenDown', 'must be "reject" or "hold" (got null)'))
    })
  })

  describe('fieldMap', () => {
    it('set: tag → value (tags as JSON keys); strip: tag numbers', () => {
      const fm = parse({ fieldMap: { set: { 1: 'GW-ACCOUNT-AT-BROKER', 100: 'XLON', 5000: 'custom' }, strip: [100, 18] } }).routing.fieldMap
      expect(fm).to.deep.equal({ set: { 1: 'GW-ACCOUNT-AT-BROKER', 100: 'XLON', 5000: 'custom' }, strip: [100, 18] })
      expect(Object.keys(fm.set)).to.deep.equal(['1', '100', '5000'])
    })

    it('set alone, or strip alone, or an empty object', () => {
      expect(parse({ fieldMap: { set: { 1: 'A' } } }).routing.fieldMap).to.deep.equal({ set: { 1: 'A' }, strip: [] })
      expect(parse({ fieldMap: { strip: [100] } }).routing.fieldMap).to.deep.equal({ set: {}, strip: [100] })
      expect(parse({ fieldMap: {} }).routing.fieldMap).to.deep.equal({ set: {}, strip: [] })
    })

    it('the highest and lowest tag numbers', () => {
      expect(parse({ fieldMap: { set: { 99999: 'x' }, strip: [1] } }).routing.fieldMap).to.deep.equal({ set: { 99999: 'x' }, strip: [1] })
    })

    it('refuses a fieldMap that is not an object', () => {
      for (const fieldMap of [[], 'x', null, 1]) {
        expect(problem({ fieldMap }), JSON.stringify(fieldMap)).to.deep.equal(refused('fieldMap', 'must be an object with "set" and/or "strip"'))
      }
    })

    it('refuses an unknown fieldMap field', () => {
      expect(problem({ fieldMap: { add: { 1: 'x' } } })).to.deep.equal(refused('fieldMap.add', 'unknown field (known: set, strip)'))
    })

    it('refuses a set that is not an object, and empty or non-string values', () => {
      expect(problem({ fieldMap: { set: [['1', 'x']] } })).to.deep.equal(refused('fieldMap.set', 'must be an object of "tag": "value"'))
      expect(problem({ fieldMap: { set: null } })).to.deep.equal(refused('fieldMap.set', 'must be an object of "tag": "value"'))
      expect(problem({ fieldMap: { set: { 1: '' } } })).to.deep.equal(refused('fieldMap.set.1', 'must be a non-empty string value'))
      expect(problem({ fieldMap: { set: { 1: 42 } } })).to.deep.equal(refused('fieldMap.set.1', 'must be a non-empty string value'))
      expect(problem({ fieldMap: { set: { 1: null } } })).to.deep.equal(refused('fieldMap.set.1', 'must be a non-empty string value'))
      // values we would send are held to the byte rule we hold clients to
      expect(problem({ fieldMap: { set: { 1: 'ACC\u00e9' } } })).to.deep.equal(refused('fieldMap.set.1', 'cannot be sent: byte 0xE9 at offset 3: only printable ASCII is allowed'))
      expect(problem({ fieldMap: { set: { 58: 'a\u0001b' } } })).to.deep.equal(refused('fieldMap.set.58', 'cannot be sent: control character 0x01 at offset 1'))
      expect(problem({ fieldMap: { set: { 58: 'a\u2192b' } } })).to.deep.equal(refused('fieldMap.set.58', 'cannot be sent: a character above 0xFF'))
    })

    it('refuses a strip that is not an array', () => {
      expect(problem({ fieldMap: { strip: 100 } })).to.deep.equal(refused('fieldMap.strip', 'must be an array of tag numbers'))
      expect(problem({ fieldMap: { strip: { 100: true } } })).to.deep.equal(refused('fieldMap.strip', 'must be an array of tag numbers'))
    })

    it('refuses non-numeric and out-of-range tags in set keys, quoting them', () => {
      for (const key of ['Account', '1a', '-1', '1.5', ' 1', '0', '100000']) {
        expect(problem({ fieldMap: { set: { [key]: 'x' } } }), key).to.deep.equal(refused(`fieldMap.set.${key}`, `must be a FIX tag number (got ${JSON.stringify(key)})`))
      }
    })

    it('refuses non-numeric and out-of-range tags in strip, naming the index', () => {
      const cases: unknown[] = ['Account', 1.5, 0, -1, 100000, null, true]
      for (const t of cases) {
        expect(problem({ fieldMap: { strip: [100, t] } }), JSON.stringify(t)).to.deep.equal(refused('fieldMap.strip[1]', `must be a FIX tag number (got ${JSON.stringify(t)})`))
      }
    })

    // Regression: a nested array used to be coerced to its string ("100").
    it('refuses a nested array in strip', () => {
      expect(problem({ fieldMap: { strip: [[100]] } })).to.deep.equal(refused('fieldMap.strip[0]', 'must be a FIX tag number (got [100])'))
    })

    it('refuses ClOrdID(11) and OrigClOrdID(41): our order identity toward the broker', () => {
      expect(problem({ fieldMap: { set: { 11: 'X' } } })).to.deep.equal(refused('fieldMap.set.11', 'tag 11 carries our order identity toward the broker and cannot be mapped'))
      expect(problem({ fieldMap: { strip: [41] } })).to.deep.equal(refused('fieldMap.strip[0]', 'tag 41 carries our order identity toward the broker and cannot be mapped'))
    })

    describe('session header and trailer tags belong to the engine', () => {
      const HEADER = [8, 9, 10, 34, 35, 49, 52, 56]
      for (const t of HEADER) {
        it(`refuses tag ${t} in set and in strip`, () => {
          const what = `tag ${t} belongs to the session header/trailer and cannot be mapped`
          expect(problem({ fieldMap: { set: { [t]: 'x' } } })).to.deep.equal(refused(`fieldMap.set.${t}`, what))
          expect(problem({ fieldMap: { strip: [1, t] } })).to.deep.equal(refused('fieldMap.strip[1]', what))
        })
      }

      it('names the set key as written (a leading zero still means the tag)', () => {
        expect(problem({ fieldMap: { set: { '035': 'D' } } })).to.deep.equal(refused('fieldMap.set.035', 'tag 35 belongs to the session header/trailer and cannot be mapped'))
      })
    })
  })

  describe('on a client session', () => {
    const cases: Array<[string, unknown]> = [
      ['routes', [{ symbols: ['A'] }]],
      ['routes', []],
      ['defaultRoute', true],
      ['defaultRoute', false],
      ['whenDown', 'hold'],
      ['fieldMap', { strip: [100] }]
    ]
    for (const [field, value] of cases) {
      it(`refuses ${field}: ${JSON.stringify(value)}`, () => {
        expect(problem({ [field]: value }, clientBase)).to.deep.equal(refused(field, 'only allowed when role is "broker"'))
      })
    }
  })
})
