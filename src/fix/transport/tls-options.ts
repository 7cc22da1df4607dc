/**
 * TLS for FIX connections, with certificate files named in sessions/*.json (paths are
 * resolved against the config file's folder when loading; here they are absolute).
 * We hand node's tls module the PEM contents, never paths for a library to resolve.
 */
import * as fs from 'node:fs'
import type * as tls from 'node:tls'

export interface TlsSettings {
  /** our certificate chain (PEM); required for an acceptor, optional for an initiator (client certificate) */
  readonly certFile?: string | null
  /** our private key (PEM) */
  readonly keyFile?: string | null
  /** CA certificates (PEM) used to verify the peer; default: Node's trusted CAs */
  readonly caFile?: string | null
  /** acceptor: demand a client certificate signed by `caFile` (mutual TLS) */
  readonly requireClientCert?: boolean
  /** initiator: the name the server certificate must carry (default: the host) */
  readonly serverName?: string | null
  /** verify the peer's certificate (default true; false only for tests) */
  readonly verifyPeer?: boolean
}

const read = (file: string | null | undefined): Buffer | undefined => file == null ? undefined : fs.readFileSync(file)

export function serverTlsOptions (t: TlsSettings): tls.TlsOptions {
  if (t.certFile == null || t.keyFile == null) throw new Error('TLS acceptor needs a certificate and a key')
  const mutual = t.requireClientCert === true
  return {
    cert: read(t.certFile),
    key: read(t.keyFile),
    ca: read(t.caFile),
    requestCert: mutual,
    rejectUnauthorized: mutual && t.verifyPeer !== false,
    minVersion: 'TLSv1.2'
  }
}

export function clientTlsOptions (t: TlsSettings, host: string, port: number): tls.ConnectionOptions {
  return {
    host,
    port,
    cert: read(t.certFile),
    key: read(t.keyFile),
    ca: read(t.caFile),
    servername: t.serverName ?? (isIp(host) ? undefined : host),
    rejectUnauthorized: t.verifyPeer !== false,
    minVersion: 'TLSv1.2'
  }
}

function isIp (host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':')
}
