/**
 * The FIX session-layer fields of a sessions/*.json file (README "Session settings"):
 *
 * ```jsonc
 * {
 *   "resetSeqNumOnLogout": false,       // both numbers back to 1 after a Logout exchange
 *   "resetSeqNumOnDisconnect": false,   // ... whenever the connection drops
 *   "logonTimeoutSeconds": 10,          // 1..3600: wait this long for the (first / reply) Logon
 *   "logoutTimeoutSeconds": 2,          // 1..60: wait this long for the peer's Logout after ours
 *   "schedule": { "start": "08:00", "end": "17:00", "days": ["Mon", "Tue", "Wed", "Thu", "Fri"], "timeZone": "Europe/London" },
 *   "validation": { "fieldsOutOfOrder": true, "fieldsHaveValues": true, "userDefinedFields": true,
 *                   "unknownFields": true, "fieldValues": true, "checkCompIds": true, "sendingTimeAccuracySeconds": 120,
 *                   "maxHeartBtInt": 3600 },
 *   "username": "u", "password": "p",   // or "passwordEnv": "VARIABLE" (read when the file is loaded)
 *   "ipAllowList": ["10.0.0.0/8", "192.0.2.7"],  // client sessions only
 *   "tls": { "cert": "certs/fixgw.pem", "key": "certs/fixgw.key", "ca": "certs/ca.pem",
 *            "requireClientCert": true,  // client sessions: mutual TLS
 *            "serverName": "fix.broker.example", // broker sessions: name on the server certificate
 *            "verifyPeer": true }        // false only for tests
 * }
 * ```
 * TLS file paths are relative to the folder of the JSON file, or absolute; the files
 * must exist and be readable when the folder is loaded.
 */
import * as fs from 'fs'
import * as path from 'path'
import { isValidTimeZone, parseTimeOfDay, WEEKDAYS, type SessionSchedule, type Weekday } from '../fix/session/schedule'
import { ipAllowListEntryProblem } from '../fix/transport/ip-allow-list'

export interface FixValidationConfig {
  /** false: no dictionary validation at all (header sanity only) */
  readonly enabled: boolean
  readonly fieldsOutOfOrder: boolean
  readonly fieldsHaveValues: boolean
  readonly userDefinedFields: boolean
  readonly unknownFields: boolean
  readonly fieldValues: boolean
  readonly checkCompIds: boolean
  /** null: SendingTime is not checked */
  readonly sendingTimeAccuracySeconds: number | null
  /** client sessions: the largest HeartBtInt(108) a Logon may ask for (else Logout with the reason) */
  readonly maxHeartBtInt: number
}

export interface FixTlsConfig {
  /** absolute paths */
  readonly certFile: string | null
  readonly keyFile: string | null
  readonly caFile: string | null
  readonly requireClientCert: boolean
  readonly serverName: string | null
  readonly verifyPeer: boolean
}

/** Parsed, with defaults. */
export interface FixSessionOptions {
  readonly resetSeqNumOnLogout: boolean
  readonly resetSeqNumOnDisconnect: boolean
  readonly logonTimeoutSeconds: number
  readonly logoutTimeoutSeconds: number
  readonly schedule: SessionSchedule | null
  readonly validation: FixValidationConfig
  readonly username: string | null
  readonly password: string | null
  readonly ipAllowList: readonly string[] | null
  readonly tls: FixTlsConfig | null
}

/** Top-level JSON fields of this file, for the unknown-field check. */
export const FIX_SESSION_FIELDS: readonly string[] = [
  'resetSeqNumOnLogout', 'resetSeqNumOnDisconnect', 'logonTimeoutSeconds', 'logoutTimeoutSeconds',
  'schedule', 'validation', 'username', 'password', 'passwordEnv', 'ipAllowList', 'tls'
]

const SCHEDULE_FIELDS = ['start', 'end', 'days', 'timeZone']
const VALIDATION_FIELDS = ['enabled', 'fieldsOutOfOrder', 'fieldsHaveValues', 'userDefinedFields', 'unknownFields', 'fieldValues', 'checkCompIds', 'sendingTimeAccuracySeconds', 'maxHeartBtInt']
const TLS_FIELDS = ['cert', 'key', 'ca', 'requireClientCert', 'serverName', 'verifyPeer']

export const DEFAULT_FIX_VALIDATION: FixValidationConfig = Object.freeze({
  enabled: true,
  fieldsOutOfOrder: true,
  fieldsHaveValues: true,
  userDefinedFields: true,
  unknownFields: true,
  fieldValues: true,
  checkCompIds: true,
  sendingTimeAccuracySeconds: 120,
  maxHeartBtInt: 3600
})

