import type { Command } from 'commander'
import { withMigratedDatabase } from './with-database'
import { killSwitchScope, listKillSwitches, setKillSwitch } from '../store/kill-switch-store'

interface Opts { session?: string, reason?: string, databaseUrl?: string, dataDir: string }

export function killSwitchCommand (program: Command): void {
  program.command('kill-switch')
    .description('halt or resume new orders and replaces, globally or for one client session (cancels always pass); the state lives in Postgres and survives restarts')
    .argument('<action>', 'on | off | status')
    .option('--session <name>', 'one client session (default: global)')
    .option('--reason <text>', 'why, for the audit trail and the reject Text')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else the embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .addHelpText('after', '\nA running gateway applies a change to the next order it receives.')
    .action(async (action: string, opts: Opts) => {
      if (!['on', 'off', 'status'].includes(action)) {
        program.error(`kill-switch: action must be on, off or status (got '${action}')`, { exitCode: 2 })
      }
      await withMigratedDatabase(program, opts, async (db) => {
        if (action !== 'status') {
          await setKillSwitch(db, killSwitchScope(opts.session ?? null), action === 'on', opts.reason ?? null, `cli:${process.env.USER ?? 'unknown'}`)
        }
        for (const k of await listKillSwitches(db)) {
          process.stdout.write(`${k.scope}\t${k.active ? 'ON' : 'off'}\t${k.updatedAt.toISOString()}\t${k.updatedBy}\t${k.reason ?? ''}\n`)
        }
      })
    })
}
