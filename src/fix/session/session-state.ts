/**
 * One state per session (Artio-style), instead of a handful of booleans, and a reason
 * on every disconnect.
 */
export type SessionState =
  /** no connection */
  | 'Disconnected'
  /** acceptor: connected, waiting for the peer's Logon */
  | 'AwaitingLogon'
  /** initiator: our Logon is out, waiting for the reply */
  | 'LogonSent'
  /** logged on both ways: application messages flow */
  | 'Active'
  /** we sent a Logout and wait for the peer's (or the logout timeout) */
  | 'AwaitingLogout'

export type DisconnectReason =
  | 'REMOTE_DISCONNECT' | 'LOGON_TIMEOUT' | 'INVALID_LOGON' | 'FIRST_MESSAGE_NOT_LOGON'
  | 'LOGON_REJECTED' | 'MSG_SEQ_NUM_TOO_LOW' | 'LOGOUT' | 'LOGOUT_TIMEOUT' | 'HEARTBEAT_TIMEOUT'
  | 'STORE_FAILURE' | 'SESSION_TIME' | 'STOPPED' | 'REPLACED'

export const isLoggedOnState = (s: SessionState): boolean => s === 'Active' || s === 'AwaitingLogout'