type Fail = (field: string, problem: string) => never
type Json = Record<string, unknown>

const has = (o: Json, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k)
const kind = (v: unknown): string => v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v

function bool (o: Json, k: string, field: string, dflt: boolean, fail: Fail): boolean {
  if (!has(o, k)) return dflt
  if (typeof o[k] !== 'boolean') fail(field, `must be true or false (got ${kind(o[k])})`)
  return o[k] as boolean
}

function int (o: Json, k: string, field: string, min: number, max: number, dflt: number, fail: Fail): number {
  if (!has(o, k)) return dflt
  const v = o[k]
  if (typeof v !== 'number' || !Number.isInteger(v)) fail(field, `must be an integer (got ${typeof v === 'number' ? String(v) : kind(v)})`)
  if ((v as number) < min || (v as number) > max) fail(field, `must be between ${min} and ${max} (got ${String(v)})`)
  return v as number
}

function str (o: Json, k: string, field: string, fail: Fail): string | null {
  if (!has(o, k)) return null
  const v = o[k]
  if (typeof v !== 'string') fail(field, `must be a string (got ${kind(v)})`)
  if (v === '') fail(field, 'must not be empty')
  return v as string
}

function object (o: Json, k: string, known: readonly string[], fail: Fail): Json | null {
  if (!has(o, k)) return null
  const v = o[k]
  if (v === null || typeof v !== 'object' || Array.isArray(v)) fail(k, `must be an object (got ${kind(v)})`)
  for (const key of Object.keys(v as Json)) if (!known.includes(key)) fail(`${k}.${key}`, `unknown field (known: ${known.join(', ')})`)
  return v as Json
}

/** Parse the session-layer fields of one file (`file`: its path, for relative TLS paths). */
export function parseFixSessionOptions (obj: Json, role: 'client' | 'broker', file: string, fail: Fail, env: NodeJS.ProcessEnv = process.env): FixSessionOptions {
  const ipAllowList = parseIpAllowList(obj, role, fail)
  const username = str(obj, 'username', 'username', fail)
  let password = str(obj, 'password', 'password', fail)
  const passwordEnv = str(obj, 'passwordEnv', 'passwordEnv', fail)
  if (password != null && passwordEnv != null) fail('passwordEnv', 'use either password or passwordEnv, not both')
  if (passwordEnv != null) {
    const value = env[passwordEnv]
    if (value == null || value === '') fail('passwordEnv', `environment variable ${passwordEnv} is not set`)
    password = value as string
  }
  return Object.freeze({
    resetSeqNumOnLogout: bool(obj, 'resetSeqNumOnLogout', 'resetSeqNumOnLogout', false, fail),
    resetSeqNumOnDisconnect: bool(obj, 'resetSeqNumOnDisconnect', 'resetSeqNumOnDisconnect', false, fail),
    logonTimeoutSeconds: int(obj, 'logonTimeoutSeconds', 'logonTimeoutSeconds', 1, 3600, 10, fail),
    logoutTimeoutSeconds: int(obj, 'logoutTimeoutSeconds', 'logoutTimeoutSeconds', 1, 60, 2, fail),
    schedule: parseSchedule(obj, fail),
    validation: parseValidation(obj, fail),
    username,
    password,
    ipAllowList,
    tls: parseTls(obj, role, file, fail)
  })
}

function parseSchedule (obj: Json, fail: Fail): SessionSchedule | null {
  const s = object(obj, 'schedule', SCHEDULE_FIELDS, fail)
  if (s == null) return null
  const time = (k: 'start' | 'end'): string => {
    const v = str(s, k, `schedule.${k}`, fail)
    if (v == null) return fail(`schedule.${k}`, 'is required')
    if (parseTimeOfDay(v) == null) fail(`schedule.${k}`, `must be a time of day HH:MM or HH:MM:SS (got "${v}")`)
    return v
  }
  const startTime = time('start')
  const endTime = time('end')
  let days: Weekday[] | null = null
  if (has(s, 'days')) {
    const d = s.days
    if (!Array.isArray(d) || d.length === 0) fail('schedule.days', `must be a non-empty array of ${WEEKDAYS.join(', ')}`)
    days = (d as unknown[]).map((x, i) => {
      if (typeof x !== 'string' || !(WEEKDAYS as readonly string[]).includes(x)) fail(`schedule.days[${i}]`, `must be one of ${WEEKDAYS.join(', ')} (got ${JSON.stringify(x)})`)
      return x as Weekday
    })
  }
  const timeZone = str(s, 'timeZone', 'schedule.timeZone', fail) ?? 'UTC'
  if (!isValidTimeZone(timeZone)) fail('schedule.timeZone', `"${timeZone}" is not a known IANA time zone (such as "Europe/London")`)
  return Object.freeze({ startTime, endTime, days, timeZone })
}

