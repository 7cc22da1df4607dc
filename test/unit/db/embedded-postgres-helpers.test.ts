import { expect } from 'chai'
import { execFileSync } from 'node:child_process'
import { buildUrl, EmbeddedPostgresError, findFreePort, parseIdOutput, parsePostmasterPid, shellQuote } from '../../../src/db/embedded-postgres'

describe('db/embedded-postgres helpers', () => {
  it('parses postmaster.pid (PostgreSQL 17 layout)', () => {
    const text = '3873\n/tmp/pgexp\n1795250118\n54329\n\n127.0.0.1\n  2172206         9\nready   \n'
    expect(parsePostmasterPid(text)).to.deep.equal({ pid: 3873, dataDir: '/tmp/pgexp', port: 54329, listenAddress: '127.0.0.1', status: 'ready' })
  })

  it('parses a pid file still being written, and rejects garbage', () => {
    expect(parsePostmasterPid('42\n/d\n')).to.deep.include({ pid: 42, port: 0, status: '' })
    expect(parsePostmasterPid('')).to.equal(undefined)
    expect(parsePostmasterPid('abc\n')).to.equal(undefined)
  })

  it('shell-quotes -o words so /bin/sh gives postgres exactly the original text', () => {
    for (const word of ['unix_socket_directories=', "a'b", 'x y $HOME `id` "q"']) {
      expect(execFileSync('/bin/sh', ['-c', `printf %s ${shellQuote(word)}`]).toString()).to.equal(word)
    }
  })

  it('parses `id` output including supplementary groups', () => {
    expect(parseIdOutput('postgres', 'uid=101(postgres) gid=104(postgres) groups=104(postgres),103(ssl-cert)\n'))
      .to.deep.equal({ user: 'postgres', uid: 101, gid: 104, groups: [104, 103] })
    expect(parseIdOutput('x', 'id: x: no such user')).to.equal(undefined)
  })

  it('builds 127.0.0.1 URLs for the postgres superuser', () => {
    expect(buildUrl(5433, 'fixgw')).to.equal('postgres://postgres@127.0.0.1:5433/fixgw')
  })

  it('finds a free port', async () => {
    const port = await findFreePort()
    expect(port).to.be.within(1024, 65535)
  })

  it('EmbeddedPostgresError carries code and appends the log tail to the message', () => {
    const err = new EmbeddedPostgresError('START_FAILED', 'PostgreSQL failed to start.', { logTail: 'FATAL: boom\n' })
    expect(err).to.be.instanceOf(Error)
    expect(err).to.include({ name: 'EmbeddedPostgresError', code: 'START_FAILED', logTail: 'FATAL: boom' })
    expect(err.message).to.equal('PostgreSQL failed to start.\n--- server log (tail) ---\nFATAL: boom')
    expect(new EmbeddedPostgresError('NOT_RUNNING', 'x').message).to.equal('x')
  })
})
