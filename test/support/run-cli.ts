/** Run the compiled fixgw CLI as an operator would: a child process, its output and exit code. */
import { spawn } from 'node:child_process'
import * as path from 'node:path'

export const CLI_MAIN = path.resolve(__dirname, '..', '..', 'src', 'cli', 'main.js')

export interface CliResult { code: number | null, stdout: string, stderr: string }

export function runCli (args: string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [CLI_MAIN, ...args], { env: { ...process.env, LOG_LEVEL: 'info', ...env } })
    let stdout = ''
    let stderr = ''
    p.stdout.on('data', (d) => { stdout += String(d) })
    p.stderr.on('data', (d) => { stderr += String(d) })
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`fixgw ${args.join(' ')} timed out\n${stdout}\n${stderr}`)) }, timeoutMs)
    p.on('close', (code) => { clearTimeout(t); resolve({ code, stdout, stderr }) })
  })
}
