/**
 * Routing fields of a broker session file: which orders go to this broker, what to do
 * while it is down, and how to rewrite our messages for it.
 *
 * ```jsonc
 * "routes": [                                  // any matching rule sends the order here
 *   { "exDestinations": ["XLON"], "priority": 10 },
 *   { "clients": ["demo-client"], "accounts": ["ACC1"], "symbols": ["VOD.L"], "securityTypes": ["CS"] }
 * ],
 * "defaultRoute": true,                        // orders no rule matches come here
 * "whenDown": "hold",                          // "reject" (default) | "hold": keep it Held, send on logon
 * "fieldMap": { "set": { "1": "GW-ACCOUNT-AT-BROKER" }, "strip": [100] }, // tags toward this broker
 * "staleOrderSeconds": 30                      // default: absent (always resend), see below
 * ```
 * `staleOrderSeconds`: when the broker asks for messages again (ResendRequest, after an
 * outage or a restart), a NewOrderSingle, cancel or replace stored longer ago than this
 * is not resent: it is gap-filled, and the client hears the order was rejected (or the
 * cancel/replace refused) because it was not sent in time. Absent: everything is resent
 * with PossDupFlag=Y (what QuickFIX does), and the broker dedupes by ClOrdID.
 * Within a rule every listed field must match (fields left out match anything); rules
 * are tried by `priority` (lower first, default 100), then file order.
 */
import { valueBytesProblem } from '../fix/session/validate/value-bytes'
import type { RouteRule } from '../oms/rule-router'

// The rule shape is the router's own (src/oms/rule-router.ts): config only fills it.
export type { RouteRule } from '../oms/rule-router'

export interface FieldMap {
  /** tag → value, set on every NewOrderSingle / cancel / replace toward this broker */
  readonly set: Readonly<Record<number, string>>
  /** tags removed from them */
  readonly strip: readonly number[]
}

export interface RoutingConfig {
  readonly routes: readonly RouteRule[]
  readonly defaultRoute: boolean
  readonly whenDown: 'reject' | 'hold'
  readonly fieldMap: FieldMap
  /** orders older than this are gap-filled and rejected instead of resent; null: always resend */
  readonly staleOrderSeconds: number | null
}

type Fail = (field: string, problem: string) => never
type Json = Record<string, unknown>
const RULE_FIELDS = ['clients', 'accounts', 'symbols', 'securityTypes', 'exDestinations', 'priority'] as const
const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function strings (v: unknown, at: string, fail: Fail): readonly string[] {
  if (!Array.isArray(v) || v.length === 0) fail(at, `must be a non-empty array of strings (got ${kind(v)})`)
  return Object.freeze((v as unknown[]).map((s, i) => {
    if (typeof s !== 'string' || s === '') fail(`${at}[${i}]`, 'must be a non-empty string')
    return s as string
  }))
}

function tag (v: unknown, at: string, fail: Fail): number {
  // Strict: a number, or (as a JSON object key) a string of digits; nothing coerced.
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : NaN
  if (!Number.isInteger(n) || n < 1 || n > 99999) fail(at, `must be a FIX tag number (got ${JSON.stringify(v)})`)
  // Session-level tags are the engine's: a broker mapping must not touch them.
  if ([8, 9, 10, 34, 35, 49, 52, 56].includes(n)) fail(at, `tag ${n} belongs to the session header/trailer and cannot be mapped`)
  // ClOrdID / OrigClOrdID are how the broker's reports find our orders again.
  if (n === 11 || n === 41) fail(at, `tag ${n} carries our order identity toward the broker and cannot be mapped`)
  return n
}

