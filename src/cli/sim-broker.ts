import type { Command } from 'commander'
import { createLogger } from '../log/logger'
import { PinoJsFixLoggerFactory } from '../log/jspurefix-logger'
import { Endpoint } from '../fix/transport/endpoint'
import { SimBroker } from '../fix/sim/sim-broker'
import { intOption } from './options'

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
    .action(async (opts: { host: string, port: number, sender: string, target: string, fills: number, ackDelay: number, fillDelay: number, marketPrice: string }) => {
      const logger = createLogger({ level: program.opts().logLevel, name: 'sim-broker' })
      const app = new SimBroker(logger, { fills: opts.fills, ackDelayMs: opts.ackDelay, fillDelayMs: opts.fillDelay, marketPrice: opts.marketPrice })
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
