#!/usr/bin/env node
/**
 * fixgw command line. Every command has --help; exit codes are in ./exit-codes.ts.
 */
import { Command, CommanderError } from 'commander'
import { createLogger } from '../log/logger'
import { ConfigError } from '../config/config-error'
import { EXIT } from './exit-codes'
import { startCommand } from './start'
import { migrateCommand } from './migrate'
import { simBrokerCommand } from './sim-broker'
import { sendOrderCommand } from './send-order'
import { conformanceAcceptorCommand } from './conformance-acceptor'
import { sessionsCommand, setSeqNumCommand } from './sessions'
import { killSwitchCommand } from './kill-switch'
import { positionsCommand } from './positions'
import { reconcilePositionsCommand } from './reconcile'

export function buildProgram (): Command {
  const program = new Command()
  program
    .name('fixgw')
    .description('FIX 4.4 gateway and order management system on PostgreSQL')
    .option('--log-level <level>', 'trace|debug|info|warn|error', process.env.LOG_LEVEL ?? 'info')
    .showHelpAfterError()
    .exitOverride()
  startCommand(program)
  migrateCommand(program)
  simBrokerCommand(program)
  sendOrderCommand(program)
  conformanceAcceptorCommand(program)
  sessionsCommand(program)
  setSeqNumCommand(program)
  killSwitchCommand(program)
  positionsCommand(program)
  reconcilePositionsCommand(program)
  return program
}

export async function main (argv: string[]): Promise<number> {
  const program = buildProgram()
  try {
    await program.parseAsync(argv)
    return process.exitCode === undefined ? EXIT.OK : Number(process.exitCode)
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end here with exitCode 0
      return e.exitCode === 0 ? EXIT.OK : EXIT.USAGE
    }
    const logger = createLogger({ level: program.opts().logLevel })
    if (e instanceof ConfigError) {
      logger.error({ file: e.file, field: e.field, problem: e.problem }, e.message)
      return EXIT.USAGE
    }
    logger.error({ err: e }, e instanceof Error ? e.message : String(e))
    return EXIT.FAILURE
  }
}

if (require.main === module) {
  main(process.argv).then((code) => { process.exitCode = code }, (e) => {
    console.error(e)
    process.exitCode = EXIT.FAILURE
  })
}
