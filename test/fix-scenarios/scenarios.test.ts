/**
 * Replays every test/fix-scenarios/*.scenario file against a real gateway on real
 * Postgres: one fresh database and gateway per file.
 */
import * as fs from 'node:fs'
import * as path from 'node:path'
import { parseScenario } from '../support/scenario/parse'
import { ScenarioRun } from '../support/scenario/run'
import { startHarness } from '../support/gateway-harness'

// Compiled to dist/test/fix-scenarios; the scripts stay in the source tree.
const DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fix-scenarios')
const files = fs.readdirSync(DIR).filter((f) => f.endsWith('.scenario')).sort()

describe('recorded FIX scenarios (test/fix-scenarios)', function () {
  this.timeout(30000)
  it('has scenario files to replay', () => {
    if (files.length === 0) throw new Error(`no .scenario files in ${DIR}`)
  })
  for (const file of files) {
    const scenario = parseScenario(fs.readFileSync(path.join(DIR, file), 'utf8'), file)
    it(`${file}: ${scenario.title}`, async () => {
      const h = await startHarness({
        broker: 'scripted',
        clientConfig: scenario.config,
        brokerConfig: scenario.brokerConfig,
        broker2Config: scenario.broker2Config ?? undefined,
        broker2Down: scenario.broker2Down,
        secondClient: scenario.secondClient
      })
      try {
        await new ScenarioRun(scenario, h).run()
      } finally {
        await h.stop()
      }
    })
  }
})
