/**
 * Everything that shapes one FIX session's behaviour, with the defaults of the
 * reference engines. Built from sessions/*.json by src/fix/transport/session-spec.ts.
 */
import { DEFAULT_VALIDATION, type ValidationOptions } from './validate/validate'
import type { SessionSchedule } from './schedule'

export interface SessionSettings {
  readonly beginString: string
  /** our CompID */
  readonly senderCompId: string
  /** the counterparty's CompID */
  readonly targetCompId: string
  /** seconds; an initiator sends it, an acceptor adopts the peer's */
  readonly heartBtInt: number
  /** reset both sequence numbers on every Logon (initiator: Logon carries 141=Y) */
  readonly resetOnLogon: boolean
  /** reset after a Logout exchange */
  readonly resetOnLogout: boolean
  /** reset whenever the connection drops */
  readonly resetOnDisconnect: boolean
  /** seconds to wait for the Logon (acceptor: the first one; initiator: the reply) */
  readonly logonTimeoutSeconds: number
  /** seconds to wait for the peer's Logout after ours */
  readonly logoutTimeoutSeconds: number
  /** SendingTime(52) may differ from our clock by this much; null disables the check */
  readonly maxLatencySeconds: number | null
  /** acceptor: the largest HeartBtInt(108) a peer's Logon may ask for; a larger one is refused with a Logout */
  readonly maxHeartBtInt: number
  /** check SenderCompID/TargetCompID of every message (373=9 + Logout otherwise) */
  readonly checkCompIds: boolean
  /** dictionary validation switches; null disables dictionary validation entirely */
  readonly validation: ValidationOptions | null
  /** acceptor: the Logon must carry these (553/554); initiator: our Logon carries them */
  readonly username: string | null
  readonly password: string | null
  /** when the session may be logged on; null: always (no daily reset) */
  readonly schedule: SessionSchedule | null
  /** resend at most this many stored messages per read from the store */
  readonly resendChunkSize: number
  /** resend: order messages (D, F, G) stored longer ago than this are gap-filled, not resent; null: always resent */
  readonly staleOrderSeconds: number | null
}

export const SESSION_DEFAULTS = {
  heartBtInt: 30,
  logonTimeoutSeconds: 10,
  logoutTimeoutSeconds: 2,
  maxLatencySeconds: 120,
  maxHeartBtInt: 3600,
  resendChunkSize: 500
} as const

export function sessionSettings (s: Pick<SessionSettings, 'senderCompId' | 'targetCompId'> & Partial<SessionSettings>): SessionSettings {
  return {
    beginString: 'FIX.4.4',
    heartBtInt: SESSION_DEFAULTS.heartBtInt,
    resetOnLogon: false,
    resetOnLogout: false,
    resetOnDisconnect: false,
    logonTimeoutSeconds: SESSION_DEFAULTS.logonTimeoutSeconds,
    logoutTimeoutSeconds: SESSION_DEFAULTS.logoutTimeoutSeconds,
    maxLatencySeconds: SESSION_DEFAULTS.maxLatencySeconds,
    maxHeartBtInt: SESSION_DEFAULTS.maxHeartBtInt,
    checkCompIds: true,
    validation: DEFAULT_VALIDATION,
    username: null,
    password: null,
    schedule: null,
    resendChunkSize: SESSION_DEFAULTS.resendChunkSize,
    staleOrderSeconds: null,
    ...s
  }
}
