import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { createLogger } from '../log/logger'
import { openDatabase } from '../db/database'
import { createKnex, migrateLatest } from '../db/knex'
import { startConformanceAcceptor, CONFORMANCE_SENDER, CONFORMANCE_TARGETS } from '../fix/conformance/conformance-acceptor'
import { intOption } from './options'

interface Options { host: string, port: number, store: 'memory' | 'postgres', databaseUrl?: string, dataDir: string, sender: string, targets: string }

export function conformanceAcceptorCommand (program: Command): void {
  program.command('conformance-acceptor')
    .description('run our FIX session layer as the QuickFIX acceptance-test acceptor (ISLD/TW44, echo application) for ../shared/conformance/fixconf.py')
    .requiredOption('--port <port>', 'TCP port to listen on', intOption)
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--store <kind>', 'message store: memory | postgres (postgres: the gateway\'s store, via --database-url / $DATABASE_URL / embedded)', (v: string) => {
      if (v !== 'memory' && v !== 'postgres') throw new InvalidArgumentError('expected memory or postgres')
      return v
    }, 'memory')
    .option('--database-url <url>', 'PostgreSQL URL for --store postgres (default: $DATABASE_URL, else an embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .option('--sender <compId>', 'our SenderCompID', CONFORMANCE_SENDER)
    .option('--targets <list>', 'comma-separated TargetCompIDs served', CONFORMANCE_TARGETS.join(','))
    .action(async (opts: Options) => {
      const logger = createLogger({ level: program.opts().logLevel, name: 'fixgw' })
      const database = opts.store === 'postgres' ? await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger }) : null
      const db = database == null ? null : createKnex(database.url)
      try {
        if (db != null) await migrateLatest(db)
        const acceptor = await startConformanceAcceptor({
          host: opts.host, port: opts.port, logger, db, senderCompId: opts.sender,
          targetCompIds: opts.targets.split(',').map((t) => t.trim()).filter((t) => t !== '')
        })
        await new Promise<void>((resolve) => {
          process.once('SIGINT', () => resolve())
          process.once('SIGTERM', () => resolve())
        })
        await acceptor.stop()
      } finally {
        await db?.destroy()
        await database?.close()
      }
    })
}
