/**
 * EmbeddedPostgres against the real binaries: one cluster in os.tmpdir() walked through its
 * life in order (the `it`s depend on each other on purpose: one initdb keeps this fast).
 */
import { expect } from 'chai'
import { spawn } from 'node:child_process'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Client } from 'pg'
import { EmbeddedPostgres, findFreePort, type StartResult } from '../../../src/db/embedded-postgres'
import { embeddedTestOptions } from '../../support/test-db'

async function query<T extends Record<string, unknown>> (url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query<T>(sql)).rows
  } finally {
    await client.end().catch(() => {})
  }
}

/** A pid that certainly belonged to a process which has exited. */
async function deadPid (): Promise<number> {
  const child = spawn('true')
  const pid = child.pid ?? 0
  await new Promise((resolve) => child.on('exit', resolve))
  return pid
}

describe('db/embedded-postgres (real server)', function () {
  this.timeout(60_000)
  let root: string
  let dataDir: string
  let pidFile: string
  const servers: EmbeddedPostgres[] = []

  function newServer (port?: number): EmbeddedPostgres {
    const s = new EmbeddedPostgres({ dataDir, port, ...embeddedTestOptions() })
    servers.push(s)
    return s
  }

  async function readPidFileLines (): Promise<string[]> {
    return (await fs.readFile(pidFile, 'utf8')).split('\n')
  }

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fixgw-pg-'))
    await fs.chmod(root, 0o755) // mkdtemp makes 0700; as root, the postgres user must enter it
    dataDir = path.join(root, 'pg')
    pidFile = path.join(dataDir, 'postmaster.pid')
  })

  after(async () => {
    for (const s of servers) await s.stop().catch(() => {})
    await fs.rm(root, { recursive: true, force: true })
  })

  it('initialises a fresh cluster, starts on 127.0.0.1 and answers queries', async () => {
    const r = await newServer().start()
    expect(r.initialized).to.equal(true)
    expect(r.adopted).to.equal(false)
    expect(r.url).to.equal(`postgres://postgres@127.0.0.1:${r.port}/postgres`)
    const [settings] = await query<{ fsync: string, listen: string, sockets: string, maxconn: string }>(r.url,
      "SELECT current_setting('fsync') AS fsync, current_setting('listen_addresses') AS listen, current_setting('unix_socket_directories') AS sockets, current_setting('max_connections') AS maxconn")
    expect(settings).to.deep.equal({ fsync: 'on', listen: '127.0.0.1', sockets: '', maxconn: '100' })
    await query(r.url, 'CREATE TABLE survivor (v text); INSERT INTO survivor VALUES (\'one\')')
    expect(await fs.readFile(`${dataDir}.log`, 'utf8')).to.contain('database system is ready to accept connections')
    if (process.getuid?.() === 0) {
      const st = await fs.stat(dataDir)
      expect(st.uid, 'data folder owned by the postgres user').to.not.equal(0)
      expect(st.mode & 0o777).to.equal(0o700)
    }
    expect((await fs.readdir(root)).filter((e) => e.includes('.initdb-')), 'no initdb temp folder left').to.deep.equal([])
  })

  it('start() twice on one instance returns the running server', async () => {
    const s = servers[0]
    const [a, b] = await Promise.all([s.start(), s.start()])
    expect(b.port).to.equal(a.port)
    expect(b.pid).to.equal(a.pid)
  })

  it('stop() is idempotent (sequential and concurrent calls)', async () => {
    const s = servers[0]
    await Promise.all([s.stop(), s.stop()])
    await s.stop()
    expect(await fs.stat(pidFile).catch(() => undefined)).to.equal(undefined)
  })

  it('a second start reuses the cluster (no initdb) and the data survived', async () => {
    const r = await newServer().start()
    expect(r.initialized).to.equal(false)
    expect(r.adopted).to.equal(false)
    expect(await query(r.url, 'SELECT v FROM survivor')).to.deep.equal([{ v: 'one' }])
  })

  it('adopts a server of this data folder that is still running', async () => {
    const running = servers[servers.length - 1]
    const before: StartResult = await running.start()
    const r = await newServer().start()
    expect(r.adopted).to.equal(true)
    expect(r.port).to.equal(before.port)
    expect(r.pid).to.equal(before.pid)
  })

  it('restarts a running server when an explicit, different port is requested', async () => {
    const port = await findFreePort()
    const r = await newServer(port).start()
    expect(r.adopted).to.equal(false)
    expect(r.port).to.equal(port)
    expect(await query(r.url, 'SELECT v FROM survivor')).to.deep.equal([{ v: 'one' }])
  })

  it('recovers after kill -9 of the postmaster (with a client still connected)', async () => {
    const [pidLine] = await readPidFileLines()
    const pid = Number(pidLine)
    const url = (await servers[servers.length - 1].start()).url
    const client = new Client({ connectionString: url })
    client.on('error', () => {}) // the connection dies with the server
    await client.connect()
    await client.query("INSERT INTO survivor VALUES ('two')")
    process.kill(pid, 'SIGKILL') // and restart at once: a zombie postmaster and live backends remain

    const r = await newServer().start()
    await client.end().catch(() => {})
    expect(r.adopted).to.equal(false)
    expect(r.initialized).to.equal(false)
    expect(r.pid).to.not.equal(pid)
    expect(await query(r.url, 'SELECT v FROM survivor ORDER BY v')).to.deep.equal([{ v: 'one' }, { v: 'two' }])
    expect(await fs.readFile(`${dataDir}.log`, 'utf8')).to.match(/not properly shut down|automatic recovery/)
  })

  it('starts over a stale postmaster.pid whose pid is dead', async () => {
    const lines = await readPidFileLines()
    await servers[servers.length - 1].stop()
    lines[0] = String(await deadPid())
    await fs.writeFile(pidFile, lines.join('\n'))
    const r = await newServer().start()
    expect(r.adopted).to.equal(false)
    expect(await query(r.url, 'SELECT count(*)::int AS n FROM survivor')).to.deep.equal([{ n: 2 }])
  })

  it('starts over a postmaster.pid whose pid was recycled by a live non-postgres process', async () => {
    const lines = await readPidFileLines()
    await servers[servers.length - 1].stop()
    lines[0] = String(process.pid) // alive, but node: PostgreSQL alone would refuse to start
    await fs.writeFile(pidFile, lines.join('\n'))
    const r = await newServer().start()
    expect(r.adopted).to.equal(false)
    expect((await readPidFileLines())[0]).to.equal(String(r.pid))
  })

  it('fails with START_FAILED and the log tail when the requested port is taken', async () => {
    await servers[servers.length - 1].stop()
    const net = await import('node:net')
    const blocker = net.createServer()
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve))
    const port = (blocker.address() as import('node:net').AddressInfo).port
    try {
      const err = await newServer(port).start().then(() => undefined, (e: unknown) => e)
      expect(err).to.have.property('name', 'EmbeddedPostgresError')
      expect(err).to.have.property('code', 'START_FAILED')
      expect((err as Error).message).to.contain(`Port ${port}`).and.to.contain('Address already in use')
    } finally {
      blocker.close()
    }
  })
})
