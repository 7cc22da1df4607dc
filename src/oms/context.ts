/** What every OMS command receives: its dependencies and a way to run in the engine. */
import type { Logger } from 'pino'
import type { RiskLimits } from '../domain/risk/risk-limits'
import type { ValidationRules } from '../domain/new-order'
import type { BrokerStatus, OmsTx, Router } from './ports'
import type { Effects } from './effects'

/** Per client session: pre-trade limits (with per-account overrides) and the symbol list. */
export interface ClientRiskConfig {
  readonly limits: RiskLimits
  readonly accounts?: Readonly<Record<string, RiskLimits>>
  /** when set, any other Symbol(55) is rejected as unknown (OrdRejReason 1) */
  readonly symbols?: readonly string[]
  readonly rules?: ValidationRules
}

export interface OrderServiceDeps {
  readonly brokers: BrokerStatus
  readonly router: Router
  readonly logger: Logger
  readonly riskConfig?: (clientSession: string) => ClientRiskConfig | undefined
  /** the clock risk checks use (trading hours); tests pin it */
  readonly now?: () => Date
}

export interface OmsContext {
  readonly deps: OrderServiceDeps
  /**
   * Run fn as one engine command: against the engine's state, alone, journaled; its
   * effects are sent after its batch has committed. Resolves after that commit.
   */
  readonly run: <T>(fn: (tx: OmsTx, fx: Effects) => Promise<T>) => Promise<T>
}
