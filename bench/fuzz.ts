/**
 * Fuzz campaign against a gateway it starts itself (`npm run fuzz -- --help`;
 * bench/README.md, "Fuzz"):
 *
 *   fuzz client (this process) --hostile FIX--> gateway (child: `fixgw start`) --FIX--> simulated broker (in the gateway)
 *                                                    |
 *                                                PostgreSQL (embedded server, or --database-url's), own database
 *
 * Seeded and bounded: --messages N messages from valid templates, mutated (fuzz-gen.ts),
 * sent on one client session kept coherent (fuzz-client.ts), plus a few logon-fuzz steps
 * and abusive connections. Then a health check (a valid order must still be
 * acknowledged), a drain, and checks: gateway crash, error-level log lines, session
 * store failures, orders left PendingNew that never reached the broker.
 *
 * Exit code 0: no crash, no error-level log line, no store-failure stop on the client
 * session, no unsendable order, health check passed; 1: any of those failed (or the run
 * was aborted); 2: bad command line.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { Command, CommanderError, InvalidArgumentError } from 'commander'
import { findFreePort } from '../src/db/embedded-postgres'
import { ChildProcessRunner, killAllChildrenNow, parseLogLine } from './lib/children'
import { migrate, openBenchDatabase, serverPid, type BenchDatabase } from './lib/bench-db'
import { FuzzGenerator } from './lib/fuzz-gen'
import { Counter, FuzzClient, type FuzzStats } from './lib/fuzz-client'

const HOST = '127.0.0.1'
const CLIENT_SESSION = 'fuzz-client'
const BROKER_SESSION = 'fuzz-broker'
const CLIENT_COMP_ID = 'FUZZ1'
const GATEWAY_COMP_ID = 'FIXGW'
const REPO = path.resolve(__dirname, '..', '..')

interface FuzzOptions {
  readonly messages: number
  readonly seed: number
  readonly json: boolean
  readonly window: number
  readonly answerTimeoutMs: number
  readonly logonEvery: number
  readonly abuseEvery: number
  readonly databaseUrl?: string
  readonly dataDir: string
  readonly dbName: string
  readonly runDir: string | null
  readonly gatewayLogLevel: string
  readonly deadline: number
}

const int = (min: number) => (value: string): number => {
  if (!/^\d+$/.test(value) || Number(value) < min) throw new InvalidArgumentError(`'${value}' is not a whole number >= ${min}`)
  return Number(value)
}

function parseOptions (argv: string[]): FuzzOptions {
  const p = new Command()
  p.name('npm run fuzz --')
    .description('Seeded fuzz campaign: hostile FIX messages on a client session of a gateway started here (child process, own database, simulated broker). Prints the answers by type and the checks; see bench/README.md.')
    .option('--messages <n>', 'messages to send', int(1), 10000)
    .option('--seed <s>', 'PRNG seed: the same seed sends the same messages', int(0), 1)
    .option('--json', 'print the summary as one JSON line on stdout (the table goes to stderr)')
    .option('--window <n>', 'messages awaiting an answer at most', int(1), 200)
    .option('--answer-timeout <ms>', 'a message without an answer after this long counts as "no answer"', int(100), 3000)
    .option('--logon-every <n>', 'a logon-fuzz step (log out, hostile Logon, log on again) every n messages; 0: none', int(0), 1000)
    .option('--abuse-every <n>', 'an abusive connection (garbage, slowloris, half frame...) every n messages; 0: none', int(0), 500)
    .option('--database-url <url>', 'PostgreSQL server to use (default: $DATABASE_URL, else an embedded server); the fuzz database is created there')
    .option('--data-dir <dir>', 'embedded PostgreSQL data folder', '.data/fuzz-pg')
    .option('--db-name <name>', 'the fuzz database (dropped and created at each run)', 'fixgw_fuzz')
    .option('--run-dir <dir>', 'folder for the session files, gateway.log and result.json (default .data/fuzz-runs/<time>)')
    .option('--gateway-log-level <level>', 'LOG_LEVEL of the gateway', 'info')
    .option('--deadline <s>', 'abort the campaign after this many seconds', int(1), 1800)
    .exitOverride()
    .showHelpAfterError()
  p.parse(argv)
  const o = p.opts<{ messages: number, seed: number, json?: boolean, window: number, answerTimeout: number, logonEvery: number, abuseEvery: number,
    databaseUrl?: string, dataDir: string, dbName: string, runDir?: string, gatewayLogLevel: string, deadline: number }>()
  return {
    messages: o.messages, seed: o.seed, json: o.json === true, window: o.window, answerTimeoutMs: o.answerTimeout, logonEvery: o.logonEvery,
    abuseEvery: o.abuseEvery, databaseUrl: o.databaseUrl, dataDir: o.dataDir, dbName: o.dbName, runDir: o.runDir ?? null,
    gatewayLogLevel: o.gatewayLogLevel, deadline: o.deadline
  }
}

interface LogFindings {
  lines: number
  /** error-level (pino level >= 50) lines by msg, and lines that are not JSON (an uncaught exception's stack) */
  readonly errors: Counter
  errorCount: number
  readonly errorExamples: string[]
  /** 'FIX session store write failed' lines by session */
  readonly storeFailures: Counter
  readonly warnings: Counter
}

