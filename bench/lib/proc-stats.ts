/**
 * CPU time and memory of processes, from /proc (Linux only; elsewhere every reading is
 * null and the report says so).
 *
 * CPU of a process: utime + stime of /proc/<pid>/stat (all its threads). PostgreSQL is
 * a tree: the postmaster and one process per connection plus the background workers,
 * which come and go. The postmaster reaps its children, so the CPU of those that have
 * exited is in its cutime + cstime; the tree's CPU is therefore the postmaster's own
 * and reaped children's time plus that of every live child, and the difference between
 * two readings counts a backend that ended in between exactly once.
 */
import * as fs from 'node:fs'
import { execFileSync } from 'node:child_process'

export interface ProcTimes {
  /** utime + stime, in clock ticks */
  readonly self: number
  /** cutime + cstime (children that have exited and been waited for), in clock ticks */
  readonly children: number
  readonly ppid: number
}

let clockTicks: number | null = null

/** Clock ticks per second (getconf CLK_TCK, 100 on every common Linux). */
export function ticksPerSecond (): number {
  if (clockTicks == null) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100
    } catch {
      clockTicks = 100
    }
  }
  return clockTicks
}

export function readProcTimes (pid: number): ProcTimes | null {
  let text: string
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return null
  }
  // the command name is in parentheses and may itself contain spaces or parentheses
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ')
  // f[0] is field 3 (state): field n is f[n - 3]
  return { ppid: Number(f[1]), self: Number(f[11]) + Number(f[12]), children: Number(f[13]) + Number(f[14]) }
}

/** CPU milliseconds used by one process so far (null when it is gone or /proc is missing). */
export function processCpuMs (pid: number): number | null {
  const t = readProcTimes(pid)
  return t == null ? null : (t.self + t.children) * 1000 / ticksPerSecond()
}

/** Live processes whose parent is `ppid`. */
export function childrenOf (ppid: number): number[] {
  let entries: string[]
  try {
    entries = fs.readdirSync('/proc')
  } catch {
    return []
  }
  const out: number[] = []
  for (const e of entries) {
    const c = e.charCodeAt(0)
    if (c < 48 || c > 57) continue
    const pid = Number(e)
    const t = readProcTimes(pid)
    if (t != null && t.ppid === ppid) out.push(pid)
  }
  return out
}

/** CPU milliseconds of a process tree one level deep (a postmaster and its children). */
export function treeCpuMs (rootPid: number): { ms: number, processes: number } | null {
  const root = readProcTimes(rootPid)
  if (root == null) return null
  let ticks = root.self + root.children
  let processes = 1
  for (const pid of childrenOf(rootPid)) {
    const t = readProcTimes(pid)
    if (t == null) continue
    ticks += t.self + t.children
    processes++
  }
  return { ms: ticks * 1000 / ticksPerSecond(), processes }
}

/** Resident set size in KiB (VmRSS of /proc/<pid>/status), or null. */
export function rssKiB (pid: number): number | null {
  try {
    const m = /^VmRSS:\s+(\d+)\s+kB/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m == null ? null : Number(m[1])
  } catch {
    return null
  }
}

export interface MachineCpu { readonly total: number, readonly idle: number, readonly iowait: number }

/** Whole-machine CPU counters (first line of /proc/stat), in ticks summed over all cores. */
export function machineCpu (): MachineCpu | null {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0]
    const v = line.trim().split(/\s+/).slice(1).map(Number)
    // user nice system idle iowait irq softirq steal (guest time is already in user)
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0)
    return { total, idle: v[3], iowait: v[4] }
  } catch {
    return null
  }
}

/** Postmaster pid from <dataDir>/postmaster.pid, or null. */
export function postmasterPid (dataDir: string): number | null {
  try {
    const pid = Number.parseInt(fs.readFileSync(`${dataDir}/postmaster.pid`, 'utf8').split('\n')[0], 10)
    return Number.isInteger(pid) && pid > 0 && readProcTimes(pid) != null ? pid : null
  } catch {
    return null
  }
}
