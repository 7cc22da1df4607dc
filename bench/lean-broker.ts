/**
 * The lean broker: a FIX 4.4 acceptor that acks and fills every NewOrderSingle at once,
 * like `fixgw sim-broker --fills 1 --ack-delay 0 --fill-delay 0`, on the benchmark's
 * lean session (bench/lib/lean-fix.ts) instead of our session layer, so that the
 * broker's own CPU takes as little as possible from the gateway on a small machine.
 * `npm run bench -- --broker lean` runs it; `--broker sim` (default) runs the product's
 * simulator. Logs JSON lines (pino's shape) on stdout.
 *
 *   node dist/bench/lean-broker.js --port P [--host 127.0.0.1] [--sender SIMBROKER] [--target FIXGW]
 */
import * as net from 'node:net'
import { LeanFixSession, SOH, field, utcNow } from './lib/lean-fix'

function arg (name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`)
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback
}

const log = (level: number, msg: string, extra: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ level, time: Date.now(), name: 'lean-broker', ...extra, msg })}\n`)
}

const host = arg('host', '127.0.0.1')
const port = Number(arg('port', '9881'))
const sender = arg('sender', 'SIMBROKER')
const target = arg('target', 'FIXGW')
// never reuse an ExecID or OrderID across restarts (the gateway drops a repeated ExecID)
const prefix = `LB${Date.now().toString(36).toUpperCase()}`
let nextId = 1
const sessions = new Set<LeanFixSession>()

const server = net.createServer((socket) => {
  const s: LeanFixSession = new LeanFixSession(socket, { senderCompId: sender, targetCompId: target, role: 'acceptor', heartBtInt: 30 }, {
    onReady: () => { sessions.add(s); log(30, 'simulated broker: client logged on', { remote: `${String(socket.remoteAddress)}:${String(socket.remotePort)}` }) },
    onProblem: (text) => log(40, text),
    onClose: (reason) => { sessions.delete(s); log(30, 'connection closed', { reason }) },
    onApp: (msgType, frame) => {
      if (msgType === 'H') {
        // status request (the gateway asks about orders left open by an earlier run): we keep no orders
        const clOrdId = field(frame, 11) ?? ''
        s.send('8', `37=NONE${SOH}11=${clOrdId}${SOH}17=${prefix}-S${nextId++}${SOH}150=I${SOH}39=8${SOH}55=${field(frame, 55) ?? ''}${SOH}54=${field(frame, 54) ?? '1'}${SOH}151=0${SOH}14=0${SOH}6=0${SOH}58=unknown order${SOH}`)
        return
      }
      if (msgType !== 'D') {
        s.send('j', `45=${String(field(frame, 34))}${SOH}372=${msgType}${SOH}380=3${SOH}58=lean broker does not support ${msgType}${SOH}`)
        return
      }
      const clOrdId = field(frame, 11) ?? ''
      const symbol = field(frame, 55) ?? ''
      const side = field(frame, 54) ?? '1'
      const qty = field(frame, 38) ?? '0'
      const px = field(frame, 44) ?? '100'
      const orderId = `${prefix}-${nextId++}`
      const common = `37=${orderId}${SOH}11=${clOrdId}${SOH}`
      const instr = `55=${symbol}${SOH}54=${side}${SOH}38=${qty}${SOH}`
      s.send('8', `${common}17=${orderId}-0${SOH}150=0${SOH}39=0${SOH}${instr}151=${qty}${SOH}14=0${SOH}6=0${SOH}60=${utcNow()}${SOH}`)
      s.send('8', `${common}17=${orderId}-1${SOH}150=F${SOH}39=2${SOH}${instr}32=${qty}${SOH}31=${px}${SOH}151=0${SOH}14=${qty}${SOH}6=${px}${SOH}60=${utcNow()}${SOH}`)
    }
  })
})
server.on('error', (e) => { log(50, `listen failed: ${e.message}`); process.exit(1) })
server.listen(port, host, () => log(30, 'simulated broker listening', { host, port, SenderCompID: sender, TargetCompID: target }))

const stop = (): void => {
  server.close()
  Promise.all([...sessions].map(async (s) => await s.logout(500))).finally(() => process.exit(0))
  setTimeout(() => process.exit(0), 2000).unref()
}
process.once('SIGINT', stop)
process.once('SIGTERM', stop)
