/**
 * The `risk` block of a client session file: pre-trade limits for the session, with
 * per-account overrides. Decimals (quantities, prices, money) are written as strings
 * ("10000.5") or whole JSON numbers; a fractional JSON number is refused, because JSON
 * parsers read it as a binary float.
 *
 * ```jsonc
 * "risk": {
 *   "maxOrderQty": "10000", "maxNotional": "2000000", "priceCollarPct": "5",
 *   "referencePrices": { "AAPL": "187.50" },
 *   "allowSymbols": ["AAPL", "MSFT"], "denySymbols": ["GME"],
 *   "maxOpenOrders": 200, "maxPositionPerSymbol": "50000", "dailyLossLimit": "25000",
 *   "maxOrdersPerSecond": 50,
 *   "tradingHours": { "start": "09:30", "end": "16:00", "timeZone": "America/New_York", "days": [1, 2, 3, 4, 5] },
 *   "accounts": { "ACC-SMALL": { "maxOrderQty": "100" } }
 * }
 * ```
 */
import { Decimal } from '../domain/money'
import type { RiskLimits, TradingHours } from '../domain/risk/risk-limits'

export interface RiskConfig {
  readonly limits: RiskLimits
  readonly accounts: Readonly<Record<string, RiskLimits>>
}

type Fail = (field: string, problem: string) => never
type Json = Record<string, unknown>

const LIMIT_FIELDS = ['maxOrderQty', 'maxNotional', 'priceCollarPct', 'referencePrices', 'allowSymbols', 'denySymbols',
  'maxOpenOrders', 'maxPositionPerSymbol', 'dailyLossLimit', 'maxOrdersPerSecond', 'tradingHours'] as const
const HOURS_FIELDS = ['start', 'end', 'timeZone', 'days']

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v)

function obj (v: unknown, at: string, fail: Fail): Json {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(at, `must be an object (got ${kind(v)})`)
  return v as Json
}

function known (o: Json, fields: readonly string[], prefix: string, fail: Fail): void {
  for (const k of Object.keys(o)) if (!fields.includes(k)) fail(`${prefix}${k}`, `unknown field (known: ${fields.join(', ')})`)
}

function decimal (v: unknown, at: string, fail: Fail): Decimal {
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail(at, `write fractional or large numbers as strings, e.g. "${String(v)}" (JSON numbers are binary floats)`)
    v = String(v)
  }
  if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v)) fail(at, `must be a non-negative decimal such as "100" or "0.5" (got ${JSON.stringify(v)})`)
  return new Decimal(v as string)
}

function positiveDecimal (v: unknown, at: string, fail: Fail): Decimal {
  const d = decimal(v, at, fail)
  if (d.isZero()) fail(at, 'must be greater than 0')
  return d
}

function count (v: unknown, at: string, fail: Fail): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) fail(at, `must be a whole number of at least 1 (got ${JSON.stringify(v)})`)
  return v as number
}

function symbols (v: unknown, at: string, fail: Fail): readonly string[] {
  if (!Array.isArray(v)) fail(at, `must be an array of symbols (got ${kind(v)})`)
  return Object.freeze((v as unknown[]).map((s, i) => {
    if (typeof s !== 'string' || s.trim() === '') fail(`${at}[${i}]`, 'must be a non-empty string')
    return s as string
  }))
}

function hhmm (v: unknown, at: string, fail: Fail): string {
  if (typeof v !== 'string' || !/^([01]\d|2[0-3]):[0-5]\d$/.test(v)) fail(at, `must be a time "HH:MM" (got ${JSON.stringify(v)})`)
  return v as string
}

function tradingHours (v: unknown, at: string, fail: Fail): TradingHours {
  const o = obj(v, at, fail)
  known(o, HOURS_FIELDS, `${at}.`, fail)
  const timeZone = o.timeZone ?? 'UTC'
  if (typeof timeZone !== 'string') fail(`${at}.timeZone`, 'must be an IANA time zone name such as "Europe/London"')
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: timeZone as string })
  } catch {
    fail(`${at}.timeZone`, `unknown time zone ${JSON.stringify(timeZone)}`)
  }
  let days: readonly number[] | undefined
  if (o.days !== undefined) {
    if (!Array.isArray(o.days) || o.days.length === 0) fail(`${at}.days`, 'must be a non-empty array of ISO weekdays 1 (Mon) .. 7 (Sun)')
    days = (o.days as unknown[]).map((d, i) => {
      if (typeof d !== 'number' || !Number.isInteger(d) || d < 1 || d > 7) fail(`${at}.days[${i}]`, `must be 1 (Mon) .. 7 (Sun) (got ${JSON.stringify(d)})`)
      return d as number
    })
  }
  return Object.freeze({ start: hhmm(o.start, `${at}.start`, fail), end: hhmm(o.end, `${at}.end`, fail), timeZone: timeZone as string, ...(days == null ? {} : { days }) })
}

