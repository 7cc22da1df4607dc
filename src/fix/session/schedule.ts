/**
 * Session schedule: when a session may be logged on, and when a new "FIX day" starts
 * (sequence numbers reset to 1 at the first logon of each session period, as in
 * QuickFIX's StartTime/EndTime). Times are wall-clock times in an IANA time zone.
 *
 * A period starts at startTime on each of `days` (every day when omitted) and ends at
 * the next endTime: 08:00-17:00 is a day session; 17:00-17:00 or 22:00-21:55 run
 * through midnight (the period belongs to the day it starts on).
 */

export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const
export type Weekday = typeof WEEKDAYS[number]

export interface SessionSchedule {
  /** HH:MM or HH:MM:SS */
  readonly startTime: string
  readonly endTime: string
  /** days a period may start on; null: every day */
  readonly days: readonly Weekday[] | null
  /** IANA zone such as "Europe/London"; default "UTC" */
  readonly timeZone: string
}

export interface SessionPeriod { readonly start: Date, readonly end: Date }

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/

export function parseTimeOfDay (s: string): number | null {
  const m = TIME.exec(s)
  if (m == null) return null
  return Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0)
}

export function isValidTimeZone (tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }).format(0)
    return true
  } catch {
    return false
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>()

/** The wall-clock fields of an instant in a zone. */
function wallClock (t: number, tz: string): { y: number, m: number, d: number, secs: number } {
  let f = formatters.get(tz)
  if (f == null) {
    f = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' })
    formatters.set(tz, f)
  }
  const parts: Record<string, number> = {}
  for (const p of f.formatToParts(t)) if (p.type !== 'literal') parts[p.type] = Number(p.value)
  return { y: parts.year, m: parts.month, d: parts.day, secs: parts.hour * 3600 + parts.minute * 60 + parts.second }
}

/** The instant at which the wall clock in `tz` shows day (y, m, d) at `secs` past midnight. */
function instantOf (y: number, m: number, d: number, secs: number, tz: string): number {
  const asUtc = Date.UTC(y, m - 1, d) + secs * 1000
  let t = asUtc
  for (let i = 0; i < 3; i++) { // converges in one or two steps, DST edges included
    const w = wallClock(t, tz)
    const shown = Date.UTC(w.y, w.m - 1, w.d) + w.secs * 1000
    const diff = shown - asUtc
    if (diff === 0) break
    t -= diff
  }
  return t
}

/** The session period containing `now`, or null when the session is closed. */
export function periodAt (s: SessionSchedule, now: Date): SessionPeriod | null {
  const start = parseTimeOfDay(s.startTime)
  const end = parseTimeOfDay(s.endTime)
  if (start == null || end == null) throw new Error(`bad schedule times ${s.startTime}-${s.endTime}`)
  const overnight = end <= start
  const today = wallClock(now.getTime(), s.timeZone)
  for (const back of [0, 1]) {
    const day = new Date(Date.UTC(today.y, today.m - 1, today.d - back))
    if (s.days != null && !s.days.includes(WEEKDAYS[day.getUTCDay()])) continue
    const y = day.getUTCFullYear()
    const m = day.getUTCMonth() + 1
    const d = day.getUTCDate()
    const from = instantOf(y, m, d, start, s.timeZone)
    const next = new Date(Date.UTC(y, m - 1, d + (overnight ? 1 : 0)))
    const to = instantOf(next.getUTCFullYear(), next.getUTCMonth() + 1, next.getUTCDate(), end, s.timeZone)
    if (from <= now.getTime() && now.getTime() < to) return { start: new Date(from), end: new Date(to) }
  }
  return null
}

/** Whether a session created at `created` belongs to an earlier period than `now`'s. */
export function isNewPeriod (s: SessionSchedule | null, created: Date, now: Date): boolean {
  if (s == null) return false
  const p = periodAt(s, now)
  return p != null && created.getTime() < p.start.getTime()
}
