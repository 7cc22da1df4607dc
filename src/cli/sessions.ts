import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { withMigratedDatabase, type DatabaseOpts } from './with-database'
import { loadSessions } from '../config/load-sessions'
import type { SessionConfig } from '../config/session-config'
import { sessionKey } from '../fix/store/session-store'
import { listFixSessions, SeqNumChangeRefused, setNextSeqNums } from '../fix/store/session-admin'
import { EXIT } from './exit-codes'

interface DbOpts extends DatabaseOpts { sessions: string }

const seqNum = (v: string): number => {
  if (!/^[1-9]\d{0,9}$/.test(v)) throw new InvalidArgumentError(`'${v}' is not a sequence number (1 or more)`)
  return Number(v)
}

function configured (dir: string): SessionConfig[] {
  try {
    return loadSessions(dir)
  } catch {
    return [] // listing what Postgres knows needs no valid sessions folder
  }
}

function dbOptions (c: Command): Command {
  return c.option('--sessions <dir>', 'sessions folder (names and roles of configured sessions)', 'sessions')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else the embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
}

export function sessionsCommand (program: Command): void {
  dbOptions(program.command('sessions'))
    .description('list every FIX session with its state and both next sequence numbers, from Postgres')
    .option('--json', 'one JSON object per line instead of a table')
    .addHelpText('after', '\nState: connected | logged_on | logging_out | disconnected while a gateway runs the session; offline when no process runs it (last recorded state in lastState).')
    .action(async (opts: DbOpts & { json?: boolean }) => {
      const config = new Map(configured(opts.sessions).map((s) => [sessionKey(s), s]))
      const rows = await withMigratedDatabase(program, opts, listFixSessions)
      if (opts.json === true) {
        for (const r of rows) process.stdout.write(JSON.stringify({ ...r, name: config.get(r.sessionId)?.name ?? r.name, role: config.get(r.sessionId)?.role ?? null }) + '\n')
        return
      }
      process.stdout.write('name\trole\tsession\tstate\tnextSenderSeqNum\tnextTargetSeqNum\tsince\n')
      for (const r of rows) {
        const c = config.get(r.sessionId)
        process.stdout.write([c?.name ?? r.name ?? '-', c?.role ?? '-', r.sessionId, r.state, r.nextSenderSeqNum, r.nextTargetSeqNum, r.stateChangedAt?.toISOString() ?? '-'].join('\t') + '\n')
      }
    })
}

export function setSeqNumCommand (program: Command): void {
  dbOptions(program.command('set-seqnum'))
    .description('set the next sequence numbers of a FIX session that is not logged on (taken at its next logon)')
    .argument('<session>', 'session name (sessions/<name>.json) or id (FIX.4.4:SENDER->TARGET)')
    .option('--sender <n>', 'next MsgSeqNum we send', seqNum)
    .option('--target <n>', 'next MsgSeqNum we expect from the counterparty', seqNum)
    .addHelpText('after', '\nExit codes: 0 done, 1 refused (the session is logged on, or unknown), 2 bad arguments.')
    .action(async (name: string, opts: DbOpts & { sender?: number, target?: number }) => {
      if (opts.sender == null && opts.target == null) program.error('set-seqnum: give --sender and/or --target', { exitCode: EXIT.USAGE })
      const c = configured(opts.sessions).find((s) => s.name === name)
      try {
        const done = await withMigratedDatabase(program, opts, async (db) => {
          let id = c != null ? sessionKey(c) : name
          if (c == null && !name.includes('->')) {
            const row = await db('fix_sessions').where({ session_name: name }).first()
            if (row == null) throw new SeqNumChangeRefused(`no session named ${name}`)
            id = row.session_id as string
          }
          return { id, ...(await setNextSeqNums(db, id, { sender: opts.sender, target: opts.target })) }
        })
        process.stdout.write(`${done.id}\tnextSenderSeqNum=${done.sender}\tnextTargetSeqNum=${done.target}\n`)
      } catch (e) {
        if (!(e instanceof SeqNumChangeRefused)) throw e
        process.stderr.write(`set-seqnum: ${e.message}\n`)
        process.exitCode = EXIT.FAILURE
      }
    })
}
