/**
 * The benchmark's child processes (the gateway, the simulated brokers): `fixgw`
 * commands run with this Node, output appended to a log file in the run folder (the
 * benchmark never reads their pipes in the hot path), killed on every way out: normal
 * end, error, Ctrl-C, or the bench process exiting.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'

export const CLI_MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js')

const live = new Set<ChildProcess>()

/** Last resort (the bench is exiting): SIGKILL whatever is still running. Synchronous. */
export function killAllChildrenNow (): void {
  for (const c of live) {
    if (c.exitCode == null && c.signalCode == null && c.pid != null) {
      try { process.kill(c.pid, 'SIGKILL') } catch { /* gone */ }
    }
  }
  live.clear()
}

process.on('exit', killAllChildrenNow)

export interface LogLine { readonly time: number | null, readonly msg: string, readonly level: number | null, readonly raw: string }

export class ChildProcessRunner {
  private child: ChildProcess | null = null
  private exitInfo: { code: number | null, signal: string | null } | null = null
  private readonly exitWaiters: Array<() => void> = []
  private readOffset = 0
  private partial = ''
  /** wall clock (ms since epoch) at spawn */
  spawnedAt = 0
  /** called when the process exits while nobody asked it to */
  onUnexpectedExit: ((code: number | null, signal: string | null) => void) | null = null
  private stopping = false

  constructor (readonly name: string, readonly logFile: string) {}

  get pid (): number | null { return this.child?.pid ?? null }
  get exited (): { code: number | null, signal: string | null } | null { return this.exitInfo }

  /** Run `node [nodeArgs] script args`; `script` defaults to the fixgw CLI. */
  start (args: readonly string[], opts: { script?: string, nodeArgs?: readonly string[], env?: NodeJS.ProcessEnv } = {}): void {
    const fd = fs.openSync(this.logFile, 'a')
    try {
      this.spawnedAt = Date.now()
      const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), opts.script ?? CLI_MAIN, ...args], { stdio: ['ignore', fd, fd], env: { ...process.env, ...opts.env } })
      this.child = child
      live.add(child)
      child.once('exit', (code, signal) => {
        live.delete(child)
        this.exitInfo = { code, signal }
        for (const w of this.exitWaiters.splice(0)) w()
        if (!this.stopping) this.onUnexpectedExit?.(code, signal)
      })
      child.once('error', (e) => {
        live.delete(child)
        this.exitInfo = { code: null, signal: `spawn error: ${e.message}` }
        for (const w of this.exitWaiters.splice(0)) w()
        if (!this.stopping) this.onUnexpectedExit?.(null, e.message)
      })
    } finally {
      fs.closeSync(fd)
    }
  }

  /** New complete lines of the log since the last call. */
  readNewLines (): LogLine[] {
    let buf: Buffer
    try {
      const fd = fs.openSync(this.logFile, 'r')
      try {
        const size = fs.fstatSync(fd).size
        if (size <= this.readOffset) return []
        buf = Buffer.alloc(size - this.readOffset)
        fs.readSync(fd, buf, 0, buf.length, this.readOffset)
        this.readOffset = size
      } finally {
        fs.closeSync(fd)
      }
    } catch {
      return []
    }
    const text = this.partial + buf.toString('utf8')
    const lines = text.split('\n')
    this.partial = lines.pop() ?? ''
    return lines.filter((l) => l !== '').map(parseLogLine)
  }

  /**
   * Wait for a log line containing `text` (polling the file); resolves with that line.
   * Rejects when the process exits first, on timeout, or when `abort` rejects.
   */
  async waitForLog (text: string, timeoutMs: number, abort: Promise<never>): Promise<LogLine> {
    const deadline = Date.now() + timeoutMs
    for (;;) {
      for (const l of this.readNewLines()) if (l.raw.includes(text)) return l
      if (this.exitInfo != null) throw new Error(`${this.name} exited (code ${String(this.exitInfo.code)}, signal ${String(this.exitInfo.signal)}) before logging "${text}"; see ${this.logFile}`)
      if (Date.now() > deadline) throw new Error(`${this.name}: no "${text}" in its log within ${timeoutMs} ms; see ${this.logFile}`)
      await Promise.race([new Promise((resolve) => setTimeout(resolve, 10)), abort])
    }
  }

  /** SIGTERM, then SIGKILL after graceMs. Resolves once it has exited. */
  async stop (graceMs: number): Promise<void> {
    this.stopping = true
    const child = this.child
    if (child == null || this.exitInfo != null) return
    const exited = new Promise<void>((resolve) => this.exitWaiters.push(resolve))
    child.kill('SIGTERM')
    const timer = setTimeout(() => { if (this.exitInfo == null) child.kill('SIGKILL') }, graceMs)
    await exited
    clearTimeout(timer)
  }
}

export function parseLogLine (raw: string): LogLine {
  try {
    const o = JSON.parse(raw) as { time?: unknown, msg?: unknown, level?: unknown }
    // our logger writes ISO times, pino's default is epoch ms
    const time = typeof o.time === 'number' ? o.time : typeof o.time === 'string' ? Date.parse(o.time) : NaN
    return { raw, time: Number.isFinite(time) ? time : null, msg: typeof o.msg === 'string' ? o.msg : raw, level: typeof o.level === 'number' ? o.level : null }
  } catch {
    return { raw, time: null, msg: raw, level: null }
  }
}

/** Warnings and errors of a pino log file: counts and the first few messages. */
export function logProblems (file: string, keep = 8): { warnings: number, errors: number, first: string[] } {
  let text = ''
  try { text = fs.readFileSync(file, 'utf8') } catch { return { warnings: 0, errors: 0, first: [] } }
  let warnings = 0
  let errors = 0
  const first: string[] = []
  for (const raw of text.split('\n')) {
    if (raw === '') continue
    const l = parseLogLine(raw)
    const level = l.level ?? (/error|exception/i.test(raw) ? 50 : 30)
    if (level < 40) continue
    if (level >= 50) errors++
    else warnings++
    if (first.length < keep) first.push(raw.length > 400 ? `${raw.slice(0, 400)}…` : raw)
  }
  return { warnings, errors, first }
}