async function analyzeLog (file: string): Promise<LogFindings> {
  const f: LogFindings = { lines: 0, errors: new Counter(), errorCount: 0, errorExamples: [], storeFailures: new Counter(), warnings: new Counter() }
  let text = ''
  try { text = fs.readFileSync(file, 'latin1') } catch { return f }
  for (const raw of text.split('\n')) {
    if (raw.trim() === '') continue
    f.lines++
    const l = parseLogLine(raw)
    let session = ''
    let err = ''
    try {
      const o = JSON.parse(raw) as { session?: string, err?: { message?: string } }
      session = o.session ?? ''
      // knex puts the SQL first: keep PostgreSQL's own words (after the last ' - ')
      const m = o.err?.message ?? ''
      err = m.includes(' - ') ? m.slice(m.lastIndexOf(' - ') + 3) : m
    } catch { /* not JSON */ }
    if (l.level == null) {
      f.errorCount++
      f.errors.add(`(not a log line) ${raw.slice(0, 160)}`)
      continue
    }
    // the session stop itself (the store logs the failed write too, under the session key)
    if (/store write failed: stopping the session/i.test(l.msg)) f.storeFailures.add(session === '' ? '(no session)' : session)
    if (l.level >= 50) {
      f.errorCount++
      f.errors.add(`${session !== '' ? `[${session}] ` : ''}${l.msg}${err !== '' ? `: ${err.replace(/\b\d{3,}\b/g, 'N').slice(0, 160)}` : ''}`)
      if (f.errorExamples.length < 5) f.errorExamples.push(raw.length > 1500 ? `${raw.slice(0, 1500)}…` : raw)
    } else if (l.level >= 40) f.warnings.add(l.msg)
  }
  return f
}

/**
 * Orders the broker never got: after the campaign has drained (the simulated broker acks
 * every order at once), an order of the client session still in PendingNew with no
 * broker ClOrdID accepted (orders.broker_cl_ord_id is set when the broker acks) was
 * routed but never acknowledged. For each, whether a NewOrderSingle with its broker
 * ClOrdID is in the broker session's stored messages (fix_messages), i.e. whether it
 * was ever sent.
 */
async function unsendableOrders (db: BenchDatabase): Promise<{ count: number, held: number, pendingNewTotal: number, examples: unknown[] }> {
  const c = db.client
  const total = await c.query(`SELECT count(*)::int AS n FROM orders WHERE client_session = $1 AND state = 'PendingNew'`, [CLIENT_SESSION])
  const held = await c.query(`SELECT count(*)::int AS n FROM orders WHERE client_session = $1 AND state = 'Held'`, [CLIENT_SESSION])
  const stuck = await c.query(`SELECT count(*)::int AS n FROM orders WHERE client_session = $1 AND state = 'PendingNew' AND broker_cl_ord_id IS NULL`, [CLIENT_SESSION])
  const ex = await c.query(`
    SELECT o.order_id, o.cl_ord_id, o.symbol, o.account, o.broker_session, r.broker_cl_ord_id, r.status AS route_status,
      EXISTS (SELECT 1 FROM fix_messages m JOIN fix_sessions s ON s.session_id = m.session_id
              WHERE s.session_name = o.broker_session AND m.msg_type = 'D'
                AND position(E'\\x0111=' || r.broker_cl_ord_id || E'\\x01' in m.raw) > 0) AS nos_stored
    FROM orders o LEFT JOIN broker_routes r ON r.order_id = o.order_id AND r.kind = 'new'
    WHERE o.client_session = $1 AND o.state = 'PendingNew' AND o.broker_cl_ord_id IS NULL
    ORDER BY o.created_at LIMIT 10`, [CLIENT_SESSION])
  return { count: stuck.rows[0].n as number, held: held.rows[0].n as number, pendingNewTotal: total.rows[0].n as number, examples: ex.rows }
}

