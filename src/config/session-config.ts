/**
 * # Session configuration
 *
 * One JSON file per counterparty in a folder (default `sessions/`). Every `*.json` file
 * in the folder is read, in sorted file-name order; other files, sub-folders and hidden
 * files (names starting with `.`) are ignored. Files are strict JSON: no comments, no
 * trailing commas (the comments below are documentation only).
 *
 * ```jsonc
 * // sessions/demo-client.json — a client connects to us (we are the acceptor)
 * {
 *   "name": "demo-client",            // unique id across the folder, [A-Za-z0-9_.-]+, at most 64 chars
 *   "role": "client",                 // "client" (we accept) | "broker" (we initiate)
 *   "enabled": true,                  // optional, default true
 *   "beginString": "FIX.4.4",         // optional, only FIX.4.4 accepted
 *   "senderCompId": "FIXGW",          // our CompID on this session
 *   "targetCompId": "CLIENT1",        // theirs
 *   "host": "127.0.0.1",              // client: address we listen on; broker: address we connect to
 *   "port": 9880,                     // 1..65535
 *   "heartBtInt": 30,                 // seconds, 1..3600, default 30
 *   "resetSeqNumOnLogon": false,      // optional, default false
 *   // FIX session layer, all optional (fix-session-config.ts): resetSeqNumOnLogout,
 *   // resetSeqNumOnDisconnect, logonTimeoutSeconds, logoutTimeoutSeconds, schedule,
 *   // validation, username, password | passwordEnv, ipAllowList (client), tls
 *   // client only: risk, symbols, dedupeRetentionDays (risk-config.ts), and
 *   "bounds": { "maxQty": "1000000000000", "maxQtyDecimals": 8, "minPrice": "0.00000001",
 *               "maxPrice": "1000000000", "maxPriceDecimals": 8 },  // optional, defaults shown (bounds-config.ts)
 *   // broker only:
 *   "backupHosts": [{ "host": "127.0.0.2", "port": 9881 }],  // optional, tried in order after host:port
 *   "reconnect": { "initialDelayMs": 500, "maxDelayMs": 30000 }, // optional, defaults shown, each 1..3600000
 *   "simulate": false                 // optional: `fixgw start` also runs our simulated broker for this
 *                                     // session, in-process, listening on host:port with CompIDs mirrored
 * }
 * ```
 *
 * The folder is rejected as a whole, with the file and JSON path of the first problem
 * (`sessions/x.json: backupHosts[1].port: must be between 1 and 65535 (got 0)`), when:
 *  - a file is not valid JSON (line and column are reported), or is not a JSON object;
 *  - a field is unknown (a near miss such as `heartbtint` gets a "did you mean" hint),
 *    missing, of the wrong type, or out of range; `name` has other characters;
 *  - a broker-only field (`backupHosts`, `reconnect`, `simulate`) is set on a client;
 *  - `reconnect.maxDelayMs` is smaller than `reconnect.initialDelayMs`;
 *  - two files use the same `name` (enabled or not, so enabling one later cannot clash);
 *  - two enabled sessions use the same senderCompId/targetCompId pair;
 *  - two enabled listeners share a host:port - client sessions, and brokers with
 *    `"simulate": true` (their simulator listens on host:port); 0.0.0.0 / :: clash with
 *    any host on the same port. One listener per session is what the engine supports.
 *  - the folder does not exist or holds no `*.json` file.
 */

import type { RiskConfig } from './risk-config'
import type { FixSessionOptions } from './fix-session-config'
import type { RoutingConfig } from './routing-config'
import type { SimulatorConfig } from './sim-config'
import type { NumericBounds } from '../domain/numeric-bounds'

export const SESSION_NAME_PATTERN: RegExp = /^[A-Za-z0-9_.-]+$/
export const SESSION_NAME_MAX_LENGTH = 64
export const SUPPORTED_BEGIN_STRING = 'FIX.4.4'

export const DEFAULT_HEARTBTINT_SECONDS = 30
export const DEFAULT_RECONNECT: Readonly<ReconnectConfig> = Object.freeze({
  initialDelayMs: 500,
  maxDelayMs: 30000
})

export type SessionRole = 'client' | 'broker'

export interface HostPort {
  readonly host: string
  readonly port: number
}

export interface ReconnectConfig {
  readonly initialDelayMs: number
  readonly maxDelayMs: number
}

/** Fields every session has, after defaults are applied. */
interface SessionConfigBase {
  readonly name: string
  readonly enabled: boolean
  readonly beginString: typeof SUPPORTED_BEGIN_STRING
  /** our CompID on this session */
  readonly senderCompId: string
  /** the counterparty's CompID */
  readonly targetCompId: string
  readonly host: string
  readonly port: number
  /** seconds */
  readonly heartBtInt: number
  readonly resetSeqNumOnLogon: boolean
  /** the FIX session-layer settings: resets, timeouts, schedule, validation, credentials, IP allow-list, TLS (fix-session-config.ts) */
  readonly fixSession: FixSessionOptions
  /** the file this session was read from, for messages; not a JSON field */
  readonly source: string
}

/** A client connects to us: we are the FIX acceptor and listen on host:port. */
export interface ClientSessionConfig extends SessionConfigBase {
  readonly role: 'client'
  /** pre-trade risk limits (see risk-config.ts); no limits when the file has none */
  readonly risk: RiskConfig
  /** when set, the only Symbol(55) values this client may send; others are unknown symbols */
  readonly symbols: readonly string[] | null
  /** days a used ClOrdID stays reserved after its order is done; null: forever */
  readonly dedupeRetentionDays: number | null
  /** digits, decimals and magnitude of OrderQty / Price / StopPx (bounds-config.ts); defaults when the file has none */
  readonly bounds: NumericBounds
}

/** A broker we connect to: we are the FIX initiator. */
export interface BrokerSessionConfig extends SessionConfigBase {
  readonly role: 'broker'
  /** alternatives tried, in order, after host:port; empty when not configured */
  readonly backupHosts: readonly HostPort[]
  readonly reconnect: ReconnectConfig
  /** run our simulated broker in-process on host:port, CompIDs mirrored */
  readonly simulate: boolean
  /** how the simulated broker behaves when `simulate` is on (sim-config.ts) */
  readonly simulator: SimulatorConfig
  /** which orders come here, what happens while it is down, tag rewrites (routing-config.ts) */
  readonly routing: RoutingConfig
}

export type SessionConfig = ClientSessionConfig | BrokerSessionConfig

/** Top-level JSON fields every role may use. */
export const COMMON_FIELDS: readonly string[] = [
  'name', 'role', 'enabled', 'beginString', 'senderCompId', 'targetCompId',
  'host', 'port', 'heartBtInt', 'resetSeqNumOnLogon'
]

/** Top-level JSON fields only valid when role is "client". */
export const CLIENT_ONLY_FIELDS: readonly string[] = ['risk', 'symbols', 'dedupeRetentionDays', 'bounds']

/** Top-level JSON fields only valid when role is "broker". */
export const BROKER_ONLY_FIELDS: readonly string[] = ['backupHosts', 'reconnect', 'simulate', 'simulator', 'routes', 'defaultRoute', 'whenDown', 'fieldMap', 'staleOrderSeconds']
