import type { Command } from 'commander'
import { createLogger } from '../log/logger'
import { Gateway } from '../app/gateway'

export function startCommand (program: Command): void {
  program.command('start')
    .description('run the gateway: migrate the database, start every enabled session in sessions/ (and the simulated brokers they ask for)')
    .option('--sessions <dir>', 'folder with one JSON file per counterparty', 'sessions')
    .option('--database-url <url>', 'PostgreSQL URL (default: $DATABASE_URL, else an embedded server)')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/pg')
    .action(async (opts: { sessions: string, databaseUrl?: string, dataDir: string }) => {
      const logger = createLogger({ level: program.opts().logLevel, name: 'fixgw' })
      const t0 = Date.now()
      const gw = await Gateway.start({
        logger,
        sessionsDir: opts.sessions,
        databaseUrl: opts.databaseUrl,
        dataDir: opts.dataDir
      })
      logger.info({ ms: Date.now() - t0 }, 'gateway started; Ctrl-C to stop')
      await new Promise<void>((resolve) => {
        const stop = (signal: string): void => {
          logger.info({ signal }, 'shutdown requested')
          process.removeAllListeners('SIGINT')
          process.removeAllListeners('SIGTERM')
          resolve()
        }
        process.once('SIGINT', () => stop('SIGINT'))
        process.once('SIGTERM', () => stop('SIGTERM'))
      })
      await gw.stop()
    })
}
