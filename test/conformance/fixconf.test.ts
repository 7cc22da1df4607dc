/**
 * Certification on every `npm test`: the QuickFIX FIX 4.4 acceptance scripts of
 * ../shared/conformance (beside the repository, as on CI) played by fixconf.py
 * against `fixgw conformance-acceptor` — our session layer with the echo application,
 * started as an operator would, on the Postgres message store (so resends are served
 * from Postgres). Every script must pass; only Text(58) wording and so BodyLength(9)
 * may differ from the reference engine.
 */
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as path from 'node:path'
import { findFreePort } from '../../src/db/embedded-postgres'
import { CLI_MAIN } from '../support/run-cli'
import { createTestDatabase, type TestDatabase } from '../support/test-db'

const REPO = path.resolve(__dirname, '..', '..', '..')
const SHARED = path.resolve(REPO, '..', 'shared', 'conformance')
const RUNNER = path.join(SHARED, 'fixconf.py')
const DEFS = path.join(SHARED, 'fix44')

interface Run { code: number | null, out: string }

function python (args: string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const p = spawn('python3', [RUNNER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = ''
    p.stdout.on('data', (d) => { out += String(d) })
    p.stderr.on('data', (d) => { out += String(d) })
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`fixconf.py timed out:\n${out}`)) }, timeoutMs)
    p.on('error', (e) => { clearTimeout(t); reject(e) })
    p.on('close', (code) => { clearTimeout(t); resolve({ code, out }) })
  })
}

describe('FIX 4.4 conformance: QuickFIX acceptance scripts against fixgw conformance-acceptor', function () {
  this.timeout(240000)
  let db: TestDatabase
  let acceptor: ChildProcess | null = null
  let port = 0
  let log = ''

  before(async function () {
    if (!fs.existsSync(RUNNER) || !fs.existsSync(DEFS)) {
      throw new Error(`conformance suite not found at ${SHARED}: it is expected beside the repository (../shared/conformance)`)
    }
    db = await createTestDatabase()
    port = await findFreePort()
    acceptor = spawn(process.execPath, [CLI_MAIN, 'conformance-acceptor', '--port', String(port), '--store', 'postgres', '--database-url', db.url, '--log-level', 'warn'], { stdio: ['ignore', 'pipe', 'pipe'] })
    acceptor.stdout?.on('data', (d) => { log += String(d) })
    acceptor.stderr?.on('data', (d) => { log += String(d) })
  })

  after(async () => {
    if (acceptor != null && acceptor.exitCode == null) {
      acceptor.kill('SIGTERM')
      await new Promise((resolve) => { acceptor?.once('close', resolve); setTimeout(resolve, 3000) })
    }
    await db?.drop()
  })

  it('passes every script with at most --ignore-tags 9,58', async () => {
    const r = await python(['--host', '127.0.0.1', '--port', String(port), '--defs', DEFS, '--ignore-tags', '9,58', '--startup-wait', '30'], 220000)
    const summary = /(\d+) passed, (\d+) failed/.exec(r.out)
    expect(summary, `no summary from fixconf.py:\n${r.out}\nacceptor log:\n${log}`).to.not.equal(null)
    const failures = r.out.split('\n').filter((l) => l.startsWith('FAIL') || l.startsWith('      ')).join('\n')
    expect(Number(summary?.[2]), `${failures}\nacceptor log (warnings):\n${log.slice(-4000)}`).to.equal(0)
    expect(Number(summary?.[1])).to.be.greaterThan(40)
    expect(r.code).to.equal(0)
  })

  it('the acceptor persisted its sessions in Postgres (the store under test was the real one)', async () => {
    const { Client } = await import('pg')
    const c = new Client({ connectionString: db.url })
    await c.connect()
    try {
      const rows = await c.query("select session_id from fix_sessions where session_name like 'conformance-%' order by session_id")
      expect(rows.rows.map((x: { session_id: string }) => x.session_id)).to.deep.equal(['FIX.4.4:ISLD->TW', 'FIX.4.4:ISLD->TW44'])
    } finally { await c.end() }
  })
})
