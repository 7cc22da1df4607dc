import { expect } from 'chai'
import { RuleRouter, ruleMatches, type BrokerRoutes, type RouteRule } from '../../../src/oms/rule-router'
import type { RoutingKeys } from '../../../src/oms/ports'

/** An order's routing keys: client "c1", account ACC1, AAPL, common stock, no ExDestination. */
function keys (over: Partial<RoutingKeys> = {}): RoutingKeys {
  return { clientSession: 'c1', account: 'ACC1', symbol: 'AAPL', securityType: 'CS', exDestination: null, ...over }
}

function rule (over: Partial<RouteRule> = {}): RouteRule {
  return { priority: 100, ...over }
}

function broker (name: string, rules: RouteRule[] = [], over: Partial<BrokerRoutes> = {}): BrokerRoutes {
  return { broker: name, rules, isDefault: false, whenDown: 'reject', ...over }
}

describe('oms/rule-router', () => {
  describe('ruleMatches: each criterion', () => {
    const criteria: Array<[keyof RouteRule, keyof RoutingKeys, string, string]> = [
      ['clients', 'clientSession', 'c1', 'c2'],
      ['accounts', 'account', 'ACC1', 'ACC2'],
      ['symbols', 'symbol', 'AAPL', 'MSFT'],
      ['securityTypes', 'securityType', 'CS', 'FUT'],
      ['exDestinations', 'exDestination', 'XNYS', 'XLON']
    ]
    for (const [field, key, value, other] of criteria) {
      describe(field, () => {
        it(`matches an order whose ${key} is in the list`, () => {
          expect(ruleMatches(rule({ [field]: [other, value] }), keys({ [key]: value }))).to.equal(true)
        })

        it(`does not match an order whose ${key} is not in the list`, () => {
          expect(ruleMatches(rule({ [field]: [other] }), keys({ [key]: value }))).to.equal(false)
        })

        it('compares exactly (case-sensitive, no trimming)', () => {
          const otherCase = value === value.toLowerCase() ? value.toUpperCase() : value.toLowerCase()
          expect(ruleMatches(rule({ [field]: [otherCase] }), keys({ [key]: value }))).to.equal(false)
          expect(ruleMatches(rule({ [field]: [` ${value}`] }), keys({ [key]: value }))).to.equal(false)
        })

        if (key !== 'clientSession' && key !== 'symbol') {
          it(`an order without ${key} does not match a rule that lists some`, () => {
            expect(ruleMatches(rule({ [field]: [value] }), keys({ [key]: null }))).to.equal(false)
          })

          it(`a rule that leaves ${field} out matches an order without ${key}`, () => {
            expect(ruleMatches(rule(), keys({ [key]: null }))).to.equal(true)
          })
        }
      })
    }

    it('a rule with no criteria matches everything (config refuses one, the router does not care)', () => {
      expect(ruleMatches(rule(), keys())).to.equal(true)
      expect(ruleMatches(rule(), keys({ account: null, securityType: null, exDestination: 'XLON' }))).to.equal(true)
    })
  })

  describe('ruleMatches: AND within a rule', () => {
    const r = rule({ clients: ['c1'], accounts: ['ACC1'], symbols: ['AAPL'], securityTypes: ['CS'], exDestinations: ['XNYS'] })

    it('matches when every listed field matches', () => {
      expect(ruleMatches(r, keys({ exDestination: 'XNYS' }))).to.equal(true)
    })

    it('fails when any single listed field does not match', () => {
      const misses: Array<Partial<RoutingKeys>> = [
        { clientSession: 'c2' }, { account: 'ACC2' }, { symbol: 'MSFT' }, { securityType: 'FUT' }, { exDestination: 'XLON' }
      ]
      for (const miss of misses) {
        expect(ruleMatches(r, keys({ exDestination: 'XNYS', ...miss })), JSON.stringify(miss)).to.equal(false)
      }
    })
  })

  describe('RuleRouter', () => {
    it('routes to the broker whose rule matches, naming the rule and its whenDown', () => {
      const router = new RuleRouter([
        broker('A'),
        broker('B', [rule({ symbols: ['VOD.L'], priority: 10 })], { whenDown: 'hold' })
      ])
      expect(router.route(keys({ symbol: 'VOD.L' }))).to.deep.equal({ broker: 'B', whenDown: 'hold', rule: 'rule(priority 10)' })
    })

    it('tries rules by priority, lowest first, across brokers', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['AAPL'], priority: 50 })]),
        broker('B', [rule({ accounts: ['ACC1'], priority: 5 })]),
        broker('C', [rule({ clients: ['c1'], priority: 20 })])
      ])
      expect(router.route(keys())).to.deep.equal({ broker: 'B', whenDown: 'reject', rule: 'rule(priority 5)' })
      expect(router.route(keys({ account: 'OTHER' }))).to.deep.equal({ broker: 'C', whenDown: 'reject', rule: 'rule(priority 20)' })
      expect(router.route(keys({ account: 'OTHER', clientSession: 'c9' }))).to.deep.equal({ broker: 'A', whenDown: 'reject', rule: 'rule(priority 50)' })
    })

    it('priorities may be zero or negative and still come first', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['AAPL'], priority: 0 })]),
        broker('B', [rule({ symbols: ['AAPL'], priority: -1 })])
      ])
      expect(router.route(keys())?.broker).to.equal('B')
    })

    it('equal priorities: file order wins (brokers in order, then each broker\'s rules in order)', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['MSFT'] }), rule({ accounts: ['ACC1'] })]),
        broker('B', [rule({ symbols: ['AAPL'] })])
      ])
      // both A's second rule and B's rule match at priority 100: A comes first in the file
      expect(router.route(keys())?.broker).to.equal('A')
      const reversed = new RuleRouter([
        broker('B', [rule({ symbols: ['AAPL'] })]),
        broker('A', [rule({ symbols: ['MSFT'] }), rule({ accounts: ['ACC1'] })])
      ])
      expect(reversed.route(keys())?.broker).to.equal('B')
    })

    it('a later rule with a lower priority beats an earlier one', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['AAPL'], priority: 100 })]),
        broker('B', [rule({ symbols: ['AAPL'], priority: 99 })])
      ])
      expect(router.route(keys())?.broker).to.equal('B')
    })

    it('no rule matches: the broker flagged defaultRoute, with rule "default" and its whenDown', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['MSFT'] })]),
        broker('B', [], { isDefault: true, whenDown: 'hold' }),
        broker('C')
      ])
      expect(router.route(keys())).to.deep.equal({ broker: 'B', whenDown: 'hold', rule: 'default' })
    })

    it('a matching rule beats the default route', () => {
      const router = new RuleRouter([
        broker('A', [], { isDefault: true }),
        broker('B', [rule({ symbols: ['AAPL'] })])
      ])
      expect(router.route(keys())).to.deep.equal({ broker: 'B', whenDown: 'reject', rule: 'rule(priority 100)' })
    })

    it('two brokers flagged defaultRoute: the first in file order is the default', () => {
      const router = new RuleRouter([broker('A'), broker('B', [], { isDefault: true }), broker('C', [], { isDefault: true })])
      expect(router.route(keys())?.broker).to.equal('B')
    })

    it('no rule matches and no broker is flagged: the first broker, even one with rules of its own', () => {
      const router = new RuleRouter([
        broker('A', [rule({ symbols: ['MSFT'] })], { whenDown: 'hold' }),
        broker('B')
      ])
      expect(router.route(keys())).to.deep.equal({ broker: 'A', whenDown: 'hold', rule: 'default' })
    })

    it('no brokers at all: null', () => {
      expect(new RuleRouter([]).route(keys())).to.equal(null)
    })

    it('brokers without any rule: everything goes to the first (the old "first broker" routing)', () => {
      const router = new RuleRouter([broker('A'), broker('B')])
      expect(router.route(keys())).to.deep.equal({ broker: 'A', whenDown: 'reject', rule: 'default' })
      expect(router.route(keys({ account: null, securityType: null, exDestination: 'XLON' }))?.broker).to.equal('A')
    })

    it('does not mutate the broker list it was given', () => {
      const brokers = [broker('A', [rule({ priority: 9, symbols: ['X'] }), rule({ priority: 1, symbols: ['Y'] })])]
      const before = JSON.stringify(brokers)
      void new RuleRouter(brokers)
      expect(JSON.stringify(brokers)).to.equal(before)
    })
  })
})
