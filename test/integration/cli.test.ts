/**
 * The fixgw command line as an operator uses it: real processes, real sockets, real
 * Postgres. Exit codes are part of the contract (src/cli/exit-codes.ts).
 */
import { expect } from 'chai'
import { spawn, type ChildProcess } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Client } from 'pg'
import { findFreePort } from '../../src/db/embedded-postgres'
import { CLI_MAIN, runCli } from '../support/run-cli'
import { createTestDatabase, type TestDatabase } from '../support/test-db'

const MAIN = CLI_MAIN

const run = runCli

function tmpSessions (files: Record<string, unknown>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixgw-sessions-'))
  for (const [name, body] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), typeof body === 'string' ? body : JSON.stringify(body))
  return dir
}

describe('fixgw CLI', function () {
  this.timeout(60000)
  let db: TestDatabase
  before(async () => { db = await createTestDatabase() })
  after(async () => { await db?.drop() })

  it('prints --help for the program and every command, exit 0', async () => {
    for (const args of [['--help'], ['start', '--help'], ['migrate', '--help'], ['sim-broker', '--help'], ['send-order', '--help'], ['kill-switch', '--help']]) {
      const r = await run(args)
      expect(r.code, args.join(' ')).to.equal(0)
      expect(r.stdout).to.match(/Usage: fixgw/)
    }
  })

  it('exits 2 on a bad command line', async () => {
    const r = await run(['send-order', '--symbol', 'X', '--side', 'sideways', '--qty', '1'])
    expect(r.code).to.equal(2)
    expect(r.stderr).to.match(/expected one of buy, sell, sellshort/)
  })

  it('exits 2 naming the file, field and problem of a bad sessions file', async () => {
    const dir = tmpSessions({ 'bad.json': { name: 'bad', role: 'client', senderCompId: 'A', targetCompId: 'B', host: '127.0.0.1', port: 70000 } })
    const r = await run(['start', '--sessions', dir, '--database-url', db.url])
    expect(r.code).to.equal(2)
    expect(r.stdout + r.stderr).to.include('bad.json').and.to.include('port').and.to.match(/between 1 and 65535/)
  })

  it('migrate creates the schema and is idempotent', async () => {
    const first = await run(['migrate', '--database-url', db.url])
    expect(first.code, first.stdout + first.stderr).to.equal(0)
    expect(first.stdout).to.match(/applied \d+ migration/)
    const again = await run(['migrate', '--database-url', db.url])
    expect(again.code).to.equal(0)
    expect(again.stdout).to.match(/schema already up to date/)
    const c = new Client({ connectionString: db.url })
    await c.connect()
    try {
      const r = await c.query("select table_name from information_schema.tables where table_schema = 'public' order by 1")
      expect(r.rows.map((x: { table_name: string }) => x.table_name)).to.include.members(
        ['orders', 'client_order_ids', 'broker_routes', 'executions', 'positions', 'audit_log', 'fix_sessions', 'fix_messages'])
      const cols = await c.query("select column_name, data_type from information_schema.columns where table_name in ('orders','executions','positions') and data_type in ('real','double precision')")
      expect(cols.rows, 'no float columns for money or quantities').to.deep.equal([])
    } finally { await c.end() }
  })

  describe('start + send-order against the simulated broker', () => {
    let gw: ChildProcess | null = null
    let clientPort = 0
    let out = ''
    before(async () => {
      clientPort = await findFreePort()
      const brokerPort = await findFreePort()
      const dir = tmpSessions({
        'client.json': { name: 'client', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: clientPort },
        'broker.json': { name: 'sim', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIMBROKER', host: '127.0.0.1', port: brokerPort, simulate: true }
      })
      gw = spawn(process.execPath, [MAIN, 'start', '--sessions', dir, '--database-url', db.url], { env: { ...process.env, LOG_LEVEL: 'info' } })
      gw.stdout?.on('data', (d) => { out += String(d) })
      gw.stderr?.on('data', (d) => { out += String(d) })
      const deadline = Date.now() + 20000
      while (!/"session":"sim".*FIX session logged on/.test(out)) {
        if (Date.now() > deadline) throw new Error(`gateway did not come up:\n${out}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    })
    after(async () => {
      if (gw != null && gw.exitCode == null) { gw.kill('SIGKILL') }
    })

    it('logs where to point a FIX client', () => {
      expect(out).to.include(`point a FIX 4.4 client at 127.0.0.1:${clientPort} with SenderCompID=CLIENT1 TargetCompID=FIXGW`)
    })

    it('send-order gets an order filled end to end (exit 0) and the rows are in Postgres', async () => {
      const r = await run(['send-order', '--port', String(clientPort), '--symbol', 'IBM', '--side', 'sell', '--qty', '250', '--price', '99.95', '--account', 'CLI-ACC', '--cl-ord-id', 'CLI-T1'])
      expect(r.code, r.stdout + r.stderr).to.equal(0)
      const reports = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, string>)
      expect(reports.map((x) => [x.ExecType, x.OrdStatus])).to.deep.equal([['0', '0'], ['F', '2']])
      const c = new Client({ connectionString: db.url })
      await c.connect()
      try {
        const o = await c.query("select state, cum_qty::text from orders where cl_ord_id = 'CLI-T1'")
        expect(o.rows).to.deep.equal([{ state: 'Filled', cum_qty: '250' }])
        const p = await c.query("select qty::text, avg_cost::text from positions where account = 'CLI-ACC' and symbol = 'IBM'")
        expect(p.rows).to.deep.equal([{ qty: '-250', avg_cost: '99.95' }])
        const f = await c.query("select count(*)::int as n from executions e join orders o using (order_id) where o.cl_ord_id = 'CLI-T1' and e.exec_type = 'F'")
        expect(f.rows[0].n).to.equal(1)
      } finally { await c.end() }
    })

    it('send-order exits 3 when the order is rejected', async () => {
      const r = await run(['send-order', '--port', String(clientPort), '--symbol', 'IBM', '--side', 'buy', '--qty', '1', '--type', 'limit'])
      expect(r.code, r.stdout + r.stderr).to.equal(3)
      expect(r.stdout).to.match(/"OrdStatus":"8"/)
    })

    it('send-order exits 1 when nothing listens', async () => {
      const port = await findFreePort()
      const r = await run(['send-order', '--port', String(port), '--symbol', 'IBM', '--side', 'buy', '--qty', '1', '--timeout', '1500'])
      expect(r.code).to.equal(1)
    })

    it('kill-switch on halts new orders of the running gateway (exit 3, KILL_SWITCH), off resumes them', async () => {
      const on = await run(['kill-switch', 'on', '--reason', 'desk halt', '--database-url', db.url])
      expect(on.code, on.stdout + on.stderr).to.equal(0)
      expect(on.stdout).to.match(/^global\tON\t.*\tdesk halt$/m)
      const halted = await run(['send-order', '--port', String(clientPort), '--symbol', 'IBM', '--side', 'buy', '--qty', '1', '--price', '100'])
      expect(halted.code).to.equal(3)
      expect(halted.stdout).to.include('KILL_SWITCH: trading halted (global kill switch is on)')
      const off = await run(['kill-switch', 'off', '--database-url', db.url])
      expect(off.stdout).to.match(/^global\toff\t/m)
      const resumed = await run(['send-order', '--port', String(clientPort), '--symbol', 'IBM', '--side', 'buy', '--qty', '1', '--price', '100'])
      expect(resumed.code, resumed.stdout).to.equal(0)
      const c = new Client({ connectionString: db.url })
      await c.connect()
      try {
        const audit = await c.query("select detail->>'active' as active from audit_log where kind = 'kill_switch' order by id")
        expect(audit.rows.map((r: { active: string }) => r.active)).to.deep.equal(['true', 'false'])
      } finally { await c.end() }
    })

    it('kill-switch refuses an unknown action with exit 2', async () => {
      const r = await run(['kill-switch', 'maybe', '--database-url', db.url])
      expect(r.code).to.equal(2)
      expect(r.stderr).to.match(/action must be on, off or status/)
    })

    it('a second gateway on the same port fails with a clear error and exit 1', async () => {
      const dir = tmpSessions({ 'client.json': { name: 'client', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: clientPort } })
      const r = await run(['start', '--sessions', dir, '--database-url', db.url])
      expect(r.code).to.equal(1)
      expect(r.stdout + r.stderr).to.include(`port ${clientPort} on 127.0.0.1 is already in use`)
    })

    it('stops cleanly on SIGTERM with exit 0', async () => {
      const exited = new Promise<number | null>((resolve) => gw?.on('exit', (code) => resolve(code)))
      gw?.kill('SIGTERM')
      expect(await exited).to.equal(0)
      expect(out).to.include('gateway stopped')
    })
  })
})
