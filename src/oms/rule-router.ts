/**
 * The routing rule table: each broker session lists the orders it takes (by client
 * session, account, symbol, SecurityType, ExDestination(100)); the first matching rule
 * by priority wins, else the default route. Pure.
 */
import type { Route, Router, RoutingKeys } from './ports'

export interface RouteRule {
  readonly clients?: readonly string[]
  readonly accounts?: readonly string[]
  readonly symbols?: readonly string[]
  readonly securityTypes?: readonly string[]
  readonly exDestinations?: readonly string[]
  readonly priority: number
}

export interface BrokerRoutes {
  readonly broker: string
  readonly rules: readonly RouteRule[]
  readonly isDefault: boolean
  readonly whenDown: 'reject' | 'hold'
}

const hit = (list: readonly string[] | undefined, value: string | null): boolean => list == null || (value != null && list.includes(value))

export function ruleMatches (r: RouteRule, o: RoutingKeys): boolean {
  return hit(r.clients, o.clientSession) && hit(r.accounts, o.account) && hit(r.symbols, o.symbol) &&
    hit(r.securityTypes, o.securityType) && hit(r.exDestinations, o.exDestination)
}

export class RuleRouter implements Router {
  private readonly table: ReadonlyArray<{ readonly rule: RouteRule, readonly to: BrokerRoutes }>
  private readonly fallback: BrokerRoutes | null

  /** `brokers` in file order; without a `defaultRoute`, the first broker is the default. */
  constructor (brokers: readonly BrokerRoutes[]) {
    this.table = brokers.flatMap((b) => b.rules.map((rule) => ({ rule, to: b })))
      .map((x, i) => ({ ...x, i })).sort((a, b) => a.rule.priority - b.rule.priority || a.i - b.i)
    this.fallback = brokers.find((b) => b.isDefault) ?? brokers[0] ?? null
  }

  route (o: RoutingKeys): Route | null {
    const m = this.table.find((x) => ruleMatches(x.rule, o))
    const to = m?.to ?? this.fallback
    return to == null ? null : { broker: to.broker, whenDown: to.whenDown, rule: m == null ? 'default' : `rule(priority ${m.rule.priority})` }
  }
}