function parseValidation (obj: Json, fail: Fail): FixValidationConfig {
  const v = object(obj, 'validation', VALIDATION_FIELDS, fail)
  if (v == null) return DEFAULT_FIX_VALIDATION
  const d = DEFAULT_FIX_VALIDATION
  let accuracy: number | null = d.sendingTimeAccuracySeconds
  if (has(v, 'sendingTimeAccuracySeconds') && v.sendingTimeAccuracySeconds !== null) {
    accuracy = int(v, 'sendingTimeAccuracySeconds', 'validation.sendingTimeAccuracySeconds', 1, 86400, 120, fail)
  } else if (has(v, 'sendingTimeAccuracySeconds')) {
    accuracy = null
  }
  const b = (k: keyof FixValidationConfig): boolean => bool(v, k, `validation.${k}`, d[k] as boolean, fail)
  return Object.freeze({
    enabled: b('enabled'),
    fieldsOutOfOrder: b('fieldsOutOfOrder'),
    fieldsHaveValues: b('fieldsHaveValues'),
    userDefinedFields: b('userDefinedFields'),
    unknownFields: b('unknownFields'),
    fieldValues: b('fieldValues'),
    checkCompIds: b('checkCompIds'),
    sendingTimeAccuracySeconds: accuracy,
    maxHeartBtInt: int(v, 'maxHeartBtInt', 'validation.maxHeartBtInt', 1, 86400, d.maxHeartBtInt, fail)
  })
}

function parseIpAllowList (obj: Json, role: 'client' | 'broker', fail: Fail): readonly string[] | null {
  if (!has(obj, 'ipAllowList')) return null
  if (role !== 'client') fail('ipAllowList', 'only allowed when role is "client" (we accept those connections)')
  const list = obj.ipAllowList
  if (!Array.isArray(list) || list.length === 0) fail('ipAllowList', 'must be a non-empty array of addresses or CIDR blocks')
  return Object.freeze((list as unknown[]).map((e, i) => {
    if (typeof e !== 'string') return fail(`ipAllowList[${i}]`, `must be a string (got ${kind(e)})`)
    const problem = ipAllowListEntryProblem(e)
    if (problem != null) fail(`ipAllowList[${i}]`, problem)
    return e
  }))
}

function parseTls (obj: Json, role: 'client' | 'broker', file: string, fail: Fail): FixTlsConfig | null {
  const t = object(obj, 'tls', TLS_FIELDS, fail)
  if (t == null) return null
  const pem = (k: 'cert' | 'key' | 'ca'): string | null => {
    const v = str(t, k, `tls.${k}`, fail)
    if (v == null) return null
    const resolved = path.isAbsolute(v) ? v : path.resolve(path.dirname(file), v)
    try {
      fs.accessSync(resolved, fs.constants.R_OK)
    } catch {
      fail(`tls.${k}`, `cannot read ${resolved}`)
    }
    return resolved
  }
  const certFile = pem('cert')
  const keyFile = pem('key')
  const caFile = pem('ca')
  if ((certFile == null) !== (keyFile == null)) fail(certFile == null ? 'tls.cert' : 'tls.key', 'cert and key go together')
  if (role === 'client' && certFile == null) fail('tls.cert', 'is required for a client session (we are the TLS server)')
  const requireClientCert = bool(t, 'requireClientCert', 'tls.requireClientCert', false, fail)
  if (requireClientCert && role !== 'client') fail('tls.requireClientCert', 'only allowed when role is "client"')
  if (requireClientCert && caFile == null) fail('tls.ca', 'is required with requireClientCert (the CA that signs client certificates)')
  const serverName = str(t, 'serverName', 'tls.serverName', fail)
  if (serverName != null && role !== 'broker') fail('tls.serverName', 'only allowed when role is "broker"')
  return Object.freeze({ certFile, keyFile, caFile, requireClientCert, serverName, verifyPeer: bool(t, 'verifyPeer', 'tls.verifyPeer', true, fail) })
}