function table (title: string, c: Counter, limit = 40): string {
  const rows = c.sorted()
  if (rows.length === 0) return `${title}: none\n`
  const w = Math.max(...rows.slice(0, limit).map(([, n]) => String(n).length))
  let out = `${title} (${c.total}):\n`
  for (const [k, n] of rows.slice(0, limit)) out += `  ${String(n).padStart(w)}  ${k}\n`
  if (rows.length > limit) out += `  … ${rows.length - limit} more\n`
  return out
}

async function run (o: FuzzOptions): Promise<number> {
  const started = Date.now()
  const runDir = path.resolve(o.runDir ?? path.join(REPO, '.data', 'fuzz-runs', new Date(started).toISOString().replace(/[:.]/g, '-')))
  fs.mkdirSync(runDir, { recursive: true })
  const log = (t: string): void => { process.stderr.write(`fuzz: ${t}\n`) }
  log(`run folder ${runDir}; ${o.messages} messages, seed ${o.seed}`)
  const pgLogger = { info () {}, debug () {}, warn (a: unknown, m?: string) { log(`postgres: ${m ?? JSON.stringify(a)}`) }, error (a: unknown, m?: string) { log(`postgres: ${m ?? JSON.stringify(a)}`) } }

  let db: BenchDatabase | null = null
  let gateway: ChildProcessRunner | null = null
  let client: FuzzClient | null = null
  let crashed: { code: number | null, signal: string | null } | null = null
  let failure: string | null = null
  let health: { ok: boolean, answers: string[] } = { ok: false, answers: [] }
  let unsendable: Awaited<ReturnType<typeof unsendableOrders>> | null = null
  let campaignS = 0
  let stopExit: { code: number | null, signal: string | null } | null = null
  const deadline = setTimeout(() => { failure ??= `deadline of ${o.deadline} s reached`; client?.abort(failure) }, o.deadline * 1000)
  const onSignal = (): void => { failure ??= 'interrupted'; client?.abort('interrupted') }
  process.on('SIGINT', onSignal)
  process.on('SIGTERM', onSignal)
  let ownedPostmaster: number | null = null
  process.on('exit', () => { if (ownedPostmaster != null && failure === 'interrupted') { try { process.kill(ownedPostmaster, 'SIGQUIT') } catch { /* gone */ } } })

  try {
    db = await openBenchDatabase({ databaseUrl: o.databaseUrl, dataDir: o.dataDir, dbName: o.dbName, keepDb: false, settings: {}, logger: pgLogger })
    if (db.embedded) ownedPostmaster = serverPid(db)
    await migrate(db.url)
    const clientPort = await findFreePort()
    const brokerPort = await findFreePort()
    const sessionsDir = path.join(runDir, 'sessions')
    fs.mkdirSync(sessionsDir, { recursive: true })
    fs.writeFileSync(path.join(sessionsDir, `${CLIENT_SESSION}.json`), JSON.stringify({
      name: CLIENT_SESSION, role: 'client', senderCompId: GATEWAY_COMP_ID, targetCompId: CLIENT_COMP_ID, host: HOST, port: clientPort, heartBtInt: 30
    }, null, 2))
    fs.writeFileSync(path.join(sessionsDir, `${BROKER_SESSION}.json`), JSON.stringify({
      name: BROKER_SESSION, role: 'broker', senderCompId: GATEWAY_COMP_ID, targetCompId: 'SIMBROKER', host: HOST, port: brokerPort, heartBtInt: 30,
      reconnect: { initialDelayMs: 100, maxDelayMs: 1000 }, simulate: true, simulator: { ackDelayMs: 0, fills: 1, fillDelayMs: 300 }
    }, null, 2))
    const gw = new ChildProcessRunner('gateway', path.join(runDir, 'gateway.log'))
    gateway = gw
    gw.onUnexpectedExit = (code, signal) => {
      crashed = { code, signal }
      log(`GATEWAY EXITED (code ${String(code)}, signal ${String(signal)}); see ${gw.logFile}`)
      client?.abort('the gateway exited')
    }
    gw.start(['start', '--sessions', sessionsDir, '--database-url', db.url], { env: { LOG_LEVEL: o.gatewayLogLevel } })
    // up: "gateway started" and the broker session logged on to the simulator (in either order)
    {
      const t0 = Date.now()
      let up = false
      let broker = false
      while (!(up && broker)) {
        for (const l of gw.readNewLines()) {
          if (l.raw.includes('gateway started')) up = true
          if (l.raw.includes('simulated broker: client logged on')) broker = true
        }
        if (gw.exited != null) throw new Error(`the gateway exited at start; see ${gw.logFile}`)
        if (Date.now() - t0 > 120_000) throw new Error(`the gateway was not up within 120 s; see ${gw.logFile}`)
        await new Promise((resolve) => setTimeout(resolve, 25))
      }
      log(`gateway up in ${Date.now() - t0} ms (pid ${String(gw.pid)})`)
    }

    const gen = new FuzzGenerator(o.seed)
    const c = new FuzzClient({
      host: HOST, port: clientPort, senderCompId: CLIENT_COMP_ID, targetCompId: GATEWAY_COMP_ID, window: o.window, answerTimeoutMs: o.answerTimeoutMs,
      logonEvery: o.logonEvery, abuseEvery: o.abuseEvery, log
    }, gen)
    client = c
    const t0 = Date.now()
    try {
      await c.run(o.messages, (sent) => {
        const s = c.stats
        log(`  ${sent} sent, ${s.answers.total} answers, ${s.reconnects} reconnects, ${((Date.now() - t0) / 1000).toFixed(0)} s`)
      })
    } catch (e) {
      failure ??= (e as Error).message
    }
    campaignS = (Date.now() - t0) / 1000
    log(`campaign done in ${campaignS.toFixed(1)} s`)
    if (crashed == null && failure == null) {
      health = await c.healthCheck(`HEALTH-${o.seed}-${Date.now().toString(36)}`)
      log(`health check: ${health.ok ? 'ok' : 'FAILED'} (${health.answers.join(', ') || 'no answer'})`)
      await c.drain(2000, 30_000)
    }
    await c.close()
    if (crashed == null) unsendable = await unsendableOrders(db)
  } catch (e) {
    failure ??= (e as Error).stack ?? String(e)
    log(`failed: ${failure}`)
  } finally {
    clearTimeout(deadline)
    if (gateway != null) {
      const g = gateway
      await g.stop(15_000)
      if (crashed == null) stopExit = g.exited
    }
    if (db != null) { await db.close().catch((e: Error) => log(`stopping PostgreSQL: ${e.message}`)); ownedPostmaster = null }
  }

  const logs = gateway != null ? await analyzeLog(gateway.logFile) : null
  const s: FuzzStats | null = client?.stats ?? null
  const clientStoreFailures = Math.max(logs?.storeFailures.m.get(CLIENT_SESSION) ?? 0, s?.storeFailureLogouts ?? 0)
  const checks = {
    crashes: crashed != null ? 1 : 0,
    unhandledErrors: logs?.errorCount ?? null,
    storeFailureStops: clientStoreFailures,
    unsendableOrders: unsendable?.count ?? null,
    // an input error must never be told "storage unavailable, please retry"
    storageUnavailableRejects: s?.answers.m.get('BusinessMessageReject 380=4') ?? 0,
    // a value we sent that came back different: bytes rewritten on the way through
    rewrittenValues: s?.echoMismatches.total ?? 0,
    healthCheck: health.ok
  }
  const ok = failure == null && checks.crashes === 0 && checks.unhandledErrors === 0 && checks.storeFailureStops === 0 && checks.unsendableOrders === 0 &&
    checks.storageUnavailableRejects === 0 && checks.rewrittenValues === 0 && checks.healthCheck
  const result = {
    tool: 'fixgw-fuzz',
    ok,
    seed: o.seed,
    messages: o.messages,
    wallSeconds: Math.round((Date.now() - started) / 100) / 10,
    campaignSeconds: Math.round(campaignS * 10) / 10,
    failure,
    checks,
    gateway: { crashed, stopExit, logLines: logs?.lines ?? null },
    errors: logs?.errors.toJSON() ?? {},
    errorExamples: logs?.errorExamples ?? [],
    storeFailuresBySession: logs?.storeFailures.toJSON() ?? {},
    unsendable,
    health,
    sent: s?.sent ?? 0,
    sentByTemplate: s?.sentByTemplate.toJSON() ?? {},
    seqEffects: s?.seqEffects.toJSON() ?? {},
    answers: s?.answers.toJSON() ?? {},
    outcomes: s?.outcomes.toJSON() ?? {},
    logouts: s?.logouts.toJSON() ?? {},
    session: s == null ? null : {
      disconnects: s.disconnects, reconnects: s.reconnects, closedWithoutLogout: s.closedWithoutLogout, stallReconnects: s.stallReconnects,
      resendRequests: s.resendRequests, gapFillsSent: s.gapFillsSent, unexpectedHoles: s.unexpectedHoles
    },
    unattributed: s?.unattributed.toJSON() ?? {},
    echoMismatches: s?.echoMismatches.toJSON() ?? {},
    echoExamples: s?.echoExamples ?? [],
    logonFuzz: s?.logonFuzz.toJSON() ?? {},
    abusive: s?.abusive.toJSON() ?? {},
    mutations: s?.mutations.toJSON() ?? {},
    outcomeByMutation: s?.outcomeByMutation.toJSON() ?? {},
    incidents: s?.incidents ?? [],
    disconnectExamples: s?.disconnectExamples ?? [],
    warnings: logs?.warnings.toJSON() ?? {},
    runDir
  }
  fs.writeFileSync(path.join(runDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`)

  let out = `fixgw fuzz: ${s?.sent ?? 0} of ${o.messages} messages, seed ${o.seed}, ${result.campaignSeconds} s campaign, ${result.wallSeconds} s in all\n`
  if (s != null) {
    out += table('answers from the gateway, by type', s.answers)
    out += table('outcome per message sent (its first answer)', s.outcomes)
    out += table('Logout texts', s.logouts)
    out += `session: ${s.disconnects} disconnects (${s.closedWithoutLogout} without a Logout), ${s.reconnects} reconnects, ${s.stallReconnects} after a stall, ` +
      `${s.resendRequests} ResendRequests answered with ${s.gapFillsSent} gap fills (${s.unexpectedHoles} for a message we thought counted)\n`
    out += table('answers not matched to a message we sent', s.unattributed)
    out += table('values that came back different', s.echoMismatches)
    for (const e of s.echoExamples.slice(0, 6)) out += `    ${e}\n`
    out += table('logon fuzz', s.logonFuzz, 25)
    out += table('abusive connections', s.abusive, 25)
  }
  out += table('gateway error-level log lines, by msg', logs?.errors ?? new Counter())
  out += `checks: crashes ${checks.crashes}, unhandled errors ${String(checks.unhandledErrors)}, session store failure stops (client) ${checks.storeFailureStops}` +
    ` (all sessions: ${JSON.stringify(result.storeFailuresBySession)}), unsendable orders ${String(checks.unsendableOrders)}` +
    ` (PendingNew ${String(unsendable?.pendingNewTotal)}, Held ${String(unsendable?.held)}), BusinessMessageReject 380=4 ${checks.storageUnavailableRejects},` +
    ` values rewritten ${checks.rewrittenValues}, health check ${health.ok ? 'ok' : 'FAILED'}\n`
  if (failure != null) out += `FAILURE: ${failure}\n`
  out += `${ok ? 'OK' : 'NOT OK'}; details in ${path.join(runDir, 'result.json')}, gateway log ${path.join(runDir, 'gateway.log')}\n`
  if (o.json) {
    process.stderr.write(out)
    process.stdout.write(`${JSON.stringify(result)}\n`)
  } else process.stdout.write(out)
  return ok ? 0 : 1
}

async function main (): Promise<void> {
  let o: FuzzOptions
  try {
    o = parseOptions(process.argv)
  } catch (e) {
    if (e instanceof CommanderError) { process.exitCode = e.exitCode === 0 ? 0 : 2; return }
    if (e instanceof InvalidArgumentError) { process.stderr.write(`fuzz: ${e.message}\n`); process.exitCode = 2; return }
    throw e
  }
  const code = await run(o)
  process.exitCode = code
  setTimeout(() => process.exit(code), 2000).unref()
}

main().catch((e) => {
  console.error(e)
  killAllChildrenNow()
  process.exit(1)
})
