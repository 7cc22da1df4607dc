import type { Command } from 'commander'
import { withMigratedDatabase, type DatabaseOpts } from './with-database'
import { listPositions, type PositionRow } from '../store/position-report'

/** Left-aligned text columns, right-aligned numbers; one header line. */
export function formatTable (header: readonly string[], rows: ReadonlyArray<readonly string[]>, numeric: readonly boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)))
  const line = (cells: readonly string[]): string =>
    cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd() + '\n'
  return line(header) + rows.map(line).join('')
}

/** How the table shows the account of orders that had none. */
export const NO_ACCOUNT = '(none)'

function positionsTable (rows: readonly PositionRow[]): string {
  return formatTable(['account', 'symbol', 'qty', 'avg cost', 'realized P&L', 'fees'],
    rows.map((p) => [p.account === '' ? NO_ACCOUNT : p.account, p.symbol, p.qty, p.avgCost, p.realizedPnl, p.fees]),
    [false, false, true, true, true, true])
}

export function positionsCommand (program: Command): void {
  program.command('positions')
    .description('print the stored positions (account × symbol: signed quantity, average cost, realized P&L, fees)')
    .option('--account <account>', 'only this account (\'\' for orders without an Account(1))')
    .option('--json', 'one JSON object per line instead of a table; decimals as strings')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else the embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .addHelpText('after', '\nQuantities are signed (short < 0). Realized P&L is net of fees. Check the rows against the fills with `fixgw reconcile-positions`.')
    .action(async (opts: DatabaseOpts & { account?: string, json?: boolean }) => {
      const rows = await withMigratedDatabase(program, opts, async (db) => await listPositions(db, opts.account))
      if (opts.json === true) {
        for (const p of rows) process.stdout.write(JSON.stringify({ ...p, updatedAt: p.updatedAt.toISOString() }) + '\n')
      } else {
        process.stdout.write(positionsTable(rows))
      }
    })
}
