/**
 * End-to-end benchmark of fixgw (`npm run bench -- --help`; bench/README.md has how to
 * measure each target):
 *
 *   load clients (this process) --FIX--> gateway (child: `fixgw start`) --FIX--> sim-broker (child)
 *                                              |
 *                                          PostgreSQL (embedded server, or --database-url's)
 *
 * Each order: NewOrderSingle → ER New (ack) → ER Filled, the broker acking and filling at
 * once. The gateway, the broker and PostgreSQL are separate processes so their CPU and
 * memory can be read from /proc. With --direct the clients talk straight to simulated
 * brokers: what the load generator and the broker can do without the gateway.
 *
 * Prints one JSON line on stdout (also <run dir>/result.json) and a summary on stderr.
 * Exit code 0: the run completed without a problem; 1: it completed with problems
 * (rejects, timeouts, disconnects...) or was aborted (deadline, stall, gateway exit,
 * Ctrl-C); 2: bad command line.
 */
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { execFileSync } from 'node:child_process'
import { performance } from 'node:perf_hooks'
import { CommanderError, InvalidArgumentError } from 'commander'
import { findFreePort } from '../src/db/embedded-postgres'
import { parseOptions, type BenchOptions } from './lib/options'
import { ChildProcessRunner, killAllChildrenNow, logProblems, type LogLine } from './lib/children'
import { LoadGenerator, type LoadSessionSpec, type RunPlan } from './lib/load'
import { summarize, round, type LatencySummary } from './lib/stats'
import { machineCpu, processCpuMs, rssKiB, treeCpuMs, type MachineCpu } from './lib/proc-stats'
import {
  dbCounters, enablePgStatStatements, migrate, openBenchDatabase, preload, serverInfo, serverPid, topStatements,
  type BenchDatabase, type DbCounters, type ServerInfo, type StatementStat
} from './lib/bench-db'

const HOST = '127.0.0.1'
const GATEWAY_COMP_ID = 'FIXGW'
const BROKER_COMP_ID = 'SIMBROKER'
const BROKER_SESSION = 'bench-broker'
const REPO = path.resolve(__dirname, '..', '..')

class BenchAbort extends Error {}

// ---- abort: Ctrl-C, hard deadline, stall, a child dying -------------------------------

let abortReason: string | null = null
let rejectAbort: (e: Error) => void = () => {}
const abort = new Promise<never>((_resolve, reject) => { rejectAbort = reject })
abort.catch(() => undefined)

function requestAbort (reason: string): void {
  if (abortReason != null) return
  abortReason = reason
  process.stderr.write(`bench: aborting: ${reason}\n`)
  rejectAbort(new BenchAbort(reason))
  // cleanup gets a bounded time; then children are killed and we leave
  setTimeout(() => {
    process.stderr.write('bench: cleanup did not finish in 60 s: killing the child processes\n')
    forceExit(1)
  }, 60_000).unref()
}

/** Set once the embedded server is ours: on a forced exit it gets an immediate shutdown. */
let ownedPostmaster: number | null = null

function forceExit (code: number): never {
  killAllChildrenNow()
  if (ownedPostmaster != null) { try { process.kill(ownedPostmaster, 'SIGQUIT') } catch { /* gone */ } }
  process.exit(code)
}

let interrupts = 0
for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.on(sig, () => {
    if (++interrupts > 1) forceExit(130)
    requestAbort(`interrupted (${sig})`)
  })
}


// ---- measurements ---------------------------------------------------------------------

interface Snapshot {
  readonly t: number
  readonly gatewayMs: number | null
  readonly postgres: { ms: number, processes: number } | null
  readonly brokersMs: number | null
  readonly benchMs: number
  readonly machine: MachineCpu | null
  db: Promise<DbCounters | null> | null
}

interface RssSample { readonly t: number, readonly kib: number, readonly filled: number }

function git (): string | null {
  try {
    const head = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== ''
    return dirty ? `${head}+dirty` : head
  } catch {
    return null
  }
}

function machineInfo (): Record<string, unknown> {
  const cpus = os.cpus()
  return {
    cpuModel: cpus[0]?.model ?? null,
    cores: cpus.length,
    memGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    os: `${os.type()} ${os.release()}`,
    loadAvgAtStart: os.loadavg().map((x) => round(x, 2))
  }
}

