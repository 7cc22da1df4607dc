/** Command line of `npm run bench`: every option, its default, and the checks between them. */
import { Command, InvalidArgumentError } from 'commander'

export interface BenchOptions {
  readonly clients: number
  /** open loop when set: orders per second over all client sessions */
  readonly rate: number | null
  readonly inFlight: number
  /** measured window in seconds (null when --orders) */
  readonly duration: number | null
  readonly orders: number | null
  readonly warmup: number
  readonly timeoutMs: number
  readonly preload: number
  readonly symbols: number
  readonly direct: boolean
  readonly client: 'lean' | 'session'
  readonly broker: 'sim' | 'lean'
  readonly keepDb: boolean
  readonly databaseUrl?: string
  readonly dataDir: string
  readonly dbName: string
  readonly pgSettings: Readonly<Record<string, string>>
  readonly pgStatStatements: boolean
  readonly cpuProf: boolean
  readonly gatewayLogLevel: string
  readonly startupTimeout: number
  readonly stall: number
  readonly deadline: number | null
  readonly maxOutstanding: number
  readonly runDir: string | null
  readonly json: string | null
  readonly progress: number
}

const int = (min: number) => (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`'${value}' is not a whole number >= ${min}`)
  return Number(value)
}
const positive = (value: string): number => {
  const n = Number(value)
  if (!/^\d+(\.\d+)?$/.test(value) || !(n > 0)) throw new InvalidArgumentError(`'${value}' is not a positive number`)
  return n
}
const nonNegative = (value: string): number => {
  if (!/^\d+(\.\d+)?$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a number >= 0`)
  return Number(value)
}
const choice = (allowed: readonly string[]) => (value: string): string => {
  if (!allowed.includes(value)) throw new InvalidArgumentError(`'${value}' is not one of ${allowed.join(', ')}`)
  return value
}
const setting = (value: string, previous: Record<string, string>): Record<string, string> => {
  const eq = value.indexOf('=')
  if (eq <= 0) throw new InvalidArgumentError(`'${value}' is not name=value`)
  return { ...previous, [value.slice(0, eq)]: value.slice(eq + 1) }
}

export function parseOptions (argv: string[]): BenchOptions {
  const program = new Command()
  program
    .name('npm run bench --')
    .description('End-to-end benchmark of fixgw: FIX client sessions -> gateway (child process, PostgreSQL) -> simulated broker (child process) that acks and fills at once. Prints one JSON line on stdout and a summary on stderr; see bench/README.md.')
    .option('--clients <n>', 'client sessions driving the load', int(1), 4)
    .option('--rate <orders/s>', 'open loop: orders per second over all sessions, each due at a fixed time; latency from that intended time', positive)
    .option('--in-flight <k>', 'closed loop (without --rate): outstanding orders per session', int(1), 20)
    .option('--duration <s>', 'measured window, seconds (default 20 unless --orders)', positive)
    .option('--orders <n>', 'run until n orders sent after the warm-up are done (instead of --duration)', int(1))
    .option('--warmup <s>', 'seconds of load before the measured window (excluded from every figure)', nonNegative, 3)
    .option('--timeout <ms>', 'an order without its fill after this long counts as a timeout', int(1), 10000)
    .option('--preload <n>', 'insert n historic Filled orders with SQL before the gateway starts', int(0), 0)
    .option('--symbols <n>', 'orders cycle over symbols SYM0..SYM<n-1>', int(1), 10)
    .option('--direct', 'no gateway, no database: the clients talk straight to simulated brokers (one per client session), to measure the load generator and the broker')
    .option('--client <kind>', 'load client sessions: lean (the bench\'s own minimal FIX session, least CPU) or session (our session layer, src/fix/session)', choice(['lean', 'session']), 'lean')
    .option('--broker <kind>', 'broker child process: lean (bench/lean-broker.ts: ack and fill at once on the lean session, least CPU) or sim (`fixgw sim-broker --fills 1 --ack-delay 0 --fill-delay 0`, our simulator: about 0.12 ms CPU per order)', choice(['lean', 'sim']), 'lean')
    .option('--keep-db', 'keep the bench database of the previous run instead of dropping and creating it again')
    .option('--database-url <url>', 'use this PostgreSQL server (default: $DATABASE_URL, else the embedded server); the bench database is created there')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/bench-pg')
    .option('--db-name <name>', 'the bench database (dropped and created at each run)', 'fixgw_bench')
    .option('--pg-setting <name=value>', 'embedded server setting (repeatable), e.g. shared_buffers=1GB; fsync and full_page_writes stay on', setting, {})
    .option('--pg-stat-statements', 'load pg_stat_statements (embedded server) and report the top statements of the window')
    .option('--cpu-prof', 'run the gateway with node --cpu-prof; the .cpuprofile lands in the run folder')
    .option('--gateway-log-level <level>', 'LOG_LEVEL of the gateway (info: needed for the "gateway started" start-up figure; nothing per order is logged at info)', 'info')
    .option('--startup-timeout <s>', 'give up when the gateway and every session are not up by then', positive, 300)
    .option('--stall <s>', 'abort when no ExecutionReport arrives for this long while orders are outstanding', positive, 30)
    .option('--deadline <s>', 'hard limit for the whole run from the gateway spawn (default: start-up timeout + warm-up + duration + timeout + 120 s; with --orders, assumes at least 50 orders/s)', positive)
    .option('--max-outstanding <n>', 'open loop: stop sending (and report "overloaded") above this many outstanding orders', int(1), 200000)
    .option('--run-dir <dir>', 'folder for session files, logs, profiles and result.json (default .data/bench-runs/<time>)')
    .option('--json <file>', 'also write the JSON result to this file')
    .option('--progress <s>', 'progress line on stderr every s seconds (0: none)', nonNegative, 5)
    .exitOverride()
    .showHelpAfterError()
  program.parse(argv)
  const o = program.opts<{
    clients: number, rate?: number, inFlight: number, duration?: number, orders?: number, warmup: number, timeout: number, preload: number, symbols: number,
    direct?: boolean, client: 'lean' | 'session', broker: 'sim' | 'lean', keepDb?: boolean, databaseUrl?: string, dataDir: string, dbName: string, pgSetting: Record<string, string>, pgStatStatements?: boolean,
    cpuProf?: boolean, gatewayLogLevel: string, startupTimeout: number, stall: number, deadline?: number, maxOutstanding: number, runDir?: string, json?: string, progress: number
  }>()
  if (o.duration != null && o.orders != null) throw new InvalidArgumentError('give --duration or --orders, not both')
  if (o.direct === true && o.preload > 0) throw new InvalidArgumentError('--preload needs the gateway (not --direct)')
  const pgSettings = { ...o.pgSetting }
  if (o.pgStatStatements === true) pgSettings.shared_preload_libraries = 'pg_stat_statements'
  for (const k of Object.keys(pgSettings)) {
    if (/^(fsync|synchronous_commit|full_page_writes)$/i.test(k)) throw new InvalidArgumentError(`--pg-setting ${k}: durability settings stay as the gateway runs them`)
  }
  return {
    clients: o.clients,
    rate: o.rate ?? null,
    inFlight: o.inFlight,
    duration: o.orders != null ? null : (o.duration ?? 20),
    orders: o.orders ?? null,
    warmup: o.warmup,
    timeoutMs: o.timeout,
    preload: o.preload,
    symbols: o.symbols,
    direct: o.direct === true,
    client: o.client,
    broker: o.broker,
    keepDb: o.keepDb === true,
    databaseUrl: o.databaseUrl,
    dataDir: o.dataDir,
    dbName: o.dbName,
    pgSettings,
    pgStatStatements: o.pgStatStatements === true,
    cpuProf: o.cpuProf === true,
    gatewayLogLevel: o.gatewayLogLevel,
    startupTimeout: o.startupTimeout,
    stall: o.stall,
    deadline: o.deadline ?? null,
    maxOutstanding: o.maxOutstanding,
    runDir: o.runDir ?? null,
    json: o.json ?? null,
    progress: o.progress
  }
}
