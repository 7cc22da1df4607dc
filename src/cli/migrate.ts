import type { Command } from 'commander'
import { createLogger } from '../log/logger'
import { openDatabase } from '../db/database'
import { createKnex, migrateLatest } from '../db/knex'

export function migrateCommand (program: Command): void {
  program.command('migrate')
    .description('apply pending database migrations and exit')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else an embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .action(async (opts: { databaseUrl?: string, dataDir: string }) => {
      const logger = createLogger({ level: program.opts().logLevel, name: 'fixgw' })
      const database = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, logger })
      const db = createKnex(database.url)
      try {
        const applied = await migrateLatest(db)
        logger.info({ applied }, applied.length > 0 ? `applied ${applied.length} migration(s)` : 'schema already up to date')
      } finally {
        await db.destroy()
        await database.close()
      }
    })
}
