import { expect } from 'chai'
import { ConfigError } from '../../../src/config/config-error'
import { parseSessionConfig } from '../../../src/config/load-sessions'
import { BrokerSessionConfig, ClientSessionConfig } from '../../../src/config/session-config'
import { DEFAULT_FIX_VALIDATION } from '../../../src/config/fix-session-config'
import { DEFAULT_BOUNDS } from '../../../src/domain/numeric-bounds'

const FILE = 'sessions/x.json'

/** The FIX session-layer settings of a file that sets none of them. */
const FIX_SESSION_DEFAULTS = {
  resetSeqNumOnLogout: false,
  resetSeqNumOnDisconnect: false,
  logonTimeoutSeconds: 10,
  logoutTimeoutSeconds: 2,
  schedule: null,
  validation: DEFAULT_FIX_VALIDATION,
  username: null,
  password: null,
  ipAllowList: null,
  tls: null
}

function client (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'demo-client', role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: 9880, ...overrides }
}

function broker (overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: 'demo-broker', role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIMBROKER', host: '127.0.0.1', port: 9881, ...overrides }
}

function without (obj: Record<string, unknown>, key: string): Record<string, unknown> {
  const copy = { ...obj }
  delete copy[key]
  return copy
}

/** Run fn, which must throw a ConfigError, and return that error. */
function configError (fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (e) {
    if (e instanceof ConfigError) return e
    throw e
  }
  throw new Error('expected a ConfigError, nothing was thrown')
}

function expectProblem (raw: unknown, field: string, problem: string): void {
  const e = configError(() => parseSessionConfig(raw, FILE))
  expect({ file: e.file, field: e.field, problem: e.problem }).to.deep.equal({ file: FILE, field, problem })
  expect(e.message).to.equal(`${FILE}: ${field}: ${problem}`)
}

