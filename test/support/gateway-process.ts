/** A gateway running as a child process (`fixgw start`), so a test can kill -9 it and start it again. */
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { CLI_MAIN } from './run-cli'

export class GatewayProcess {
  private child: ChildProcess | null = null
  private readonly stopping = new Set<ChildProcess>()
  output = ''
  /** Exits we did not cause with kill() or stop() (a crash), in order. */
  readonly unexpectedExits: Array<{ pid: number | undefined, code: number | null, signal: NodeJS.Signals | null }> = []

  /** pid of the running gateway, null when none runs. */
  get pid (): number | null { return this.child?.pid ?? null }

  get isRunning (): boolean { return this.child != null && this.child.exitCode == null && this.child.signalCode == null }

  constructor (readonly sessionsDir: string, readonly databaseUrl: string) {}

  static sessionsDir (files: Record<string, unknown>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixgw-restart-'))
    for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), JSON.stringify(body))
    return dir
  }

  /** Start and wait for the "gateway started" log line. */
  async start (timeoutMs = 20000): Promise<void> {
    const from = this.output.length
    const child = spawn(process.execPath, [CLI_MAIN, 'start', '--sessions', this.sessionsDir, '--database-url', this.databaseUrl], { env: { ...process.env, LOG_LEVEL: process.env.GW_LOG_LEVEL ?? 'info' } })
    this.child = child
    child.once('exit', (code, signal) => { if (!this.stopping.has(child)) this.unexpectedExits.push({ pid: child.pid, code, signal }) })
    child.stdout?.on('data', (d) => { this.output += String(d) })
    child.stderr?.on('data', (d) => { this.output += String(d) })
    const deadline = Date.now() + timeoutMs
    while (!this.output.slice(from).includes('gateway started')) {
      if (child.exitCode != null) throw new Error(`gateway exited with ${child.exitCode}:\n${this.output.slice(from)}`)
      if (Date.now() > deadline) throw new Error(`gateway did not start:\n${this.output.slice(from)}`)
      await new Promise((resolve) => setTimeout(resolve, 25))
    }
  }

  /** kill -9: no Logout, no flush, sockets cut by the kernel. */
  async kill (): Promise<void> {
    const child = this.child
    if (child == null || child.exitCode != null) return
    this.stopping.add(child)
    await new Promise<void>((resolve) => { child.once('exit', () => resolve()); child.kill('SIGKILL') })
    this.child = null
  }

  async stop (): Promise<void> {
    const child = this.child
    if (child == null || child.exitCode != null) return
    this.stopping.add(child)
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => child.kill('SIGKILL'), 5000)
      child.once('exit', () => { clearTimeout(t); resolve() })
      child.kill('SIGTERM')
    })
    this.child = null
  }
}
