import type { Command } from 'commander'
import { EXIT } from './exit-codes'
import { NO_ACCOUNT } from './positions'
import { withMigratedDatabase, type DatabaseOpts } from './with-database'
import { POSITION_COLUMNS, reconcilePositions, type PositionDifference } from '../store/position-report'

/** `ACC1 AAPL: qty stored 100, recomputed 60; avg_cost stored 10, recomputed 10.5` */
function describe (d: PositionDifference): string {
  const who = `${d.account === '' ? NO_ACCOUNT : d.account} ${d.symbol}`
  if (d.stored == null) {
    const fields = d.fields.map((f) => `${POSITION_COLUMNS[f]} ${d.recomputed[f]}`).join(', ')
    return `${who}: no position row, the active fills add up to ${fields}`
  }
  const stored = d.stored
  return `${who}: ` + d.fields.map((f) => `${POSITION_COLUMNS[f]} stored ${stored[f]}, recomputed ${d.recomputed[f]}`).join('; ')
}

export function reconcilePositionsCommand (program: Command): void {
  program.command('reconcile-positions')
    .description('recompute every position from its active fills (busts removed, corrections in place) and compare with the stored rows')
    .option('--json', 'one JSON object per difference instead of text; decimals as strings')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else the embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .addHelpText('after', `\nExit code ${EXIT.OK} when every position matches its fills, ${EXIT.DIFFERENCES} when one differs, ${EXIT.FAILURE} when the database fails.`)
    .action(async (opts: DatabaseOpts & { json?: boolean }) => {
      const result = await withMigratedDatabase(program, opts, reconcilePositions)
      for (const d of result.differences) {
        process.stdout.write((opts.json === true ? JSON.stringify(d) : describe(d)) + '\n')
      }
      if (opts.json !== true) {
        const n = result.differences.length
        process.stdout.write(n === 0
          ? `${result.checked} position(s) checked: all match their fills\n`
          : `${result.checked} position(s) checked: ${n} differ from their fills\n`)
      }
      if (result.differences.length > 0) process.exitCode = EXIT.DIFFERENCES
    })
}
