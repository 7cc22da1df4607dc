import { expect } from 'chai'
import { createLogger, REDACTED, redactLogLine, redactUrl } from '../../../src/log/logger'

/** In-memory pino destination, so a test can read back exactly what was written. */
class CaptureStream {
  public readonly chunks: string[] = []
  write (chunk: string): void { this.chunks.push(chunk) }
  text (): string { return this.chunks.join('') }
  records (): Array<Record<string, any>> {
    return this.text().split('\n').filter((l: string) => l !== '').map((l: string) => JSON.parse(l) as Record<string, any>)
  }
}

describe('log/logger', () => {
  let savedLevel: string | undefined

  beforeEach(() => {
    savedLevel = process.env.LOG_LEVEL
    delete process.env.LOG_LEVEL
  })

  afterEach(() => {
    if (savedLevel === undefined) delete process.env.LOG_LEVEL
    else process.env.LOG_LEVEL = savedLevel
  })

  function capture (level?: string): { out: CaptureStream, log: ReturnType<typeof createLogger> } {
    const out = new CaptureStream()
    return { out, log: createLogger({ level, pretty: false, destination: out, name: 'fixgw-test' }) }
  }

  describe('output', () => {
    it('writes one JSON object per line with level, ISO time, name and msg', () => {
      const { out, log } = capture()
      log.info({ orderId: 7 }, 'first')
      log.warn('second')
      expect(out.text().endsWith('\n')).to.equal(true)
      const [a, b] = out.records()
      expect(a).to.include({ level: 30, name: 'fixgw-test', msg: 'first', orderId: 7 })
      expect(new Date(a.time as string).toISOString()).to.equal(a.time)
      expect(b).to.include({ level: 40, msg: 'second' })
    })

    it('defaults to info: debug is dropped', () => {
      const { out, log } = capture()
      log.debug('hidden')
      log.info('shown')
      expect(out.records().map((r) => r.msg)).to.deep.equal(['shown'])
    })

    it('takes the level from LOG_LEVEL when none is given', () => {
      process.env.LOG_LEVEL = 'debug'
      const { out, log } = capture()
      log.debug('visible')
      expect(log.level).to.equal('debug')
      expect(out.records()).to.have.length(1)
    })

    it('prefers the explicit level over LOG_LEVEL', () => {
      process.env.LOG_LEVEL = 'debug'
      expect(capture('error').log.level).to.equal('error')
    })

    it('rejects an unknown level with the list of valid ones', () => {
      expect(() => capture('verbose')).to.throw('unknown log level "verbose"; expected one of trace, debug, info, warn, error, fatal, silent')
    })

    it('serializes errors under err with type, message and stack', () => {
      const { out, log } = capture()
      log.error({ err: new TypeError('bad thing') }, 'failed')
      const [r] = out.records()
      expect(r.err).to.include({ type: 'TypeError', message: 'bad thing' })
      expect(r.err.stack).to.contain('TypeError: bad thing')
    })

    it('pretty mode writes human-readable (non-JSON) text, still redacted', () => {
      const out = new CaptureStream()
      const log = createLogger({ pretty: true, destination: out })
      log.info({ password: 'hunter2' }, 'connecting to postgres://fixgw:s3cret@db/fixgw')
      const text = out.text()
      expect(() => JSON.parse(text)).to.throw()
      expect(text).to.contain('INFO')
      expect(text).to.contain('postgres://fixgw:***@db/fixgw')
      expect(text).not.to.contain('hunter2')
      expect(text).not.to.contain('s3cret')
    })
  })

  describe('redaction by key', () => {
    it('redacts password, Password, nested password and FIX tag 554 without touching the caller object', () => {
      const { out, log } = capture()
      const logon = { '554': 'tag-secret', '553': 'user', HeartBtInt: 30 }
      const obj = {
        password: 'a',
        Password: 'b',
        db: { password: 'c', user: 'fixgw' },
        logon,
        event: { msg: { Password: 'd', '554': 'e', NewPassword: 'f' } }
      }
      log.info(obj, 'logon')
      const [r] = out.records()
      expect(r.password).to.equal(REDACTED)
      expect(r.Password).to.equal(REDACTED)
      expect(r.db).to.deep.equal({ password: REDACTED, user: 'fixgw' })
      expect(r.logon).to.deep.equal({ '554': REDACTED, '553': 'user', HeartBtInt: 30 })
      expect(r.event.msg).to.deep.equal({ Password: REDACTED, '554': REDACTED, NewPassword: REDACTED })
      expect(logon['554']).to.equal('tag-secret')
      expect(out.text()).not.to.match(/tag-secret|"[abcdef]"/)
    })

    it('redacts password keys in child bindings', () => {
      const { out, log } = capture()
      log.child({ password: 'bound', db: { password: 'bound2' } }).info('x')
      expect(out.text()).not.to.contain('bound')
      expect(out.records()[0].db.password).to.equal(REDACTED)
    })
  })

  describe('redaction by pattern', () => {
    it('redacts the password of a connection URL in the message, values, bindings and error stacks', () => {
      const { out, log } = capture()
      log.child({ dsn: 'postgres://fixgw:bindpw@localhost:5432/fixgw' })
        .error({ cfg: { url: 'postgres://fixgw:valuepw@db/x' }, err: new Error('connect postgres://u:errpw@h failed') },
          'using %s', 'postgres://fixgw:argpw@db/fixgw')
      const text = out.text()
      for (const secret of ['bindpw', 'valuepw', 'errpw', 'argpw']) expect(text).not.to.contain(secret)
      const [r] = out.records()
      expect(r.dsn).to.equal('postgres://fixgw:***@localhost:5432/fixgw')
      expect(r.cfg.url).to.equal('postgres://fixgw:***@db/x')
      expect(r.msg).to.equal('using postgres://fixgw:***@db/fixgw')
      expect(r.err.message).to.equal('connect postgres://u:***@h failed')
    })

    it('redacts 554= and 925= in raw FIX text, SOH or pipe delimited', () => {
      const { out, log } = capture()
      log.info({ raw: '8=FIX.4.4\x0135=A\x01554=sohpw\x01925=newpw\x0110=123\x01' }, '8=FIX.4.4|35=A|554=pipepw|98=0|')
      const [r] = out.records()
      expect(r.raw).to.equal('8=FIX.4.4\x0135=A\x01554=***\x01925=***\x0110=123\x01')
      expect(r.msg).to.equal('8=FIX.4.4|35=A|554=***|98=0|')
    })

    it('does not touch tags that merely end in 554, or URLs without a password', () => {
      expect(redactLogLine('{"msg":"8=FIX.4.4|10554=keep|"}')).to.equal('{"msg":"8=FIX.4.4|10554=keep|"}')
      expect(redactUrl('postgres://fixgw@db/fixgw')).to.equal('postgres://fixgw@db/fixgw')
    })
  })

  describe('redactUrl', () => {
    it('masks only the password', () => {
      expect(redactUrl('postgres://user:secret@host:5432/db')).to.equal('postgres://user:***@host:5432/db')
    })

    it('handles an empty user, several URLs and other schemes', () => {
      expect(redactUrl('redis://:pw@r and postgresql://a:b@c/d')).to.equal('redis://:***@r and postgresql://a:***@c/d')
    })

    it('returns text without a URL unchanged', () => {
      expect(redactUrl('user:secret@host')).to.equal('user:secret@host')
    })
  })
})