function cpuFigures (start: Snapshot, end: Snapshot, orders: number): Record<string, unknown> {
  const windowMs = end.t - start.t
  const fig = (a: number | null | undefined, b: number | null | undefined): Record<string, number | null> => {
    if (a == null || b == null) return { ms: null, msPerOrder: null, coresUsed: null }
    const ms = b - a
    return { ms: round(ms, 0), msPerOrder: orders > 0 ? round(ms / orders, 4) : null, coresUsed: round(ms / windowMs, 3) }
  }
  let machine: Record<string, number | null> = { busyPct: null, iowaitPct: null }
  if (start.machine != null && end.machine != null) {
    const total = end.machine.total - start.machine.total
    const idle = end.machine.idle - start.machine.idle
    const iowait = end.machine.iowait - start.machine.iowait
    machine = total > 0 ? { busyPct: round(100 * (total - idle - iowait) / total, 1), iowaitPct: round(100 * iowait / total, 1) } : machine
  }
  return {
    gateway: fig(start.gatewayMs, end.gatewayMs),
    postgres: { ...fig(start.postgres?.ms, end.postgres?.ms), processes: end.postgres?.processes ?? null },
    broker: fig(start.brokersMs, end.brokersMs),
    loadGenerator: fig(start.benchMs, end.benchMs),
    machine
  }
}

function rssReport (samples: readonly RssSample[], windowStart: number | null): Record<string, unknown> | null {
  if (samples.length === 0) return null
  const mib = (kib: number): number => round(kib / 1024, 1)
  const inWindow = windowStart == null ? samples : samples.filter((s) => s.t >= windowStart)
  const w = inWindow.length > 0 ? inWindow : samples
  const kibs = w.map((s) => s.kib)
  // least-squares slope of RSS against orders filled, over the window
  let slope: number | null = null
  // (only meaningful over a long run: at least 30 samples and 10,000 orders)
  if (w.length >= 30 && w[w.length - 1].filled - w[0].filled >= 10_000) {
    const n = w.length
    const mx = w.reduce((a, s) => a + s.filled, 0) / n
    const my = w.reduce((a, s) => a + s.kib, 0) / n
    let num = 0
    let den = 0
    for (const s of w) { num += (s.filled - mx) * (s.kib - my); den += (s.filled - mx) ** 2 }
    slope = den > 0 ? round((num / den) * 100_000 / 1024, 2) : null
  }
  const points: Array<[number, number, number]> = []
  const step = Math.max(1, Math.floor((samples.length - 1) / 11))
  for (let i = 0; i < samples.length; i += step) points.push([round(samples[i].t / 1000, 1), mib(samples[i].kib), samples[i].filled])
  const last = samples[samples.length - 1]
  if (points[points.length - 1]?.[0] !== round(last.t / 1000, 1)) points.push([round(last.t / 1000, 1), mib(last.kib), last.filled])
  return {
    startMiB: mib(samples[0].kib),
    windowStartMiB: mib(w[0].kib),
    minMiB: mib(Math.min(...kibs)),
    maxMiB: mib(Math.max(...kibs)),
    endMiB: mib(last.kib),
    mibPer100kOrders: slope,
    samples: samples.length,
    points: { columns: ['s since gateway spawn', 'MiB', 'orders filled'], rows: points }
  }
}

/** Fills per whole second of the window: is the rate sustained, or an average of bursts and stalls? */
function perSecond (series: readonly number[], windowS: number): Record<string, unknown> | null {
  const whole = series.slice(0, Math.floor(windowS)) // the last second is partial
  if (whole.length === 0) return null
  const sorted = Float64Array.from(whole).sort()
  const q = (p: number): number => sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]
  let series10: number[] | null = null
  if (whole.length > 300) {
    // 10-second averages of a long run
    series10 = []
    for (let i = 0; i + 10 <= whole.length; i += 10) series10.push(round(whole.slice(i, i + 10).reduce((a, b) => a + b, 0) / 10, 1))
  }
  return { seconds: whole.length, min: sorted[0], p10: q(0.1), p50: q(0.5), max: sorted[sorted.length - 1], ...(series10 == null ? { series: whole } : { series10s: series10 }) }
}

