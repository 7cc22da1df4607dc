import type { Command } from 'commander'
import { InvalidArgumentError } from 'commander'
import { createLogger } from '../log/logger'
import { PinoJsFixLoggerFactory } from '../log/jspurefix-logger'
import { FixPeer, type ReceivedMessage } from '../fix/client/fix-peer'
import { EXIT } from './exit-codes'
import { decimalOption, intOption } from './options'

const SIDES: Record<string, string> = { buy: '1', sell: '2', sellshort: '5' }
const TYPES: Record<string, string> = { market: '1', limit: '2', stop: '3', stoplimit: '4' }
const TERMINAL = new Set(['2', '4', '8', 'C'])

function choice (map: Record<string, string>) {
  return (v: string): string => {
    const k = v.toLowerCase()
    if (!(k in map)) throw new InvalidArgumentError(`expected one of ${Object.keys(map).join(', ')}`)
    return map[k]
  }
}

interface SendOrderOptions {
  host: string, port: number, sender: string, target: string, symbol: string, side: string, qty: string
  price?: string, stopPx?: string, type?: string, account?: string, clOrdId?: string, timeout: number
}

export function sendOrderCommand (program: Command): void {
  program.command('send-order')
    .description('a small FIX 4.4 client: log on to a client session, send one NewOrderSingle, print the ExecutionReports until the order is done')
    .option('--host <host>', 'gateway address', '127.0.0.1')
    .option('--port <port>', 'gateway client session port', intOption, 9880)
    .option('--sender <compId>', 'our SenderCompID (the client)', 'CLIENT1')
    .option('--target <compId>', 'the gateway\'s CompID', 'FIXGW')
    .requiredOption('--symbol <symbol>', 'Symbol(55)')
    .requiredOption('--side <side>', 'buy | sell | sellshort', choice(SIDES))
    .requiredOption('--qty <qty>', 'OrderQty(38)', decimalOption)
    .option('--price <px>', 'Price(44): makes it a limit order', decimalOption)
    .option('--stop-px <px>', 'StopPx(99)', decimalOption)
    .option('--type <type>', 'market | limit | stop | stoplimit (default: limit with --price, else market)', choice(TYPES))
    .option('--account <account>', 'Account(1)')
    .option('--cl-ord-id <id>', 'ClOrdID(11) (default: generated)')
    .option('--timeout <ms>', 'how long to wait for the order to finish', intOption, 10000)
    .addHelpText('after', '\nExit codes: 0 the order was accepted (filled, or still working at --timeout), 3 rejected, 1 no answer / connection failure, 2 bad arguments.')
    .action(async (opts: SendOrderOptions) => {
      const logger = createLogger({ level: program.opts().logLevel === 'info' ? 'warn' : program.opts().logLevel, name: 'send-order' })
      const peer = new FixPeer({
        name: 'send-order', role: 'initiator', senderCompId: opts.sender, targetCompId: opts.target,
        host: opts.host, port: opts.port, heartBtInt: 30, resetSeqNumOnLogon: true, reconnectSeconds: 1
      }, logger, new PinoJsFixLoggerFactory(logger))
      const clOrdId = opts.clOrdId ?? `CLI-${Date.now()}`
      const ordType = opts.type ?? (opts.price != null ? '2' : '1')
      try {
        await peer.start(Math.min(opts.timeout, 10000))
        peer.send('D', {
          ClOrdID: clOrdId,
          Account: opts.account,
          HandlInst: '1',
          Instrument: { Symbol: opts.symbol },
          Side: opts.side,
          TransactTime: new Date(),
          OrderQtyData: { OrderQty: opts.qty },
          OrdType: ordType,
          Price: opts.price,
          StopPx: opts.stopPx
        })
        const deadline = Date.now() + opts.timeout
        let last: ReceivedMessage | null = null
        while (Date.now() < deadline) {
          let m: ReceivedMessage
          try {
            m = await peer.next((x) => x.msgType === '8' || x.msgType === 'j' || x.msgType === '3', deadline - Date.now())
          } catch {
            break
          }
          printReport(m)
          if (m.msgType !== '8') { process.exitCode = EXIT.REJECTED; return }
          last = m
          if (TERMINAL.has(m.get(39) ?? '')) break
        }
        if (last == null) {
          process.stderr.write(`no ExecutionReport within ${opts.timeout} ms\n`)
          process.exitCode = EXIT.FAILURE
        } else {
          process.exitCode = last.get(39) === '8' ? EXIT.REJECTED : EXIT.OK
        }
      } finally {
        await peer.stop()
      }
    })
}

const NAMES: Record<number, string> = { 11: 'ClOrdID', 37: 'OrderID', 17: 'ExecID', 150: 'ExecType', 39: 'OrdStatus', 55: 'Symbol', 54: 'Side', 38: 'OrderQty', 44: 'Price', 32: 'LastQty', 31: 'LastPx', 14: 'CumQty', 151: 'LeavesQty', 6: 'AvgPx', 103: 'OrdRejReason', 58: 'Text', 380: 'BusinessRejectReason', 373: 'SessionRejectReason' }

function printReport (m: ReceivedMessage): void {
  const out: Record<string, string> = { MsgType: m.msgType }
  for (const [tag, value] of m.fields) if (NAMES[tag] != null) out[NAMES[tag]] = value
  process.stdout.write(JSON.stringify(out) + '\n')
}
