/**
 * FIX UTC timestamps. We write milliseconds (YYYYMMDD-HH:MM:SS.sss), as FIX 4.4 engines
 * do; we read whole seconds up to nanoseconds (FIX 4.4 allows milliseconds, later
 * versions more digits, and counterparties send all of them).
 */

const TIMESTAMP = /^(\d{4})(\d{2})(\d{2})-(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/
const TIME_ONLY = /^(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?$/
const DATE_ONLY = /^(\d{4})(\d{2})(\d{2})$/

const pad = (n: number, width: number): string => String(n).padStart(width, '0')

export function formatUtcTimestamp (d: Date): string {
  return `${pad(d.getUTCFullYear(), 4)}${pad(d.getUTCMonth() + 1, 2)}${pad(d.getUTCDate(), 2)}-` +
    `${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}.${pad(d.getUTCMilliseconds(), 3)}`
}

function validDate (y: number, m: number, d: number): boolean {
  if (m < 1 || m > 12 || d < 1) return false
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate()
}

function validTime (h: number, m: number, s: number): boolean {
  // 60 is a leap second, which FIX allows
  return h <= 23 && m <= 59 && s <= 60
}

/** A UTCTimestamp as a Date (sub-millisecond digits dropped), or null when malformed. */
export function parseUtcTimestamp (s: string): Date | null {
  const m = TIMESTAMP.exec(s)
  if (m == null) return null
  const [y, mo, d, h, mi, se] = m.slice(1, 7).map(Number)
  if (!validDate(y, mo, d) || !validTime(h, mi, se)) return null
  const ms = m[7] == null ? 0 : Number(m[7].padEnd(3, '0').slice(0, 3))
  return new Date(Date.UTC(y, mo - 1, d, h, mi, Math.min(se, 59), ms))
}

export function isUtcTimeOnly (s: string): boolean {
  const m = TIME_ONLY.exec(s)
  return m != null && validTime(Number(m[1]), Number(m[2]), Number(m[3]))
}

export function isUtcDateOnly (s: string): boolean {
  return parseUtcDateOnly(s) != null
}

/** A UTCDateOnly / LocalMktDate (YYYYMMDD) as midnight UTC, or null when malformed. */
export function parseUtcDateOnly (s: string): Date | null {
  const m = DATE_ONLY.exec(s)
  if (m == null) return null
  const [y, mo, d] = m.slice(1, 4).map(Number)
  return validDate(y, mo, d) ? new Date(Date.UTC(y, mo - 1, d)) : null
}

/** MonthYear: YYYYMM, YYYYMMDD or YYYYMMwN (week 1..5). */
export function isMonthYear (s: string): boolean {
  const m = /^(\d{4})(\d{2})(?:(\d{2})|w([1-5]))?$/.exec(s)
  if (m == null) return false
  const month = Number(m[2])
  if (month < 1 || month > 12) return false
  return m[3] == null || validDate(Number(m[1]), month, Number(m[3]))
}