export function parseRouting (o: Json, fail: Fail): RoutingConfig {
  const routes: RouteRule[] = []
  if (o.routes !== undefined) {
    if (!Array.isArray(o.routes)) fail('routes', `must be an array of rules (got ${kind(o.routes)})`)
    for (const [i, raw] of (o.routes as unknown[]).entries()) {
      const at = `routes[${i}]`
      if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail(at, 'must be an object')
      const r = raw as Json
      for (const k of Object.keys(r)) if (!(RULE_FIELDS as readonly string[]).includes(k)) fail(`${at}.${k}`, `unknown field (known: ${RULE_FIELDS.join(', ')})`)
      const rule: { -readonly [K in keyof RouteRule]: RouteRule[K] } = { priority: 100 }
      for (const k of ['clients', 'accounts', 'symbols', 'securityTypes', 'exDestinations'] as const) {
        if (r[k] !== undefined) rule[k] = strings(r[k], `${at}.${k}`, fail)
      }
      if (r.priority !== undefined) {
        if (typeof r.priority !== 'number' || !Number.isInteger(r.priority)) fail(`${at}.priority`, 'must be a whole number')
        rule.priority = r.priority as number
      }
      if (Object.keys(rule).length === 1) fail(at, 'a rule needs at least one of clients, accounts, symbols, securityTypes, exDestinations')
      routes.push(Object.freeze(rule))
    }
  }
  // undefined means absent (the default); an explicit null is a wrong type, as everywhere in session files
  const defaultRoute = o.defaultRoute === undefined ? false : o.defaultRoute
  if (typeof defaultRoute !== 'boolean') fail('defaultRoute', `must be true or false (got ${kind(defaultRoute)})`)
  const whenDown = o.whenDown === undefined ? 'reject' : o.whenDown
  if (whenDown !== 'reject' && whenDown !== 'hold') fail('whenDown', `must be "reject" or "hold" (got ${JSON.stringify(whenDown)})`)
  let fieldMap: FieldMap = { set: {}, strip: [] }
  if (o.fieldMap !== undefined) {
    if (typeof o.fieldMap !== 'object' || o.fieldMap === null || Array.isArray(o.fieldMap)) fail('fieldMap', 'must be an object with "set" and/or "strip"')
    const fm = o.fieldMap as Json
    for (const k of Object.keys(fm)) if (k !== 'set' && k !== 'strip') fail(`fieldMap.${k}`, 'unknown field (known: set, strip)')
    const set: Record<number, string> = {}
    if (fm.set !== undefined) {
      if (typeof fm.set !== 'object' || fm.set === null || Array.isArray(fm.set)) fail('fieldMap.set', 'must be an object of "tag": "value"')
      for (const [k, v] of Object.entries(fm.set as Json)) {
        if (typeof v !== 'string' || v === '') fail(`fieldMap.set.${k}`, 'must be a non-empty string value')
        const t = tag(k, `fieldMap.set.${k}`, fail)
        // what we send is held to the rule we hold clients to (value-bytes.ts), and must be bytes
        const bad = /[^\x00-\xff]/.test(v as string) ? 'a character above 0xFF' : valueBytesProblem(t, undefined, v as string)
        if (bad != null) fail(`fieldMap.set.${k}`, `cannot be sent: ${bad}`)
        set[t] = v as string
      }
    }
    let strip: number[] = []
    if (fm.strip !== undefined) {
      if (!Array.isArray(fm.strip)) fail('fieldMap.strip', 'must be an array of tag numbers')
      strip = (fm.strip as unknown[]).map((t, i) => tag(t, `fieldMap.strip[${i}]`, fail))
    }
    fieldMap = { set: Object.freeze(set), strip: Object.freeze(strip) }
  }
  const stale = o.staleOrderSeconds
  if (stale !== undefined && (typeof stale !== 'number' || !Number.isInteger(stale) || stale < 1 || stale > 86_400)) {
    fail('staleOrderSeconds', `must be a whole number of seconds from 1 to 86400 (got ${JSON.stringify(stale)})`)
  }
  return Object.freeze({
    routes: Object.freeze(routes),
    defaultRoute: defaultRoute as boolean,
    whenDown: whenDown as 'reject' | 'hold',
    fieldMap: Object.freeze(fieldMap),
    staleOrderSeconds: stale === undefined ? null : stale as number
  })
}
