/**
 * jspurefix's TcpAcceptor with two operational fixes (verified against jspurefix 5.11.4):
 *  - it listens on the configured host, not on every interface;
 *  - a listen error (EADDRINUSE, EACCES...) is reported to us instead of being thrown
 *    from an event handler, which would crash the process.
 * The base class keeps its server in a private field; we reach it by name, and the
 * constructor check below fails loudly if a jspurefix upgrade renames it.
 */
import type * as net from 'node:net'
import { TcpAcceptor } from '../jspurefix'
import type { IJsFixConfig } from '../jspurefix'

export interface ListenHooks {
  onListening: () => void
  onError: (e: NodeJS.ErrnoException) => void
}

export class BoundTcpAcceptor extends TcpAcceptor {
  constructor (config: IJsFixConfig, private readonly hooks: ListenHooks) {
    super(config)
    const server = this.netServer
    if (server == null || typeof server.listen !== 'function') {
      throw new Error('jspurefix TcpAcceptor has no `server` field: BoundTcpAcceptor needs updating')
    }
    server.removeAllListeners('error') // jspurefix's handler rethrows: uncaught
    server.on('error', (e: NodeJS.ErrnoException) => this.hooks.onError(e))
  }

  private get netServer (): net.Server {
    return (this as unknown as { server: net.Server }).server
  }

  override listen (): void {
    const tcp = this.config.description.application?.tcp
    const server = this.netServer
    server.once('listening', () => this.hooks.onListening())
    server.listen(tcp?.port, tcp?.host)
  }
}
