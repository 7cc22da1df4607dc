/** Exit codes scripts can trust (documented in README). */
export const EXIT = {
  OK: 0,
  /** runtime failure: database, network, timeout */
  FAILURE: 1,
  /** bad command line or bad configuration (sessions/ files) */
  USAGE: 2,
  /** send-order: the order was rejected */
  REJECTED: 3,
  /** reconcile-positions: a stored position differs from what its fills add up to */
  DIFFERENCES: 4
} as const
