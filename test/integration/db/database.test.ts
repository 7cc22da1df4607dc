/**
 * openDatabase: embedded server when no URL is configured, the given URL untouched otherwise.
 */
import { expect } from 'chai'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { Client } from 'pg'
import pino from 'pino'
import { openDatabase, type DatabaseHandle } from '../../../src/db/database'
import { embeddedTestOptions } from '../../support/test-db'

async function currentDatabase (url: string): Promise<string> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 })
  client.on('error', () => {})
  await client.connect()
  try {
    return (await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0].db
  } finally {
    await client.end().catch(() => {})
  }
}

describe('db/database openDatabase', function () {
  this.timeout(60_000)
  // A real pino logger: also proves pino's Logger fits the PgLogger interface.
  const logger = pino({ level: 'warn' })
  let root: string
  let embedded: DatabaseHandle | undefined
  let savedEnv: string | undefined

  before(async () => {
    savedEnv = process.env.DATABASE_URL
    delete process.env.DATABASE_URL // this suite decides which path it exercises
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fixgw-db-'))
    await fs.chmod(root, 0o755)
  })

  after(async () => {
    if (savedEnv === undefined) delete process.env.DATABASE_URL
    else process.env.DATABASE_URL = savedEnv
    await embedded?.close()
    await fs.rm(root, { recursive: true, force: true })
  })

  it('without a URL starts the embedded server and creates database fixgw', async () => {
    embedded = await openDatabase({ dataDir: path.join(root, 'pg'), fixPermissions: embeddedTestOptions().fixPermissions, logger })
    expect(embedded.embedded).to.equal(true)
    expect(embedded.url).to.match(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/fixgw$/)
    expect(await currentDatabase(embedded.url)).to.equal('fixgw')
  })

  it('uses databaseUrl as is (embedded=false) and close() leaves that server alone', async () => {
    const url = embedded?.url ?? ''
    const external = await openDatabase({ databaseUrl: url, dataDir: path.join(root, 'unused'), logger })
    expect(external).to.include({ url, embedded: false })
    await external.close()
    expect(await currentDatabase(url)).to.equal('fixgw')
    expect(await fs.stat(path.join(root, 'unused')).catch(() => undefined), 'nothing initialised').to.equal(undefined)
  })

  it('uses $DATABASE_URL when no databaseUrl option is given', async () => {
    process.env.DATABASE_URL = embedded?.url
    try {
      const external = await openDatabase({ dbName: 'ignored', logger })
      expect(external).to.include({ url: embedded?.url, embedded: false })
    } finally {
      delete process.env.DATABASE_URL
    }
  })

  it('rejects an unusable dbName before starting anything', async () => {
    const err = await openDatabase({ dataDir: path.join(root, 'bad'), dbName: 'a/b', logger }).then(() => undefined, (e: unknown) => e)
    expect(err).to.have.property('code', 'INVALID_OPTION')
  })

  it('close() stops the embedded server and is idempotent', async () => {
    const handle = embedded
    if (handle === undefined) throw new Error('first test did not run')
    await handle.close()
    await handle.close()
    expect(await fs.stat(path.join(root, 'pg', 'postmaster.pid')).catch(() => undefined)).to.equal(undefined)
    const err = await currentDatabase(handle.url).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(Error)
  })

  it('a command that finds the server already running (a gateway uses it) leaves it running on close; the owner stops it', async () => {
    const dataDir = path.join(root, 'shared-pg')
    const gateway = await openDatabase({ dataDir, logger, owner: true, ...embeddedTestOptions() })
    const command = await openDatabase({ dataDir, logger, ...embeddedTestOptions() })
    expect(command.url).to.equal(gateway.url)
    await command.close()
    expect(await currentDatabase(gateway.url)).to.equal('fixgw') // still up for the gateway
    await gateway.close()
    const err = await currentDatabase(gateway.url).then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(Error)
  })
})
