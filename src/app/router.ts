/**
 * Routing for the first release: every order goes to the default broker route, the
 * first enabled broker session (by name) unless `defaultRoute` names one. The rule
 * table (client, account, symbol, ExDestination) is the routing issue's work.
 */
import type { Router } from '../oms/ports'

export class DefaultRouter implements Router {
  constructor (private readonly defaultBroker: string | null) {}
  route (): string | null { return this.defaultBroker }
}
