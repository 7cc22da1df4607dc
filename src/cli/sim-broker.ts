import type { Command } from 'commander'
import { createLogger } from '../log/logger'
import { PinoJsFixLoggerFactory } from '../log/jspurefix-logger'
import { Endpoint } from '../fix/transport/endpoint'
import { SimBroker } from '../fix/sim/sim-broker'
import { intOption } from './options'

interface SimOpts {
  host: string, port: number, sender: string, target: string, fills: number, ackDelay: number, fillDelay: number, marketPrice: string
  rejectSymbols: string[], unsolicitedCancelAfter?: number, doneForDayAfter?: number
  bustLastFill?: boolean, correctLastFill?: boolean, duplicateReports?: boolean, refuseCancels?: boolean
}

export function simBrokerCommand (program: Command): void {
  program.command('sim-broker')
    .description('run the simulated broker alone: a FIX 4.4 acceptor that acks and fills every order (sequence numbers in memory)')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', intOption, 9881)
    .option('--sender <compId>', 'the broker\'s SenderCompID', 'SIMBROKER')
    .option('--target <compId>', 'the gateway\'s CompID', 'FIXGW')
    .option('--fills <n>', 'executions per order (0: ack only)', intOption, 1)
    .option('--ack-delay <ms>', 'delay before the ack', intOption, 0)
    .option('--fill-delay <ms>', 'delay before each fill', intOption, 0)
    .option('--market-price <px>', 'fill price of market orders', '100')
    .option('--reject-symbols <list>', 'comma-separated symbols to reject', (v: string) => v.split(',').filter((x) => x !== ''), [] as string[])
    .option('--unsolicited-cancel-after <ms>', 'cancel what is left of an open order after that long', intOption)
    .option('--done-for-day-after <ms>', 'send DoneForDay for an open order after that long', intOption)
    .option('--bust-last-fill', 'send a TradeCancel (H) for each order\'s last fill')
    .option('--correct-last-fill', 'send a TradeCorrect (G) for each order\'s last fill, 1% better')
    .option('--duplicate-reports', 'send every ExecutionReport twice (same ExecID)')
    .option('--refuse-cancels', 'answer cancels and replaces with OrderCancelReject')
    .action(async (opts: SimOpts) => {
      const logger = createLogger({ level: program.opts().logLevel, name: 'sim-broker' })
      const app = new SimBroker(logger, {
        fills: opts.fills,
        ackDelayMs: opts.ackDelay,
        fillDelayMs: opts.fillDelay,
        marketPrice: opts.marketPrice,
        rejectSymbols: opts.rejectSymbols,
        unsolicitedCancelAfterMs: opts.unsolicitedCancelAfter ?? null,
        doneForDayAfterMs: opts.doneForDayAfter ?? null,
        bustLastFill: opts.bustLastFill === true,
        correctLastFill: opts.correctLastFill === true,
        duplicateReports: opts.duplicateReports === true,
        refuseCancels: opts.refuseCancels === true
      })
      const ep = new Endpoint({ name: 'sim-broker', role: 'acceptor', senderCompId: opts.sender, targetCompId: opts.target, host: opts.host, port: opts.port, heartBtInt: 30, resetSeqNumOnLogon: false },
        { logger, jsfixLogFactory: new PinoJsFixLoggerFactory(logger), app })
      await ep.start()
      logger.info({ host: opts.host, port: opts.port, SenderCompID: opts.sender, TargetCompID: opts.target }, 'simulated broker listening; Ctrl-C to stop')
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve())
        process.once('SIGTERM', () => resolve())
      })
      await ep.stop()
    })
}