describe('config/parseSessionConfig', () => {
  describe('valid input', () => {
    it('fills every client default and freezes the result', () => {
      const s = parseSessionConfig(client(), FILE) as ClientSessionConfig
      expect(s).to.deep.equal({
        name: 'demo-client',
        role: 'client',
        enabled: true,
        beginString: 'FIX.4.4',
        senderCompId: 'FIXGW',
        targetCompId: 'CLIENT1',
        host: '127.0.0.1',
        port: 9880,
        heartBtInt: 30,
        resetSeqNumOnLogon: false,
        fixSession: FIX_SESSION_DEFAULTS,
        risk: { limits: {}, accounts: {} },
        symbols: null,
        dedupeRetentionDays: null,
        bounds: DEFAULT_BOUNDS,
        source: FILE
      })
      expect(Object.isFrozen(s)).to.equal(true)
      expect(Object.isFrozen(s.risk)).to.equal(true)
    })

    it('fills every broker default and freezes nested values', () => {
      const s = parseSessionConfig(broker(), FILE) as BrokerSessionConfig
      expect(s).to.deep.include({ role: 'broker', backupHosts: [], reconnect: { initialDelayMs: 500, maxDelayMs: 30000 }, simulate: false })
      expect(Object.isFrozen(s.backupHosts)).to.equal(true)
      expect(Object.isFrozen(s.reconnect)).to.equal(true)
    })

    it('keeps explicit broker values', () => {
      const s = parseSessionConfig(broker({
        enabled: false,
        heartBtInt: 3600,
        resetSeqNumOnLogon: true,
        backupHosts: [{ host: '127.0.0.2', port: 9882 }, { host: 'fix.example.com', port: 65535 }],
        reconnect: { initialDelayMs: 1, maxDelayMs: 1 },
        simulate: true
      }), FILE) as BrokerSessionConfig
      expect(s).to.deep.include({ enabled: false, heartBtInt: 3600, resetSeqNumOnLogon: true, simulate: true })
      expect(s.backupHosts).to.deep.equal([{ host: '127.0.0.2', port: 9882 }, { host: 'fix.example.com', port: 65535 }])
      expect(Object.isFrozen(s.backupHosts[1])).to.equal(true)
      expect(s.reconnect).to.deep.equal({ initialDelayMs: 1, maxDelayMs: 1 })
    })
  })

  describe('document shape', () => {
    it('rejects a document that is not an object', () => {
      expectProblem([client()], '$', 'must be a JSON object (got array)')
      expectProblem(null, '$', 'must be a JSON object (got null)')
      expectProblem('x', '$', 'must be a JSON object (got string)')
    })
  })

  describe('unknown fields', () => {
    it('suggests the field a case slip meant', () => {
      expectProblem(client({ heartbtint: 30 }), 'heartbtint', 'unknown field; did you mean "heartBtInt"?')
      expectProblem(without(client({ senderCompID: 'FIXGW' }), 'senderCompId'), 'senderCompID', 'unknown field; did you mean "senderCompId"?')
    })

    it('suggests the field a typo meant', () => {
      expectProblem(client({ resetSeqNumOnLogn: true }), 'resetSeqNumOnLogn', 'unknown field; did you mean "resetSeqNumOnLogon"?')
      expectProblem(client({ prot: 1 }), 'prot', 'unknown field; did you mean "port"?')
    })

    it('gives no suggestion when nothing is close', () => {
      expectProblem(client({ colour: 'blue' }), 'colour', 'unknown field')
    })

    it('checks nested objects too, with their JSON path', () => {
      expectProblem(broker({ backupHosts: [{ host: 'a', port: 1 }, { hots: 'b', port: 2 }] }), 'backupHosts[1].hots', 'unknown field; did you mean "host"?')
      expectProblem(broker({ reconnect: { maxDelay: 10 } }), 'reconnect.maxDelay', 'unknown field; did you mean "maxDelayMs"?')
    })
  })

  describe('required fields', () => {
    for (const key of ['name', 'role', 'senderCompId', 'targetCompId', 'host', 'port']) {
      it(`requires ${key}`, () => {
        expectProblem(without(client(), key), key, 'is required')
      })
    }

    it('requires host and port in each backup host', () => {
      expectProblem(broker({ backupHosts: [{ host: 'a' }] }), 'backupHosts[0].port', 'is required')
      expectProblem(broker({ backupHosts: [{ port: 1 }] }), 'backupHosts[0].host', 'is required')
    })
  })

  describe('types', () => {
    const cases: Array<[string, unknown, string]> = [
      ['name', 42, 'must be a string (got number)'],
      ['senderCompId', ['FIXGW'], 'must be a string (got array)'],
      ['host', null, 'must be a string (got null)'],
      ['port', '9880', 'must be an integer (got string)'],
      ['port', 98.8, 'must be an integer (got 98.8)'],
      ['heartBtInt', null, 'must be an integer (got null)'],
      ['enabled', 'yes', 'must be true or false (got string)'],
      ['resetSeqNumOnLogon', 0, 'must be true or false (got number)'],
      ['beginString', 4.4, 'only "FIX.4.4" is supported (got number)']
    ]
    for (const [key, value, problem] of cases) {
      it(`rejects ${key}: ${JSON.stringify(value)}`, () => {
        expectProblem(client({ [key]: value }), key, problem)
      })
    }

    it('checks broker-only field types', () => {
      expectProblem(broker({ backupHosts: { host: 'a', port: 1 } }), 'backupHosts', 'must be an array (got object)')
      expectProblem(broker({ backupHosts: ['127.0.0.2:9881'] }), 'backupHosts[0]', 'must be an object (got string)')
      expectProblem(broker({ reconnect: [] }), 'reconnect', 'must be an object (got array)')
      expectProblem(broker({ reconnect: { initialDelayMs: '500' } }), 'reconnect.initialDelayMs', 'must be an integer (got string)')
      expectProblem(broker({ simulate: 'true' }), 'simulate', 'must be true or false (got string)')
    })
  })

  describe('values', () => {
    const cases: Array<[string, unknown, string]> = [
      ['port', 0, 'must be between 1 and 65535 (got 0)'],
      ['port', 65536, 'must be between 1 and 65535 (got 65536)'],
      ['heartBtInt', 0, 'must be between 1 and 3600 (got 0)'],
      ['heartBtInt', 3601, 'must be between 1 and 3600 (got 3601)'],
      ['name', 'demo client', 'must match [A-Za-z0-9_.-]+ (got "demo client")'],
      ['name', 'demo/client', 'must match [A-Za-z0-9_.-]+ (got "demo/client")'],
      ['name', '', 'must not be empty'],
      ['name', 'x'.repeat(65), 'must be at most 64 characters (got 65)'],
      ['role', 'server', 'must be "client" or "broker" (got "server")'],
      ['beginString', 'FIX.4.2', 'only "FIX.4.4" is supported (got "FIX.4.2")'],
      ['senderCompId', ' FIXGW', 'must not start or end with whitespace'],
      ['targetCompId', 'CLI\x01ENT', 'must be printable ASCII (0x20-0x7E), like every FIX identifier'],
      ['targetCompId', 'CLI\u00c9NT', 'must be printable ASCII (0x20-0x7E), like every FIX identifier'],
      ['host', '127.0.0.1 ', 'must not contain whitespace']
    ]
    for (const [key, value, problem] of cases) {
      it(`rejects ${key}: ${JSON.stringify(value)}`, () => {
        expectProblem(client({ [key]: value }), key, problem)
      })
    }

    it('accepts every allowed name character', () => {
      expect(parseSessionConfig(client({ name: 'A-z_0.9' }), FILE).name).to.equal('A-z_0.9')
    })

    it('checks ranges inside broker-only fields', () => {
      expectProblem(broker({ backupHosts: [{ host: 'a', port: 1 }, { host: 'b', port: 70000 }] }), 'backupHosts[1].port', 'must be between 1 and 65535 (got 70000)')
      expectProblem(broker({ reconnect: { initialDelayMs: 0 } }), 'reconnect.initialDelayMs', 'must be between 1 and 3600000 (got 0)')
      expectProblem(broker({ reconnect: { initialDelayMs: 5000, maxDelayMs: 1000 } }), 'reconnect.maxDelayMs', 'must not be less than reconnect.initialDelayMs (5000)')
      expectProblem(broker({ reconnect: { initialDelayMs: 40000 } }), 'reconnect.maxDelayMs', 'must not be less than reconnect.initialDelayMs (40000)')
    })
  })

  describe('broker-only fields on a client', () => {
    const cases: Array<[string, unknown]> = [
      ['backupHosts', []],
      ['reconnect', { initialDelayMs: 500 }],
      ['simulate', false]
    ]
    for (const [key, value] of cases) {
      it(`rejects ${key}`, () => {
        expectProblem(client({ [key]: value }), key, 'only allowed when role is "broker"')
      })
    }
  })
})