function limits (o: Json, at: string, fail: Fail): RiskLimits {
  const p = (k: string): string => `${at}.${k}`
  const out: { -readonly [K in keyof RiskLimits]: RiskLimits[K] } = {}
  if (o.maxOrderQty !== undefined) out.maxOrderQty = positiveDecimal(o.maxOrderQty, p('maxOrderQty'), fail)
  if (o.maxNotional !== undefined) out.maxNotional = positiveDecimal(o.maxNotional, p('maxNotional'), fail)
  if (o.priceCollarPct !== undefined) out.priceCollarPct = positiveDecimal(o.priceCollarPct, p('priceCollarPct'), fail)
  if (o.maxPositionPerSymbol !== undefined) out.maxPositionPerSymbol = decimal(o.maxPositionPerSymbol, p('maxPositionPerSymbol'), fail)
  if (o.dailyLossLimit !== undefined) out.dailyLossLimit = positiveDecimal(o.dailyLossLimit, p('dailyLossLimit'), fail)
  if (o.maxOpenOrders !== undefined) out.maxOpenOrders = count(o.maxOpenOrders, p('maxOpenOrders'), fail)
  if (o.maxOrdersPerSecond !== undefined) out.maxOrdersPerSecond = count(o.maxOrdersPerSecond, p('maxOrdersPerSecond'), fail)
  if (o.allowSymbols !== undefined) out.allowSymbols = symbols(o.allowSymbols, p('allowSymbols'), fail)
  if (o.denySymbols !== undefined) out.denySymbols = symbols(o.denySymbols, p('denySymbols'), fail)
  if (o.tradingHours !== undefined) out.tradingHours = tradingHours(o.tradingHours, p('tradingHours'), fail)
  if (o.referencePrices !== undefined) {
    const refs = obj(o.referencePrices, p('referencePrices'), fail)
    out.referencePrices = Object.freeze(Object.fromEntries(Object.entries(refs).map(([sym, px]) => [sym, positiveDecimal(px, `${p('referencePrices')}.${sym}`, fail)])))
  }
  return Object.freeze(out)
}

/** Parse the `risk` block (undefined → no limits). */
export function parseRiskConfig (raw: unknown, fail: Fail): RiskConfig {
  if (raw === undefined) return Object.freeze({ limits: Object.freeze({}), accounts: Object.freeze({}) })
  const o = obj(raw, 'risk', fail)
  known(o, [...LIMIT_FIELDS, 'accounts'], 'risk.', fail)
  const accounts: Record<string, RiskLimits> = {}
  if (o.accounts !== undefined) {
    const acc = obj(o.accounts, 'risk.accounts', fail)
    for (const [name, value] of Object.entries(acc)) {
      const a = obj(value, `risk.accounts.${name}`, fail)
      known(a, LIMIT_FIELDS, `risk.accounts.${name}.`, fail)
      accounts[name] = limits(a, `risk.accounts.${name}`, fail)
    }
  }
  return Object.freeze({ limits: limits(o, 'risk', fail), accounts: Object.freeze(accounts) })
}

/** Parse `symbols`: the instruments this client may trade (others are unknown symbols). */
export function parseSymbols (raw: unknown, fail: Fail): readonly string[] | null {
  return raw === undefined ? null : symbols(raw, 'symbols', fail)
}

/**
 * `dedupeRetentionDays`: how long a used ClOrdID stays reserved once its order is done.
 * Absent: forever. At least 1, so the trading day is always covered.
 */
export function parseDedupeRetentionDays (raw: unknown, fail: Fail): number | null {
  if (raw === undefined) return null
  return count(raw, 'dedupeRetentionDays', fail)
}
