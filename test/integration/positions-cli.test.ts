/**
 * `fixgw positions` and `fixgw reconcile-positions` as an operator runs them: real
 * processes on a real Postgres, whose fills include a bust and a correction. Exit codes
 * are part of the contract (src/cli/exit-codes.ts).
 */
import { expect } from 'chai'
import type { Knex } from 'knex'
import { createKnex, migrateLatest } from '../../src/db/knex'
import { findFreePort } from '../../src/db/embedded-postgres'
import { runCli } from '../support/run-cli'
import { createTestDatabase, type TestDatabase } from '../support/test-db'


const run = runCli

/** Output lines with runs of spaces collapsed, so assertions do not depend on column widths. */
const lines = (out: string): string[] => out.trim().split('\n').map((l) => l.trim().replace(/ +/g, ' '))

let orderSeq = 0
async function order (db: Knex, account: string | null, symbol: string, side: string, qty: string): Promise<string> {
  const orderId = `O${++orderSeq}`
  await db('orders').insert({
    order_id: orderId, client_session: 'client', cl_ord_id: `C${orderSeq}`, account, symbol, side, ord_type: '2',
    order_qty: qty, price: '1', state: 'Filled', ord_status: '2', cum_qty: qty, leaves_qty: '0', broker_session: 'broker'
  })
  return orderId
}

let execSeq = 0
interface Exec { orderId: string, account: string, symbol: string, side: string, qty?: string, px?: string, commission?: string, execType?: string, status?: string, correctsId?: string, refExecId?: string }
async function execution (db: Knex, e: Exec): Promise<{ id: string, execId: string }> {
  const execId = `BX-${++execSeq}`
  const [row] = await db('executions').insert({
    broker_session: 'broker', exec_id: execId, order_id: e.orderId, exec_type: e.execType ?? 'F',
    last_qty: e.qty ?? null, last_px: e.px ?? null, commission: e.commission ?? null, client_exec_id: `X${execSeq}`,
    ref_exec_id: e.refExecId ?? null, status: e.status ?? 'active', corrects_id: e.correctsId ?? null,
    account: e.account, symbol: e.symbol, side: e.side
  }).returning('id') as Array<{ id: string }>
  return { id: String(row.id), execId }
}

async function position (db: Knex, account: string, symbol: string, qty: string, avgCost: string, realizedPnl: string, fees: string): Promise<void> {
  await db('positions').insert({ account, symbol, qty, avg_cost: avgCost, realized_pnl: realizedPnl, fees })
}

