/**
 * Resolves which PostgreSQL the gateway uses:
 *  - an external server when `databaseUrl` or $DATABASE_URL is set (used as is, never
 *    started/stopped by us);
 *  - otherwise the embedded server (src/db/embedded-postgres.ts) on `dataDir`, with database
 *    `dbName` created on first use. close() stops that server.
 */
import { EmbeddedPostgres, EmbeddedPostgresError, type PgLogger } from './embedded-postgres'

export const DEFAULT_DB_NAME = 'fixgw'

export interface OpenDatabaseOptions {
  /** wins over $DATABASE_URL; empty string = unset */
  databaseUrl?: string
  /** embedded cluster folder (default `<cwd>/.data/pg`) */
  dataDir?: string
  /** embedded database name (default `fixgw`) */
  dbName?: string
  /** embedded TCP port on 127.0.0.1 (default: a free one) */
  port?: number
  /** see EmbeddedPostgresOptions.fixPermissions */
  fixPermissions?: boolean
  /**
   * The embedded server's owner (the gateway) stops it on close even when it adopted a
   * server left running (after a crash). Everyone else (CLI commands run beside a
   * gateway) stops it only if they started it: closing must never take the database
   * away from a running gateway.
   */
  owner?: boolean
  logger: PgLogger
}

export interface DatabaseHandle {
  /** connection URL (embedded: postgres://postgres@127.0.0.1:PORT/<dbName>) */
  url: string
  /** true when we started (or adopted) the embedded server */
  embedded: boolean
  /** stops the embedded server if we own or started it; no-op for an external URL; idempotent */
  close (): Promise<void>
}

export async function openDatabase (opts: OpenDatabaseOptions): Promise<DatabaseHandle> {
  const { logger } = opts
  const external = nonEmpty(opts.databaseUrl) ?? nonEmpty(process.env.DATABASE_URL)
  if (external !== undefined) {
    logger.info({ url: redactUrl(external) }, 'using external PostgreSQL')
    return { url: external, embedded: false, close: async () => {} }
  }

  const dbName = opts.dbName ?? DEFAULT_DB_NAME
  // The name lands in a URL path and an identifier: keep it boring.
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(dbName)) {
    throw new EmbeddedPostgresError('INVALID_OPTION', `dbName "${dbName}" must match [A-Za-z_][A-Za-z0-9_]{0,62}`)
  }
  const server = new EmbeddedPostgres({ dataDir: opts.dataDir, port: opts.port, fixPermissions: opts.fixPermissions, logger })
  const started = await server.start()
  let url: string
  try {
    url = await server.ensureDatabase(dbName)
  } catch (err) {
    // Do not leave a server running that nobody holds a handle to.
    await server.stop().catch((stopErr: unknown) => logger.warn({ err: stopErr }, 'stopping embedded PostgreSQL after failure failed'))
    throw err
  }
  logger.info({ url: redactUrl(url), port: started.port, initialized: started.initialized, adopted: started.adopted }, 'embedded PostgreSQL ready')
  const stopOnClose = opts.owner === true || !started.adopted
  return {
    url,
    embedded: true,
    close: async () => {
      if (stopOnClose) await server.stop()
      else logger.info({ port: started.port }, 'leaving the embedded PostgreSQL running: it was already running (a gateway uses it)')
    }
  }
}

/**
 * For logs: hides the password of a URL (`postgres://u:***@h/db`) and of a `password=`
 * parameter. Strings that do not parse as a URL (e.g. a raw `/` in the password, or a
 * `host=... password=...` keyword string) are masked by pattern, erring on hiding more.
 */
export function redactUrl (url: string): string {
  try {
    const parsed = new URL(url)
    if (parsed.password !== '') parsed.password = '***'
    if (parsed.searchParams.has('password')) parsed.searchParams.set('password', '***')
    return parsed.toString()
  } catch {
    return url
      .replace(/^([^:/]*:\/\/[^/@:]*:).*@/, '$1***@')
      .replace(/(^|[?&\s])(password\s*=\s*)[^&\s]*/gi, '$1$2***')
  }
}

function nonEmpty (value: string | undefined): string | undefined {
  return value !== undefined && value.trim() !== '' ? value.trim() : undefined
}
