import { expect } from 'chai'
import { JsFixLoggerFactory } from 'jspurefix/dist/config/js-fix-logger-factory'
import { createLogger, REDACTED } from '../../../src/log/logger'
import { DEFAULT_JSFIX_LEVELS, PinoJsFixLoggerFactory } from '../../../src/log/jspurefix-logger'

/** In-memory pino destination, so a test can read back exactly what was written. */
class CaptureStream {
  public readonly chunks: string[] = []
  write (chunk: string): void { this.chunks.push(chunk) }
  records (): Array<Record<string, any>> {
    return this.chunks.join('').split('\n').filter((l: string) => l !== '').map((l: string) => JSON.parse(l) as Record<string, any>)
  }
}

const TRACE = 10
const DEBUG = 20
const INFO = 30
const WARN = 40
const ERROR = 50

function setup (level: string, levels?: ConstructorParameters<typeof PinoJsFixLoggerFactory>[1]): { out: CaptureStream, factory: PinoJsFixLoggerFactory } {
  const out = new CaptureStream()
  const root = createLogger({ level, pretty: false, destination: out })
  return { out, factory: new PinoJsFixLoggerFactory(root.child({ session: 'demo-client' }), levels) }
}

describe('log/jspurefix-logger', () => {
  it('is a JsFixLoggerFactory, so it can be passed as IJsFixConfig.logFactory / SessionLauncher', () => {
    expect(setup('info').factory).to.be.instanceOf(JsFixLoggerFactory)
  })

  it('binds component "jspurefix", keeps parent bindings, and nests jspurefix context under fix', () => {
    const { out, factory } = setup('debug')
    factory.logger('FIXGW:CLIENT1:FixSession', { component: 'FixSession', app: 'FIXGW', peer: 'CLIENT1' }).warning('seq gap')
    const [r] = out.records()
    expect(r).to.include({ component: 'jspurefix', session: 'demo-client', msg: 'seq gap' })
    expect(r.fix).to.deep.equal({ type: 'FIXGW:CLIENT1:FixSession', component: 'FixSession', app: 'FIXGW', peer: 'CLIENT1' })
  })

  it('maps by default info->debug, debug->trace, warning->warn, error->error', () => {
    const { out, factory } = setup('trace')
    const log = factory.logger('x')
    log.info('i')
    log.debug('d')
    log.warning('w')
    log.error(new Error('e'))
    expect(out.records().map((r) => [r.msg, r.level])).to.deep.equal([['i', DEBUG], ['d', TRACE], ['w', WARN], ['e', ERROR]])
    expect(DEFAULT_JSFIX_LEVELS).to.include({ info: 'debug', debug: 'trace', warning: 'warn', error: 'error' })
  })

  it('drops jspurefix info chatter at the default info level but keeps warnings', () => {
    const { out, factory } = setup('info')
    const log = factory.logger('x')
    log.info('state change')
    log.debug('detail')
    log.warning('heads up')
    expect(out.records().map((r) => r.msg)).to.deep.equal(['heads up'])
  })

  it('lets the mapping be overridden, including silent', () => {
    const { out, factory } = setup('info', { levels: { info: 'info', warning: 'silent' } })
    const log = factory.logger('x')
    log.info('now visible')
    log.warning('dropped')
    const records = out.records()
    expect(records).to.have.length(1)
    expect(records[0]).to.include({ msg: 'now visible', level: INFO })
  })

  it('logs errors through the err serializer, with the message as msg', () => {
    const { out, factory } = setup('info')
    factory.logger('x').error(new RangeError('seq out of range'), { seqNum: 12 })
    const [r] = out.records()
    expect(r).to.include({ level: ERROR, msg: 'seq out of range', component: 'jspurefix' })
    expect(r.err).to.include({ type: 'RangeError', message: 'seq out of range' })
    expect(r.err.stack).to.contain('RangeError: seq out of range')
    expect(r.fixFields).to.deep.equal({ seqNum: 12 })
  })

  it('copes with a non-Error thrown value passed to error()', () => {
    const { out, factory } = setup('info')
    factory.logger('x').error('socket hang up' as unknown as Error)
    const [r] = out.records()
    expect(r).to.include({ level: ERROR, msg: 'socket hang up', thrown: 'socket hang up' })
    expect(r).not.to.have.property('err')
  })

  it('puts per-call fields under fixFields so they cannot overwrite msg or bindings', () => {
    const { out, factory } = setup('debug')
    factory.logger('x', { component: 'FixSession' }).info('sent', { msgType: 'D', component: 'evil', msg: 'evil' })
    const [r] = out.records()
    expect(r).to.include({ msg: 'sent', component: 'jspurefix' })
    expect(r.fixFields).to.deep.equal({ msgType: 'D', component: 'evil', msg: 'evil' })
  })

  it('keeps working when a method is called detached from its logger', () => {
    const { out, factory } = setup('info')
    const { warning } = factory.logger('x')
    warning('detached')
    expect(out.records()[0]).to.include({ msg: 'detached', component: 'jspurefix' })
  })

  it('plain() logs raw message text at the plain level, tagged with the file name, with 554 scrubbed', () => {
    const { out, factory } = setup('debug')
    factory.plain('jsfix.demo.txt').info('8=FIX.4.4|35=A|554=pw|10=000|')
    const [r] = out.records()
    expect(r).to.include({ level: DEBUG, component: 'jspurefix', msg: `8=FIX.4.4|35=A|554=${REDACTED}|10=000|` })
    expect(r.fix).to.deep.equal({ type: 'plain', file: 'jsfix.demo.txt' })
  })
})
