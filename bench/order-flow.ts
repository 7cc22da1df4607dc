/**
 * End-to-end order throughput and latency: a scripted FIX client sends NewOrderSingles
 * through the gateway (real Postgres, real sockets) to our simulated broker, which acks
 * and fills each one. Measures, per order, NOS sent → ER New and NOS sent → ER Filled.
 *
 *   npm run bench -- [--orders 2000] [--in-flight 50] [--database-url URL]
 *
 * Prints one JSON line: machine, settings, orders/s, latency percentiles (ms).
 */
import * as os from 'node:os'
import { createLogger } from '../src/log/logger'
import { PinoJsFixLoggerFactory } from '../src/log/jspurefix-logger'
import { parseSessionConfig } from '../src/config/load-sessions'
import { Gateway } from '../src/app/gateway'
import { FixPeer } from '../src/fix/client/fix-peer'
import { findFreePort } from '../src/db/embedded-postgres'
import { openDatabase } from '../src/db/database'

function arg (name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 ? Number(process.argv[i + 1]) : fallback
}

function pct (sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))]
}

async function main (): Promise<void> {
  const orders = arg('orders', 2000)
  const inFlight = arg('in-flight', 50)
  const urlIdx = process.argv.indexOf('--database-url')
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn', pretty: false })
  // A dedicated database on the embedded server (or on DATABASE_URL's server).
  const admin = await openDatabase({ databaseUrl: urlIdx > 0 ? process.argv[urlIdx + 1] : undefined, dataDir: '.data/bench-pg', dbName: 'fixgw_bench', logger })
  const clientPort = await findFreePort()
  const brokerPort = await findFreePort()
  const sessions = [
    parseSessionConfig({ name: 'bench-client', role: 'client', senderCompId: 'FIXGW', targetCompId: 'BENCH', host: '127.0.0.1', port: clientPort }, 'bench'),
    parseSessionConfig({ name: 'bench-broker', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIMBROKER', host: '127.0.0.1', port: brokerPort, simulate: true }, 'bench')
  ]
  const gw = await Gateway.start({ logger, sessions, databaseUrl: admin.url })
  const client = new FixPeer({ name: 'bench', role: 'initiator', senderCompId: 'BENCH', targetCompId: 'FIXGW', host: '127.0.0.1', port: clientPort, heartBtInt: 30, resetSeqNumOnLogon: true, reconnectSeconds: 1 }, logger, new PinoJsFixLoggerFactory(logger))
  await client.start()
  while (!gw.brokers.isUp('bench-broker')) await new Promise((resolve) => setTimeout(resolve, 20))

  const sentAt = new Map<string, bigint>()
  const ack: number[] = []
  const fill: number[] = []
  const run = `B${Date.now()}`
  let sent = 0
  let done = 0
  const t0 = process.hrtime.bigint()
  const send = (): void => {
    const id = `${run}-${sent++}`
    sentAt.set(id, process.hrtime.bigint())
    client.send('D', { ClOrdID: id, Account: 'BENCH', Instrument: { Symbol: 'BNCH' }, Side: sent % 2 === 0 ? '1' : '2', TransactTime: new Date(), OrderQtyData: { OrderQty: '100' }, OrdType: '2', Price: '10.25' })
  }
  for (let i = 0; i < Math.min(inFlight, orders); i++) send()
  while (done < orders) {
    const m = await client.next((x) => x.msgType === '8', 30000)
    const id = m.get(11) ?? ''
    const start = sentAt.get(id)
    if (start == null) continue
    const ms = Number(process.hrtime.bigint() - start) / 1e6
    if (m.get(150) === '0') ack.push(ms)
    if (m.get(39) === '2' || m.get(39) === '8') {
      fill.push(ms)
      done++
      if (sent < orders) send()
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9
  ack.sort((a, b) => a - b)
  fill.sort((a, b) => a - b)
  const r = (x: number): number => Math.round(x * 100) / 100
  console.log(JSON.stringify({
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    settings: { orders, inFlight, database: admin.embedded ? 'embedded' : 'DATABASE_URL' },
    ordersPerSecond: r(orders / seconds),
    ackMs: { p50: r(pct(ack, 0.5)), p90: r(pct(ack, 0.9)), p99: r(pct(ack, 0.99)), max: r(ack[ack.length - 1]) },
    filledMs: { p50: r(pct(fill, 0.5)), p90: r(pct(fill, 0.9)), p99: r(pct(fill, 0.99)), max: r(fill[fill.length - 1]) }
  }))
  await client.stop()
  await gw.stop()
  await admin.close()
}

main().catch((e) => { console.error(e); process.exitCode = 1 })