describe('fixgw positions / reconcile-positions', function () {
  this.timeout(60000)
  let tdb: TestDatabase
  let db: Knex

  before(async () => {
    tdb = await createTestDatabase()
    db = createKnex(tdb.url)
    await migrateLatest(db)

    // ACC1 AAPL, in trade order: buy 60 @ 10 (fee 1); buy 40 @ 10.5 (fee 0.5), later corrected by
    // the broker to 40 @ 10.4; sell 50 @ 11 (fee 1); buy 30 @ 12, busted.
    const buy = await order(db, 'ACC1', 'AAPL', '1', '100')
    await execution(db, { orderId: buy, account: 'ACC1', symbol: 'AAPL', side: '1', qty: '60', px: '10', commission: '1' })
    const corrected = await execution(db, { orderId: buy, account: 'ACC1', symbol: 'AAPL', side: '1', qty: '40', px: '10.5', commission: '0.5', status: 'corrected' })
    const sell = await order(db, 'ACC1', 'AAPL', '2', '50')
    await execution(db, { orderId: sell, account: 'ACC1', symbol: 'AAPL', side: '2', qty: '50', px: '11', commission: '1' })
    const bustedOrder = await order(db, 'ACC1', 'AAPL', '1', '30')
    const busted = await execution(db, { orderId: bustedOrder, account: 'ACC1', symbol: 'AAPL', side: '1', qty: '30', px: '12', commission: '0.25', status: 'busted' })
    await execution(db, { orderId: bustedOrder, account: 'ACC1', symbol: 'AAPL', side: '1', execType: 'H', refExecId: busted.execId })
    // The correction arrives last (highest id) but takes its original's place in trade order:
    // applied after the sell it would give avg cost 10.32 and realized P&L 47.5 instead.
    await execution(db, { orderId: buy, account: 'ACC1', symbol: 'AAPL', side: '1', qty: '40', px: '10.4', commission: '0.5', execType: 'G', correctsId: corrected.id, refExecId: corrected.execId })
    // 60 @ 10 + 40 @ 10.4 → 100 @ 10.16; sell 50 @ 11 realizes 0.84 × 50 = 42; fees 2.5
    await position(db, 'ACC1', 'AAPL', '50', '10.16', '39.5', '2.5')

    // ACC1 MSFT: short 100 @ 50, no commission.
    const short = await order(db, 'ACC1', 'MSFT', '5', '100')
    await execution(db, { orderId: short, account: 'ACC1', symbol: 'MSFT', side: '5', qty: '100', px: '50' })
    await position(db, 'ACC1', 'MSFT', '-100', '50', '0', '0')

    // ACC2 IBM: its only fill was busted, the row stays, flat.
    const ibm = await order(db, 'ACC2', 'IBM', '1', '20')
    await execution(db, { orderId: ibm, account: 'ACC2', symbol: 'IBM', side: '1', qty: '20', px: '30', status: 'busted' })
    await position(db, 'ACC2', 'IBM', '0', '0', '0', '0')

    // An order without Account(1): account '' in executions and positions.
    const noAccount = await order(db, null, 'IBM', '1', '10')
    await execution(db, { orderId: noAccount, account: '', symbol: 'IBM', side: '1', qty: '10', px: '100.25', commission: '0.1' })
    await position(db, '', 'IBM', '10', '100.25', '-0.1', '0.1')
  })

  after(async () => {
    await db?.destroy()
    await tdb?.drop()
  })

  it('lists both commands in --help, exit 0', async () => {
    for (const args of [['positions', '--help'], ['reconcile-positions', '--help']]) {
      const r = await run(args)
      expect(r.code, args.join(' ')).to.equal(0)
      expect(r.stdout).to.match(/Usage: fixgw/).and.to.include('--database-url').and.to.include('--data-dir')
    }
  })

  it('positions prints the table: account, symbol, qty, avg cost, realized P&L, fees', async () => {
    const r = await run(['positions', '--database-url', tdb.url])
    expect(r.code, r.stdout + r.stderr).to.equal(0)
    expect(lines(r.stdout)).to.deep.equal([
      'account symbol qty avg cost realized P&L fees',
      '(none) IBM 10 100.25 -0.1 0.1',
      'ACC1 AAPL 50 10.16 39.5 2.5',
      'ACC1 MSFT -100 50 0 0',
      'ACC2 IBM 0 0 0 0'
    ])
    // numbers are right-aligned under their headers
    const raw = r.stdout.split('\n')
    expect(raw[2].indexOf('10.16') + '10.16'.length).to.equal(raw[0].indexOf('avg cost') + 'avg cost'.length)
  })

  it('positions --account A --json prints one JSON object per line, decimals as strings', async () => {
    const r = await run(['positions', '--account', 'ACC1', '--json', '--database-url', tdb.url])
    expect(r.code, r.stdout + r.stderr).to.equal(0)
    const rows = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>)
    expect(rows.map(({ updatedAt, ...rest }) => rest)).to.deep.equal([
      { account: 'ACC1', symbol: 'AAPL', qty: '50', avgCost: '10.16', realizedPnl: '39.5', fees: '2.5' },
      { account: 'ACC1', symbol: 'MSFT', qty: '-100', avgCost: '50', realizedPnl: '0', fees: '0' }
    ])
    for (const row of rows) expect(Number.isNaN(Date.parse(String(row.updatedAt)))).to.equal(false)
  })

  it('positions --account for an account without positions prints only the header', async () => {
    const r = await run(['positions', '--account', 'NOPE', '--database-url', tdb.url])
    expect(r.code).to.equal(0)
    expect(lines(r.stdout)).to.deep.equal(['account symbol qty avg cost realized P&L fees'])
  })

  it('reconcile-positions exits 0 when every position matches its active fills', async () => {
    const r = await run(['reconcile-positions', '--database-url', tdb.url])
    expect(r.code, r.stdout + r.stderr).to.equal(0)
    expect(r.stdout.trim()).to.equal('4 position(s) checked: all match their fills')
    const json = await run(['reconcile-positions', '--json', '--database-url', tdb.url])
    expect(json.code).to.equal(0)
    expect(json.stdout).to.equal('')
  })

  describe('with corrupted positions', () => {
    before(async () => {
      await db('positions').where({ account: 'ACC1', symbol: 'AAPL' }).update({ qty: '60', realized_pnl: '40.50' })
      await db('positions').where({ account: 'ACC1', symbol: 'MSFT' }).delete()
      await db('positions').where({ account: '', symbol: 'IBM' }).update({ fees: '0.2' })
    })

    it('reconcile-positions exits 4 naming each account/symbol and the stored and recomputed numbers', async () => {
      const r = await run(['reconcile-positions', '--database-url', tdb.url])
      expect(r.code, r.stdout + r.stderr).to.equal(4)
      expect(lines(r.stdout)).to.deep.equal([
        '(none) IBM: fees stored 0.2, recomputed 0.1',
        // decimals are compared and printed normalized: the stored 40.50 shows as 40.5
        'ACC1 AAPL: qty stored 60, recomputed 50; realized_pnl stored 40.5, recomputed 39.5',
        'ACC1 MSFT: no position row, the active fills add up to qty -100, avg_cost 50',
        '4 position(s) checked: 3 differ from their fills'
      ])
    })

    it('reconcile-positions --json prints one object per difference with every field, exit 4', async () => {
      const r = await run(['reconcile-positions', '--json', '--database-url', tdb.url])
      expect(r.code, r.stdout + r.stderr).to.equal(4)
      const diffs = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown)
      expect(diffs).to.deep.equal([
        {
          account: '', symbol: 'IBM', fields: ['fees'],
          stored: { qty: '10', avgCost: '100.25', realizedPnl: '-0.1', fees: '0.2' },
          recomputed: { qty: '10', avgCost: '100.25', realizedPnl: '-0.1', fees: '0.1' }
        },
        {
          account: 'ACC1', symbol: 'AAPL', fields: ['qty', 'realizedPnl'],
          stored: { qty: '60', avgCost: '10.16', realizedPnl: '40.5', fees: '2.5' },
          recomputed: { qty: '50', avgCost: '10.16', realizedPnl: '39.5', fees: '2.5' }
        },
        {
          account: 'ACC1', symbol: 'MSFT', fields: ['qty', 'avgCost'],
          stored: null,
          recomputed: { qty: '-100', avgCost: '50', realizedPnl: '0', fees: '0' }
        }
      ])
    })
  })

  it('exits 1 when the database cannot be reached', async () => {
    const port = await findFreePort()
    for (const cmd of ['positions', 'reconcile-positions']) {
      const r = await run([cmd, '--database-url', `postgres://nobody:secret@127.0.0.1:${port}/none`])
      expect(r.code, cmd + r.stdout + r.stderr).to.equal(1)
      expect(r.stdout + r.stderr).to.match(/ECONNREFUSED|connect/)
    }
  })
})