function fmt (s: LatencySummary | undefined): string {
  if (s == null || s.count === 0) return 'no samples'
  return `p50 ${String(s.p50)}  p90 ${String(s.p90)}  p99 ${String(s.p99)}  p99.9 ${String(s.p999)}  max ${String(s.max)}  (${s.count})`
}

// ---- the run --------------------------------------------------------------------------

async function run (o: BenchOptions): Promise<number> {
  const startedAt = new Date()
  const runDir = path.resolve(o.runDir ?? path.join(REPO, '.data', 'bench-runs', startedAt.toISOString().replace(/[:.]/g, '-')))
  fs.mkdirSync(runDir, { recursive: true })
  const log = (text: string): void => { process.stderr.write(`bench: ${text}\n`) }
  log(`run folder ${runDir}`)

  const result: Record<string, unknown> = {
    tool: 'fixgw-bench',
    commit: git(),
    startedAt: startedAt.toISOString(),
    machine: machineInfo(),
    settings: {
      target: o.direct ? 'direct (clients -> broker, no gateway, no database)' : 'gateway',
      mode: o.rate != null ? 'open loop' : 'closed loop',
      clients: o.clients,
      client: o.client,
      broker: o.broker,
      rate: o.rate,
      inFlightPerSession: o.rate != null ? null : o.inFlight,
      warmupS: o.warmup,
      durationS: o.duration,
      orders: o.orders,
      orderTimeoutMs: o.timeoutMs,
      symbols: o.symbols,
      preload: o.preload,
      keepDb: o.keepDb,
      database: o.direct ? null : (o.databaseUrl != null || (process.env.DATABASE_URL ?? '').trim() !== '' ? 'external (--database-url / DATABASE_URL)' : `embedded (${o.dataDir})`),
      dbName: o.direct ? null : o.dbName,
      pgSettings: o.pgSettings,
      cpuProf: o.cpuProf,
      gatewayLogLevel: o.direct ? null : o.gatewayLogLevel
    },
    runDir
  }

  let db: BenchDatabase | null = null
  let gateway: ChildProcessRunner | null = null
  const brokers: ChildProcessRunner[] = []
  let gen: LoadGenerator | null = null
  let rssTimer: NodeJS.Timeout | null = null
  let watchdog: NodeJS.Timeout | null = null
  let progressTimer: NodeJS.Timeout | null = null
  let deadlineTimer: NodeJS.Timeout | null = null
  const rss: RssSample[] = []
  const pgLogger = {
    info () {}, debug () {},
    warn (a: unknown, m?: string) { log(`postgres: ${m ?? JSON.stringify(a)}`) },
    error (a: unknown, m?: string) { log(`postgres: ${m ?? JSON.stringify(a)}`) }
  }
  let problemsFound = false
  // filled in as the run goes; the figures are computed from them even after an abort
  let startSnap: Snapshot | null = null
  let endSnap: Snapshot | null = null
  let windowFillsAtStart = 0
  let spawnT = 0
  let snapshot: (() => Snapshot) | null = null
  let pgStat = 'not requested'
  const mode: 'open' | 'closed' = o.rate != null ? 'open' : 'closed'

  const figures = async (g: LoadGenerator): Promise<void> => {
    const s0 = startSnap
    const s1 = endSnap
    const c = g.counters
    const fills = c.windowFills - windowFillsAtStart
    if (s0 != null && s1 != null) {
      const windowS = (s1.t - s0.t) / 1000
      result.window = { seconds: round(windowS, 3), ordersSent: c.measuredSent, ordersFilled: fills, ordersCompleted: c.measuredCompleted }
      result.ordersPerSecond = round(fills / windowS, 1)
      result.perSecond = perSecond(g.fillsPerSecond, windowS)
      result.cpu = cpuFigures(s0, s1, fills)
      const d0 = await s0.db
      const d1 = await s1.db
      if (d0 != null && d1 != null && fills > 0) {
        const per = (a: number | null, b: number | null): number | null => (a == null || b == null ? null : round((b - a) / fills, 3))
        result.postgresPerOrder = { note: 'approximate: backends report statistics about once a second', commits: per(d0.xactCommit, d1.xactCommit), walRecords: per(d0.walRecords, d1.walRecords), walBytes: per(d0.walBytes, d1.walBytes), walSyncs: per(d0.walSync, d1.walSync) }
      }
    } else {
      result.window = null
      result.ordersPerSecond = null
    }
    result.ackMs = summarize(g.ack)
    result.filledMs = summarize(g.filled)
    result.latencyFrom = mode === 'open' ? 'intended send time (open loop)' : 'send time (closed loop)'
    if (mode === 'open') {
      result.ackFromActualSendMs = summarize(g.ackFromSend)
      result.filledFromActualSendMs = summarize(g.filledFromSend)
      result.generatorSendLagMs = summarize(g.sendLag)
    }
    result.gatewayRss = rssReport(rss, s0?.t != null ? s0.t - spawnT : null)
    result.totals = { sent: c.sent, filled: c.filled, completed: c.completed }
    if (db != null && pgStat === 'enabled') result.topStatements = await topStatements(db.client).catch((e: Error): StatementStat[] | string => e.message)
  }

  try {
    // -- database: fresh bench database, migrated, preloaded --------------------------
    if (!o.direct) {
      const t = Date.now()
      db = await Promise.race([openBenchDatabase({ databaseUrl: o.databaseUrl, dataDir: o.dataDir, dbName: o.dbName, keepDb: o.keepDb, settings: o.pgSettings, logger: pgLogger }), abort])
      if (db.embedded) ownedPostmaster = serverPid(db)
      log(`database ${o.keepDb ? 'kept' : 'created'} (${Date.now() - t} ms), migrating`)
      await Promise.race([migrate(db.url), abort])
      if (o.pgStatStatements) pgStat = await enablePgStatStatements(db.client)
      result.postgres = await serverInfo(db.client, pgStat)
      const info = result.postgres as ServerInfo
      if (info.fsync !== 'on' || info.synchronousCommit !== 'on') log(`WARNING: fsync=${info.fsync} synchronous_commit=${info.synchronousCommit}: figures are not comparable`)
      if (o.preload > 0) {
        log(`preloading ${o.preload} historic orders`)
        let lastLog = Date.now()
        const client = db.client
        const pre = await Promise.race([preload(client, {
          orders: o.preload,
          clientSessions: Array.from({ length: o.clients }, (_, i) => `bench-client-${i + 1}`),
          accounts: Array.from({ length: o.clients }, (_, i) => `ACC${i + 1}`),
          brokerSession: BROKER_SESSION,
          symbols: o.symbols
        }, (done) => { if (Date.now() - lastLog > 5000) { lastLog = Date.now(); log(`  ${done} / ${o.preload}`) } }), abort])
        const counts = await client.query(`SELECT (SELECT count(*) FROM orders) AS orders, (SELECT count(*) FROM executions) AS executions,
          pg_size_pretty(pg_database_size(current_database())) AS size`)
        result.preload = { orders: o.preload, seconds: round(pre.seconds, 1), fkTriggersOff: pre.triggersOff, rowsNow: { orders: Number(counts.rows[0].orders), executions: Number(counts.rows[0].executions) }, databaseSize: counts.rows[0].size }
        log(`preloaded in ${round(pre.seconds, 1)} s (database ${String(counts.rows[0].size)})`)
      }
    }

    // -- ports, session files, brokers ------------------------------------------------
    const clientPorts: number[] = []
    for (let i = 0; i < o.clients; i++) clientPorts.push(await findFreePort())
    const brokerPorts: number[] = []
    for (let i = 0; i < (o.direct ? o.clients : 1); i++) brokerPorts.push(await findFreePort())

    const brokerTargets = o.direct ? Array.from({ length: o.clients }, (_, i) => `BENCH${i + 1}`) : [GATEWAY_COMP_ID]
    for (let i = 0; i < brokerPorts.length; i++) {
      const b = new ChildProcessRunner(`broker-${i + 1}`, path.join(runDir, `broker-${i + 1}.log`))
      b.onUnexpectedExit = (code, signal) => requestAbort(`broker ${i + 1} exited (code ${String(code)}, signal ${String(signal)}); see ${b.logFile}`)
      const common = ['--host', HOST, '--port', String(brokerPorts[i]), '--sender', BROKER_COMP_ID, '--target', brokerTargets[i]]
      if (o.broker === 'sim') b.start(['sim-broker', ...common, '--fills', '1', '--ack-delay', '0', '--fill-delay', '0'], { env: { LOG_LEVEL: 'info' } })
      else b.start(common, { script: path.join(__dirname, 'lean-broker.js') })
      brokers.push(b)
    }
    for (const b of brokers) await b.waitForLog('simulated broker listening', 30_000, abort)

    const specs: LoadSessionSpec[] = Array.from({ length: o.clients }, (_, i) => ({
      name: `bench-load-${i + 1}`,
      senderCompId: `BENCH${i + 1}`,
      targetCompId: o.direct ? BROKER_COMP_ID : GATEWAY_COMP_ID,
      host: HOST,
      port: o.direct ? brokerPorts[i] : clientPorts[i],
      account: `ACC${i + 1}`
    }))

    // -- gateway ------------------------------------------------------------------------
    let startup: Record<string, number | null> | null = null
    const deadlineS = o.deadline ?? (o.startupTimeout + o.warmup + (o.duration ?? Math.max(600, (o.orders ?? 0) / 50)) + o.timeoutMs / 1000 + 120)
    deadlineTimer = setTimeout(() => requestAbort(`hard deadline of ${deadlineS} s reached`), deadlineS * 1000)
    let startedLine: LogLine | null = null
    if (!o.direct) {
      const sessionsDir = path.join(runDir, 'sessions')
      fs.mkdirSync(sessionsDir, { recursive: true })
      for (let i = 0; i < o.clients; i++) {
        fs.writeFileSync(path.join(sessionsDir, `bench-client-${i + 1}.json`), JSON.stringify({
          name: `bench-client-${i + 1}`, role: 'client', senderCompId: GATEWAY_COMP_ID, targetCompId: `BENCH${i + 1}`,
          host: HOST, port: clientPorts[i], heartBtInt: 30, resetSeqNumOnLogon: true
        }, null, 2))
      }
      fs.writeFileSync(path.join(sessionsDir, `${BROKER_SESSION}.json`), JSON.stringify({
        name: BROKER_SESSION, role: 'broker', senderCompId: GATEWAY_COMP_ID, targetCompId: BROKER_COMP_ID,
        host: HOST, port: brokerPorts[0], heartBtInt: 30, resetSeqNumOnLogon: true, reconnect: { initialDelayMs: 50, maxDelayMs: 1000 }
      }, null, 2))
      const gw = new ChildProcessRunner('gateway', path.join(runDir, 'gateway.log'))
      gateway = gw
      gw.onUnexpectedExit = (code, signal) => requestAbort(`gateway exited (code ${String(code)}, signal ${String(signal)}); see ${gw.logFile}`)
      log('starting the gateway')
      gw.start(['start', '--sessions', sessionsDir, '--database-url', (db as BenchDatabase).url],
        { nodeArgs: o.cpuProf ? ['--cpu-prof', '--cpu-prof-dir', runDir] : [], env: { LOG_LEVEL: o.gatewayLogLevel } })
    }

    // -- load sessions log on -------------------------------------------------------------
    gen = new LoadGenerator(specs, o.client, path.join(runDir, 'load-clients.log'))
    const g = gen
    await g.start()
    const startupDeadline = setTimeout(() => requestAbort(`start-up took more than ${o.startupTimeout} s`), o.startupTimeout * 1000)
    try {
      const lastClientLogon = await g.waitAllLoggedOn(abort)
      if (gateway != null) {
        const brokerLogon = await brokers[0].waitForLog('simulated broker: client logged on', o.startupTimeout * 1000, abort)
        if (['trace', 'debug', 'info'].includes(o.gatewayLogLevel)) {
          startedLine = await gateway.waitForLog('gateway started', o.startupTimeout * 1000, abort)
        }
        let reported: number | null = null
        try { reported = Number((JSON.parse(startedLine?.raw ?? '{}') as { ms?: number }).ms ?? NaN) } catch { /* not JSON */ }
        startup = {
          spawnToGatewayStartedMs: startedLine?.time != null ? startedLine.time - gateway.spawnedAt : null,
          gatewayReportedStartMs: reported != null && Number.isFinite(reported) ? reported : null,
          spawnToAllSessionsLoggedOnMs: Math.max(lastClientLogon, brokerLogon.time ?? Date.now()) - gateway.spawnedAt
        }
        result.startup = startup
        log(`gateway up: "gateway started" ${String(startup.spawnToGatewayStartedMs)} ms after spawn, all sessions logged on after ${String(startup.spawnToAllSessionsLoggedOnMs)} ms`)
      }
    } finally {
      clearTimeout(startupDeadline)
    }

    // -- samplers -------------------------------------------------------------------------
    const gwPid = gateway?.pid ?? null
    const pmPid = db != null ? serverPid(db) : null
    if (db != null && pmPid == null) log('PostgreSQL server processes not visible from here: its CPU is not reported')
    spawnT = performance.now() - (gateway != null ? Date.now() - gateway.spawnedAt : 0)
    const sampleRss = (): void => {
      if (gwPid == null) return
      const kib = rssKiB(gwPid)
      if (kib != null) rss.push({ t: performance.now() - spawnT, kib, filled: g.counters.filled })
    }
    sampleRss()
    rssTimer = setInterval(sampleRss, 1000)
    const takeSnapshot = (): Snapshot => {
      const cpu = process.cpuUsage()
      let brokersMs: number | null = 0
      for (const b of brokers) {
        const ms = b.pid == null ? null : processCpuMs(b.pid)
        brokersMs = ms == null || brokersMs == null ? null : brokersMs + ms
      }
      return {
        t: performance.now(),
        gatewayMs: gwPid == null ? null : processCpuMs(gwPid),
        postgres: pmPid == null ? null : treeCpuMs(pmPid),
        brokersMs,
        benchMs: (cpu.user + cpu.system) / 1000,
        machine: machineCpu(),
        db: db == null ? null : dbCounters(db.client)
      }
    }
    snapshot = takeSnapshot
    g.onWindowStart = () => {
      startSnap = takeSnapshot()
      windowFillsAtStart = g.counters.windowFills
      if (db != null && pgStat === 'enabled') db.client.query('SELECT pg_stat_statements_reset()').catch(() => undefined)
      log('warm-up done: measuring')
    }
    g.onWindowEnd = () => { endSnap = takeSnapshot() }

    watchdog = setInterval(() => {
      if (g.outstanding > 0 && g.idleMs() > o.stall * 1000) requestAbort(`stalled: no ExecutionReport for ${o.stall} s with ${g.outstanding} orders outstanding`)
    }, 1000)
    if (o.progress > 0) {
      let last = { t: performance.now(), filled: 0 }
      progressTimer = setInterval(() => {
        const now = performance.now()
        const c = g.counters
        const rate = (c.filled - last.filled) / ((now - last.t) / 1000)
        last = { t: now, filled: c.filled }
        const r = rss[rss.length - 1]
        log(`  sent ${c.sent}  filled ${c.filled}  outstanding ${g.outstanding}  ${round(rate, 0)} filled/s${r != null ? `  gateway RSS ${round(r.kib / 1024, 0)} MiB` : ''}`)
      }, o.progress * 1000)
      progressTimer.unref()
    }

    // -- load -------------------------------------------------------------------------------
    const plan: RunPlan = {
      mode,
      rate: o.rate ?? 0,
      inFlight: o.inFlight,
      warmupMs: o.warmup * 1000,
      durationMs: o.duration == null ? null : o.duration * 1000,
      orders: o.orders,
      timeoutMs: o.timeoutMs,
      maxOutstanding: o.maxOutstanding,
      symbols: o.symbols
    }
    log(`load: ${plan.mode}${plan.mode === 'open' ? ` ${String(o.rate)} orders/s` : ` ${o.inFlight} in flight per session`} over ${o.clients} sessions, ` +
      `${o.warmup} s warm-up, then ${o.duration != null ? `${o.duration} s` : `${String(o.orders)} orders`}`)
    await g.run(plan, abort)
    g.endWindow()
    sampleRss()

  } catch (e) {
    if (!(e instanceof BenchAbort)) {
      log(`failed: ${(e as Error).stack ?? String(e)}`)
      result.failure = (e as Error).message
    }
    problemsFound = true
  } finally {
    // aborted in the window: measure up to now, before anything is stopped
    if (startSnap != null && endSnap == null && snapshot != null) endSnap = snapshot()
    try {
      if (gen != null) await figures(gen)
    } catch (e) {
      log(`computing the figures failed: ${(e as Error).stack ?? String(e)}`)
    }
    if (rssTimer != null) clearInterval(rssTimer)
    if (watchdog != null) clearInterval(watchdog)
    if (progressTimer != null) clearInterval(progressTimer)
    // -- shut down: clients log out, gateway (SIGTERM, then SIGKILL), brokers, database ----
    if (gen != null) await gen.stop().catch(() => undefined)
    if (gateway != null) await gateway.stop(o.cpuProf ? 60_000 : 15_000)
    for (const b of brokers) await b.stop(5000)
    if (db != null) {
      await db.close().catch((e: Error) => log(`stopping PostgreSQL: ${e.message}`))
      ownedPostmaster = null
    }
    if (deadlineTimer != null) clearTimeout(deadlineTimer)
  }

  // -- problems and the report ------------------------------------------------------------
  const p = gen?.problems
  const gwLog = gateway != null ? logProblems(gateway.logFile) : null
  const brokerLogs = brokers.map((b) => logProblems(b.logFile))
  result.problems = {
    aborted: abortReason,
    failure: result.failure ?? null,
    rejects: p?.rejects ?? null,
    timeouts: p?.timeouts ?? null,
    otherTerminal: p?.otherTerminal ?? null,
    filledWithoutAck: p?.filledWithoutAck ?? null,
    unknownReports: p?.unknownReports ?? null,
    businessRejects: p?.businessRejects ?? null,
    cancelRejects: p?.cancelRejects ?? null,
    disconnects: p?.disconnects ?? null,
    sendFailures: p?.sendFailures ?? null,
    overloaded: p?.overloaded ?? null,
    clientSessionProblems: p?.sessionProblems ?? null,
    gatewayLog: gwLog,
    gatewayExit: gateway?.exited ?? null,
    brokerLogWarnings: brokerLogs.reduce((a, x) => a + x.warnings + x.errors, 0),
    examples: [...(p?.examples ?? []), ...(gwLog?.first ?? []).map((l) => `gateway log: ${l}`), ...brokerLogs.flatMap((x) => x.first.map((l) => `broker log: ${l}`))].slice(0, 20)
  }
  if (p != null && (p.rejects + p.timeouts + p.otherTerminal + p.filledWithoutAck + p.unknownReports + p.businessRejects + p.cancelRejects +
    p.disconnects + p.sendFailures + p.sessionProblems > 0 || p.overloaded)) problemsFound = true
  if ((gwLog?.errors ?? 0) > 0) problemsFound = true
  if (abortReason != null) problemsFound = true
  result.ok = !problemsFound
  if (o.cpuProf) result.cpuProfiles = fs.readdirSync(runDir).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(runDir, f))

  const json = JSON.stringify(result)
  fs.writeFileSync(path.join(runDir, 'result.json'), `${json}\n`)
  if (o.json != null) fs.writeFileSync(o.json, `${json}\n`)
  process.stdout.write(`${json}\n`)
  printSummary(result, o)
  return problemsFound ? 1 : 0
}

