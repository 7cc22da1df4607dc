import { expect } from 'chai'
import * as fs from 'fs'
import * as os from 'os'
import * as path from 'path'
import { ConfigError } from '../../../src/config/config-error'
import { loadSessions } from '../../../src/config/load-sessions'

function client (name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, role: 'client', senderCompId: 'FIXGW', targetCompId: name.toUpperCase(), host: '127.0.0.1', port: 9880, ...overrides }
}

function broker (name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { name, role: 'broker', senderCompId: 'FIXGW', targetCompId: name.toUpperCase(), host: '127.0.0.1', port: 9990, ...overrides }
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

describe('config/loadSessions', () => {
  let dir: string

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'fixgw-sessions-'))
  })

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true })
  })

  function write (file: string, content: unknown): string {
    fs.writeFileSync(path.join(dir, file), typeof content === 'string' ? content : JSON.stringify(content, null, 2))
    return path.join(dir, file)
  }

  function expectProblem (file: string, field: string, problem: string): void {
    const e = configError(() => loadSessions(dir))
    expect({ file: e.file, field: e.field, problem: e.problem }).to.deep.equal({ file, field, problem })
  }

  describe('folder', () => {
    it('reports a folder that does not exist', () => {
      const missing = path.join(dir, 'nope')
      const e = configError(() => loadSessions(missing))
      expect(e.message).to.equal(`${missing}: $: sessions folder does not exist`)
    })

    it('reports a path that is a file, not a folder', () => {
      const file = write('a.json', client('a'))
      const e = configError(() => loadSessions(file))
      expect([e.file, e.field, e.problem]).to.deep.equal([file, '$', 'is not a folder'])
    })

    it('reports a folder without .json files, ignoring other files, hidden files and sub-folders', () => {
      write('README.txt', 'not a session')
      write('.hidden.json', client('hidden'))
      fs.mkdirSync(path.join(dir, 'old.json'))
      expectProblem(dir, '$', 'no *.json session files found')
    })

    it('loads only *.json files, in sorted file-name order', () => {
      write('b.json', client('bbb', { port: 9001 }))
      write('a.json', client('aaa', { port: 9002 }))
      write('C.json', broker('ccc'))
      write('notes.txt', '{ not json')
      write('a.json.bak', '{ not json')
      const sessions = loadSessions(dir)
      expect(sessions.map((s) => s.name)).to.deep.equal(['ccc', 'aaa', 'bbb'])
      expect(sessions.map((s) => s.source)).to.deep.equal([path.join(dir, 'C.json'), path.join(dir, 'a.json'), path.join(dir, 'b.json')])
    })

    it('accepts a UTF-8 byte order mark', () => {
      write('a.json', '\ufeff' + JSON.stringify(client('a')))
      expect(loadSessions(dir)[0].name).to.equal('a')
    })

    it('reports problems inside a file with that file\'s path', () => {
      write('a.json', client('a'))
      const bad = write('b.json', client('b', { port: 9881, heartbtint: 30 }))
      expectProblem(bad, 'heartbtint', 'unknown field; did you mean "heartBtInt"?')
    })
  })

  describe('invalid JSON', () => {
    const cases: Array<[string, string, string]> = [
      ['missing value', '{\n  "name": "a",\n  "port": }\n', 'invalid JSON at line 3, column 11: unexpected "}"'],
      ['trailing comma', '{\n  "name": "a",\n}', 'invalid JSON at line 3, column 1: unexpected "}"'],
      ['truncated', '{ "name": "a"', 'invalid JSON at line 1, column 14: unexpected end of input'],
      ['empty file', '', 'invalid JSON at line 1, column 1: unexpected end of input'],
      ['comment', '// demo\n{}', 'invalid JSON at line 1, column 1: unexpected "/"'],
      ['bad literal', '{ "enabled": tru }', 'invalid JSON at line 1, column 17: unexpected " "'],
      ['single quotes', "{ 'name': 'a' }", 'invalid JSON at line 1, column 3: unexpected "\'"'],
      ['two documents', '{}\n{}', 'invalid JSON at line 2, column 1: unexpected "{"']
    ]
    for (const [label, text, problem] of cases) {
      it(`reports the position: ${label}`, () => {
        const file = write('a.json', text)
        expectProblem(file, '$', problem)
      })
    }
  })

  describe('across files', () => {
    it('rejects a duplicate name, even on a disabled session', () => {
      const first = write('a.json', client('same', { port: 9001 }))
      const second = write('b.json', client('same', { port: 9002, targetCompId: 'OTHER', enabled: false }))
      expectProblem(second, 'name', `"same" is already used in ${first}`)
    })

    it('rejects a duplicate senderCompId/targetCompId pair', () => {
      const first = write('a.json', client('one', { targetCompId: 'CLIENT1', port: 9001 }))
      const second = write('b.json', broker('two', { targetCompId: 'CLIENT1' }))
      expectProblem(second, 'targetCompId', `FIXGW->CLIENT1 is already used by session "one" (${first})`)
    })

    it('treats CompIDs as case-sensitive and the pair as ordered', () => {
      write('a.json', client('one', { senderCompId: 'A', targetCompId: 'B', port: 9001 }))
      write('b.json', client('two', { senderCompId: 'B', targetCompId: 'A', port: 9002 }))
      write('c.json', client('three', { senderCompId: 'a', targetCompId: 'B', port: 9003 }))
      expect(loadSessions(dir)).to.have.length(3)
    })

    it('rejects two client sessions on the same host:port', () => {
      const first = write('a.json', client('one'))
      const second = write('b.json', client('two'))
      expectProblem(second, 'port', `127.0.0.1:9880 is already used by session "one" (${first})`)
    })

    it('treats 0.0.0.0 as clashing with any host on the same port', () => {
      const first = write('a.json', client('one', { host: '0.0.0.0' }))
      const second = write('b.json', client('two', { host: '127.0.0.1' }))
      expectProblem(second, 'port', `127.0.0.1:9880 is already used by session "one" (${first})`)
    })

    it('rejects a simulated broker listening where a client session listens', () => {
      const first = write('a.json', broker('sim', { port: 9880, simulate: true }))
      const second = write('b.json', client('cli', { port: 9880 }))
      expectProblem(second, 'port', `127.0.0.1:9880 is already used by session "sim" (${first})`)
    })

    it('allows a broker we connect to on the same host:port as a client listener', () => {
      write('a.json', client('cli', { port: 9880 }))
      write('b.json', broker('real', { port: 9880 }))
      expect(loadSessions(dir)).to.have.length(2)
    })

    it('allows the same host on different ports, and ignores disabled sessions for pair and port clashes', () => {
      write('a.json', client('one', { port: 9001 }))
      write('b.json', client('two', { port: 9002 }))
      write('c.json', client('old-one', { port: 9001, targetCompId: 'ONE', enabled: false }))
      expect(loadSessions(dir).map((s) => s.name)).to.deep.equal(['one', 'two', 'old-one'])
    })
  })

  describe('the repository sessions/ folder', () => {
    // dist/test/unit/config -> repository root
    const repoSessions = path.resolve(__dirname, '..', '..', '..', '..', 'sessions')

    it('loads without error', function () {
      if (!fs.existsSync(repoSessions)) this.skip()
      const sessions = loadSessions(repoSessions)
      expect(sessions.length).to.be.greaterThan(0)
      const client = sessions.find((s) => s.name === 'demo-client')
      if (client !== undefined) {
        expect(client).to.deep.include({ role: 'client', senderCompId: 'FIXGW', targetCompId: 'CLIENT1', host: '127.0.0.1', port: 9880, heartBtInt: 30 })
      }
      const broker = sessions.find((s) => s.name === 'demo-broker')
      if (broker !== undefined) {
        expect(broker).to.deep.include({ role: 'broker', senderCompId: 'FIXGW', targetCompId: 'SIMBROKER', host: '127.0.0.1', port: 9881, simulate: true })
      }
    })
  })
})
