/** The FIX session-layer fields of sessions/*.json: defaults, every accepted form, and one error per rule. */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { ConfigError } from '../../../src/config/config-error'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { DEFAULT_FIX_VALIDATION, parseFixSessionOptions } from '../../../src/config/fix-session-config'

const client = (o: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name: 'c', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: 9880, ...o })
const broker = (o: Record<string, unknown> = {}): Record<string, unknown> =>
  ({ name: 'b', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'BRK', host: '127.0.0.1', port: 9881, ...o })

function problem (raw: unknown, file = 'sessions/x.json'): string {
  try {
    parseSessionConfig(raw, file)
  } catch (e) {
    if (e instanceof ConfigError) return `${e.field}: ${e.problem}`
    throw e
  }
  throw new Error('expected a ConfigError')
}

describe('config: FIX session-layer settings', () => {
  let dir: string
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixgw-tls-'))
    fs.mkdirSync(path.join(dir, 'certs'))
    for (const f of ['fixgw.pem', 'fixgw.key', 'ca.pem']) fs.writeFileSync(path.join(dir, 'certs', f), 'PEM')
  })
  after(() => { fs.rmSync(dir, { recursive: true, force: true }) })
  const file = (): string => path.join(dir, 'client.json')

  it('accepts every field, resolving TLS paths against the folder of the file', () => {
    const s = parseSessionConfig(client({
      resetSeqNumOnLogout: true,
      resetSeqNumOnDisconnect: true,
      logonTimeoutSeconds: 5,
      logoutTimeoutSeconds: 3,
      schedule: { start: '08:00', end: '17:30:00', days: ['Mon', 'Fri'], timeZone: 'Europe/London' },
      validation: { fieldsOutOfOrder: false, sendingTimeAccuracySeconds: 30 },
      username: 'u1',
      password: 'pw',
      ipAllowList: ['10.0.0.0/8', '192.0.2.7', '::1', '2001:db8::/32'],
      tls: { cert: 'certs/fixgw.pem', key: 'certs/fixgw.key', ca: path.join(dir, 'certs', 'ca.pem'), requireClientCert: true }
    }), file())
    expect(s.fixSession).to.deep.equal({
      resetSeqNumOnLogout: true,
      resetSeqNumOnDisconnect: true,
      logonTimeoutSeconds: 5,
      logoutTimeoutSeconds: 3,
      schedule: { startTime: '08:00', endTime: '17:30:00', days: ['Mon', 'Fri'], timeZone: 'Europe/London' },
      validation: { ...DEFAULT_FIX_VALIDATION, fieldsOutOfOrder: false, sendingTimeAccuracySeconds: 30 },
      username: 'u1',
      password: 'pw',
      ipAllowList: ['10.0.0.0/8', '192.0.2.7', '::1', '2001:db8::/32'],
      tls: { certFile: path.join(dir, 'certs', 'fixgw.pem'), keyFile: path.join(dir, 'certs', 'fixgw.key'), caFile: path.join(dir, 'certs', 'ca.pem'), requireClientCert: true, serverName: null, verifyPeer: true }
    })
  })

  it('defaults a schedule\'s time zone to UTC and its days to every day', () => {
    const s = parseSessionConfig(client({ schedule: { start: '22:00', end: '21:55' } }), 'x.json')
    expect(s.fixSession.schedule).to.deep.equal({ startTime: '22:00', endTime: '21:55', days: null, timeZone: 'UTC' })
  })

  it('turns the SendingTime check off with sendingTimeAccuracySeconds: null, and validation off with enabled: false', () => {
    const s = parseSessionConfig(client({ validation: { enabled: false, sendingTimeAccuracySeconds: null } }), 'x.json')
    expect([s.fixSession.validation.enabled, s.fixSession.validation.sendingTimeAccuracySeconds]).to.deep.equal([false, null])
  })

  it('bounds a client\'s HeartBtInt at 3600 s unless validation.maxHeartBtInt says otherwise', () => {
    expect(parseSessionConfig(client({}), 'x.json').fixSession.validation.maxHeartBtInt).to.equal(3600)
    expect(parseSessionConfig(client({ validation: { maxHeartBtInt: 120 } }), 'x.json').fixSession.validation.maxHeartBtInt).to.equal(120)
  })

  it('reads the password from the environment variable named by passwordEnv', () => {
    const o = parseFixSessionOptions(client({ passwordEnv: 'FIXGW_TEST_PW' }), 'client', 'x.json', (f, p) => { throw new Error(`${f}: ${p}`) }, { FIXGW_TEST_PW: 'from-env' })
    expect(o.password).to.equal('from-env')
  })

  const ERRORS: ReadonlyArray<[string, Record<string, unknown>, string]> = [
    ['a misspelt field, with a hint', client({ resetSeqNumOnDisconect: true }), 'resetSeqNumOnDisconect: unknown field; did you mean "resetSeqNumOnDisconnect"?'],
    ['a reset flag that is not a boolean', client({ resetSeqNumOnDisconnect: 'yes' }), 'resetSeqNumOnDisconnect: must be true or false (got string)'],
    ['a logon timeout out of range', client({ logonTimeoutSeconds: 0 }), 'logonTimeoutSeconds: must be between 1 and 3600 (got 0)'],
    ['a logout timeout that is not an integer', client({ logoutTimeoutSeconds: 1.5 }), 'logoutTimeoutSeconds: must be an integer (got 1.5)'],
    ['a schedule without an end', client({ schedule: { start: '08:00' } }), 'schedule.end: is required'],
    ['a schedule time that is not a time of day', client({ schedule: { start: '8am', end: '17:00' } }), 'schedule.start: must be a time of day HH:MM or HH:MM:SS (got "8am")'],
    ['a schedule day that is not a weekday', client({ schedule: { start: '08:00', end: '17:00', days: ['Mon', 'Funday'] } }), 'schedule.days[1]: must be one of Sun, Mon, Tue, Wed, Thu, Fri, Sat (got "Funday")'],
    ['an unknown time zone', client({ schedule: { start: '08:00', end: '17:00', timeZone: 'Mars/Olympus' } }), 'schedule.timeZone: "Mars/Olympus" is not a known IANA time zone (such as "Europe/London")'],
    ['an unknown schedule field', client({ schedule: { start: '08:00', end: '17:00', tz: 'UTC' } }), 'schedule.tz: unknown field (known: start, end, days, timeZone)'],
    ['an unknown validation switch', client({ validation: { checkEverything: true } }), 'validation.checkEverything: unknown field (known: enabled, fieldsOutOfOrder, fieldsHaveValues, userDefinedFields, unknownFields, fieldValues, checkCompIds, sendingTimeAccuracySeconds, maxHeartBtInt)'],
    ['a HeartBtInt bound out of range', client({ validation: { maxHeartBtInt: 0 } }), 'validation.maxHeartBtInt: must be between 1 and 86400 (got 0)'],
    ['a validation switch that is not a boolean', client({ validation: { fieldValues: 1 } }), 'validation.fieldValues: must be true or false (got number)'],
    ['an empty username', client({ username: '' }), 'username: must not be empty'],
    ['both password and passwordEnv', client({ password: 'a', passwordEnv: 'B' }), 'passwordEnv: use either password or passwordEnv, not both'],
    ['a passwordEnv naming an unset variable', client({ passwordEnv: 'FIXGW_SURELY_UNSET_VARIABLE' }), 'passwordEnv: environment variable FIXGW_SURELY_UNSET_VARIABLE is not set'],
    ['an IP allow-list on a broker session', broker({ ipAllowList: ['10.0.0.1'] }), 'ipAllowList: only allowed when role is "client" (we accept those connections)'],
    ['an empty IP allow-list', client({ ipAllowList: [] }), 'ipAllowList: must be a non-empty array of addresses or CIDR blocks'],
    ['an IP allow-list entry that is not an address', client({ ipAllowList: ['10.0.0.1', 'gateway.local'] }), 'ipAllowList[1]: "gateway.local" is not an IP address or CIDR block'],
    ['a CIDR block with a bad prefix length', client({ ipAllowList: ['10.0.0.0/33'] }), 'ipAllowList[0]: "10.0.0.0/33" has a bad prefix length'],
    ['a TLS certificate file that does not exist', client({ tls: { cert: 'missing.pem', key: 'missing.key' } }), `tls.cert: cannot read ${path.resolve('sessions', 'missing.pem')}`],
    ['a client TLS block without a certificate', client({ tls: { ca: '/etc/hostname' } }), 'tls.cert: is required for a client session (we are the TLS server)'],
    ['requireClientCert on a broker session', broker({ tls: { requireClientCert: true } }), 'tls.requireClientCert: only allowed when role is "client"'],
    ['serverName on a client session', client({ tls: { cert: '/etc/hostname', key: '/etc/hostname', serverName: 'x' } }), 'tls.serverName: only allowed when role is "broker"'],
    ['TLS on a simulated broker', broker({ simulate: true, tls: { verifyPeer: false } }), 'tls: not available with "simulate": true (the simulated broker does not speak TLS)'],
    ['an unknown TLS field', client({ tls: { certificate: 'x' } }), 'tls.certificate: unknown field (known: cert, key, ca, requireClientCert, serverName, verifyPeer)']
  ]
  for (const [what, raw, expected] of ERRORS) {
    it(`rejects ${what}`, () => {
      expect(problem(raw)).to.equal(expected)
    })
  }

  it('rejects requireClientCert without the CA that signs client certificates', () => {
    expect(problem(client({ tls: { cert: 'certs/fixgw.pem', key: 'certs/fixgw.key', requireClientCert: true } }), file())).to.equal('tls.ca: is required with requireClientCert (the CA that signs client certificates)')
  })
})