function printSummary (r: Record<string, unknown>, o: BenchOptions): void {
  const out: string[] = []
  const s = r.settings as Record<string, unknown>
  out.push(`fixgw bench (${String(r.commit)}): ${String(s.target)}, ${o.clients} ${o.client} client sessions, ${o.broker} broker, ${String(s.mode)}` +
    `${o.rate != null ? ` at ${o.rate} orders/s` : `, ${o.inFlight} in flight per session`}, ${o.warmup} s warm-up + ` +
    `${o.duration != null ? `${o.duration} s` : `${String(o.orders)} orders`}${o.preload > 0 ? `, ${o.preload} orders preloaded` : ''}`)
  const pg = r.postgres as ServerInfo | undefined
  if (pg != null) out.push(`  PostgreSQL ${pg.version}: fsync=${pg.fsync} synchronous_commit=${pg.synchronousCommit}`)
  const w = r.window as Record<string, number> | null | undefined
  const ps = r.perSecond as Record<string, number> | null | undefined
  if (w != null) out.push(`  throughput   ${String(r.ordersPerSecond)} orders/s (${w.ordersFilled} filled in ${w.seconds} s)${ps != null ? `; per second: min ${ps.min}, p10 ${ps.p10}, median ${ps.p50}, max ${ps.max}` : ''}`)
  if (r.ackMs != null) {
    out.push(`  ack ms       ${fmt(r.ackMs as LatencySummary)}   [from ${String(r.latencyFrom)}]`)
    out.push(`  filled ms    ${fmt(r.filledMs as LatencySummary)}`)
  }
  if (r.generatorSendLagMs != null) out.push(`  send lag ms  ${fmt(r.generatorSendLagMs as LatencySummary)}   [generator: actual - intended send]`)
  const cpu = r.cpu as Record<string, Record<string, number | null>> | undefined
  if (cpu != null) {
    const f = (k: string): string => `${k} ${String(cpu[k].msPerOrder)} (${String(cpu[k].coresUsed)} cores)`
    out.push(`  CPU ms/order ${['gateway', 'postgres', 'broker', 'loadGenerator'].map(f).join('  ')}  machine busy ${String(cpu.machine.busyPct)} %`)
  }
  const ppo = r.postgresPerOrder as Record<string, number | null> | undefined
  if (ppo != null) out.push(`  per order    ${String(ppo.commits)} commits, ${String(ppo.walSyncs)} WAL syncs, ${String(ppo.walBytes)} WAL bytes (approximate)`)
  const rss = r.gatewayRss as Record<string, unknown> | null | undefined
  if (rss != null) out.push(`  gateway RSS  start ${String(rss.startMiB)} MiB, window start ${String(rss.windowStartMiB)}, min ${String(rss.minMiB)}, max ${String(rss.maxMiB)}, end ${String(rss.endMiB)} (${String(rss.mibPer100kOrders)} MiB per 100k orders)`)
  const st = r.startup as Record<string, number | null> | undefined
  if (st != null) out.push(`  start-up     spawn -> "gateway started" ${String(st.spawnToGatewayStartedMs)} ms, -> all sessions logged on ${String(st.spawnToAllSessionsLoggedOnMs)} ms`)
  const p = r.problems as Record<string, unknown>
  const counts = ['rejects', 'timeouts', 'otherTerminal', 'filledWithoutAck', 'unknownReports', 'businessRejects', 'cancelRejects', 'disconnects', 'sendFailures', 'clientSessionProblems']
    .filter((k) => typeof p[k] === 'number' && (p[k] as number) > 0).map((k) => `${k} ${String(p[k])}`)
  if (p.overloaded === true) counts.push('overloaded')
  const gl = p.gatewayLog as { warnings: number, errors: number } | null
  if (gl != null && gl.warnings + gl.errors > 0) counts.push(`gateway log: ${gl.warnings} warnings, ${gl.errors} errors`)
  if (p.aborted != null) counts.unshift(`ABORTED: ${String(p.aborted)}`)
  if (p.failure != null) counts.unshift(`FAILED: ${String(p.failure)}`)
  out.push(`  problems     ${counts.length === 0 ? 'none' : counts.join(', ')}`)
  for (const e of (p.examples as string[]).slice(0, 6)) out.push(`    ${e}`)
  out.push(`  run folder   ${String(r.runDir)}`)
  process.stderr.write(`${out.join('\n')}\n`)
}

async function main (): Promise<void> {
  let o: BenchOptions
  try {
    o = parseOptions(process.argv)
  } catch (e) {
    if (e instanceof CommanderError) { process.exitCode = e.exitCode === 0 ? 0 : 2; return }
    if (e instanceof InvalidArgumentError) { process.stderr.write(`bench: ${e.message}\n`); process.exitCode = 2; return }
    throw e
  }
  const code = await run(o)
  process.exitCode = code
  // a stray handle (a socket in TIME_WAIT, a pg pool) must not keep the bench alive
  setTimeout(() => process.exit(code), 2000).unref()
}

main().catch((e) => {
  console.error(e)
  forceExit(1)
})
