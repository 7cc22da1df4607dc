/**
 * Internal order states and their FIX OrdStatus(39). One union, one map: state strings
 * are never compared anywhere else, and wire codes are produced only from this table.
 */
export const ORD_STATES = [
  'Received', // decoded, not yet validated
  'PendingRisk', // validated, risk running
  'Held', // accepted, waiting for its broker session to come up
  'PendingNew', // accepted by us, routed to the broker
  'New', // broker acknowledged
  'PartiallyFilled',
  'Filled',
  'PendingCancel',
  'Canceled',
  'PendingReplace',
  'Rejected',
  'DoneForDay',
  'Expired'
] as const
export type OrdState = typeof ORD_STATES[number]

/** FIX 4.4 OrdStatus(39) per state. There is no "Replaced" OrdStatus in 4.4. */
export const ORD_STATUS: { readonly [S in OrdState]: string } = {
  Received: 'A',
  PendingRisk: 'A',
  Held: 'A',
  PendingNew: 'A',
  New: '0',
  PartiallyFilled: '1',
  Filled: '2',
  PendingCancel: '6',
  Canceled: '4',
  PendingReplace: 'E',
  Rejected: '8',
  DoneForDay: '3',
  Expired: 'C'
}

export const TERMINAL_STATES: ReadonlySet<OrdState> = new Set<OrdState>(['Filled', 'Canceled', 'Rejected', 'Expired'])

export function isTerminal (s: OrdState): boolean {
  return TERMINAL_STATES.has(s)
}

export function isOrdState (s: string): s is OrdState {
  return (ORD_STATES as readonly string[]).includes(s)
}
