/**
 * TLS and mutual TLS on our transport, configured as an operator does it: certificate
 * paths in the session file, relative to that file.
 */
import { expect } from 'chai'
import * as path from 'node:path'
import { createLogger } from '../../../src/log/logger'
import { findFreePort } from '../../../src/db/embedded-postgres'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { endpointSpecOf } from '../../../src/fix/transport/session-spec'
import { Endpoint, type EndpointSpec } from '../../../src/fix/transport/endpoint'
import { FixPeer } from '../../../src/fix/client/fix-peer'
import type { FixApp } from '../../../src/fix/session/fixgw-session'

const TLS = path.resolve(__dirname, '..', '..', '..', '..', 'test', 'integration', 'session', 'tls')
const logger = createLogger({ level: process.env.TEST_LOG_LEVEL ?? 'silent', pretty: false })

describe('FIX over TLS', function () {
  this.timeout(20000)
  let gateway: Endpoint
  let port: number
  const received: string[] = []
  const peers: FixPeer[] = []

  before(async () => {
    port = await findFreePort()
    // paths relative to the session file's folder, as in sessions/*.json
    const cfg = parseSessionConfig({
      name: 'client1', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port,
      tls: { cert: 'gateway.pem', key: 'gateway.key', ca: 'ca.pem', requireClientCert: true }
    }, path.join(TLS, 'client1.json'))
    const app: FixApp = { onReady: () => {}, onStopped: () => {}, onMessage: (s, t, v) => { received.push(`${t}:${v.getString(11) ?? ''}`) } }
    gateway = new Endpoint(endpointSpecOf(cfg), { logger, app })
    await gateway.start()
  })

  after(async () => {
    for (const p of peers) await p.stop().catch(() => undefined)
    await gateway?.stop()
  })

  const client = (tls: EndpointSpec['tls'], name = `tls-client-${peers.length}`): FixPeer => {
    const p = new FixPeer({ name, role: 'initiator', senderCompId: 'CLIENT1', targetCompId: 'FIXGW', host: '127.0.0.1', port, heartBtInt: 30, resetSeqNumOnLogon: true, reconnectSeconds: 60, tls }, logger, {} as never)
    peers.push(p)
    return p
  }

  it('logs on with mutual TLS (client certificate signed by the configured CA) and carries messages', async () => {
    const p = client({ certFile: path.join(TLS, 'client.pem'), keyFile: path.join(TLS, 'client.key'), caFile: path.join(TLS, 'ca.pem'), serverName: 'localhost' })
    await p.start(5000)
    p.sendTags('D', [[11, 'TLS-1'], [21, '1'], [55, 'X'], [54, '1'], [60, '20240102-03:04:05'], [38, '1'], [40, '1']])
    const deadline = Date.now() + 3000
    while (!received.includes('D:TLS-1') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20))
    expect(received).to.include('D:TLS-1')
    await p.stop()
  })

  for (const [what, tls] of [
    ['without a client certificate', { caFile: path.join(TLS, 'ca.pem'), serverName: 'localhost' }],
    ['with a certificate the CA did not sign', { certFile: path.join(TLS, 'stranger.pem'), keyFile: path.join(TLS, 'stranger.key'), caFile: path.join(TLS, 'ca.pem'), serverName: 'localhost' }]
  ] as const) {
    it(`refuses a client ${what}`, async () => {
      const p = client(tls)
      let error = ''
      try { await p.start(1500) } catch (e) { error = (e as Error).message }
      expect(error).to.match(/no logon within/)
      await p.stop()
    })
  }

  it('does not log on to a gateway whose certificate it cannot verify', async () => {
    const p = client({ certFile: path.join(TLS, 'client.pem'), keyFile: path.join(TLS, 'client.key'), serverName: 'localhost' }) // no CA: Node's defaults do not trust ours
    let error = ''
    try { await p.start(1500) } catch (e) { error = (e as Error).message }
    expect(error).to.match(/no logon within/)
    await p.stop()
  })
})
