import { expect } from 'chai'
import { redactUrl } from '../../../src/db/database'

describe('db/database redactUrl', () => {
  const cases: Array<[string, string]> = [
    ['postgres://fixgw:s3cret@db.example:5432/fixgw?sslmode=require', 'postgres://fixgw:***@db.example:5432/fixgw?sslmode=require'],
    ['postgresql://u:p%40ss@h/db', 'postgresql://u:***@h/db'],
    ['postgres://u:p@ss@h/db', 'postgres://u:***@h/db'],
    ['postgres://h:5432/db?password=abc&application_name=x', 'postgres://h:5432/db?password=***&application_name=x'],
    ['postgres://postgres@127.0.0.1:5433/fixgw', 'postgres://postgres@127.0.0.1:5433/fixgw'],
    // not a parseable URL: masked by pattern
    ['postgres://u:pa/ss@h/db', 'postgres://u:***@h/db'],
    ['host=db user=u password=secret dbname=x', 'host=db user=u password=*** dbname=x']
  ]
  for (const [input, expected] of cases) {
    it(`${input} -> ${expected}`, () => {
      expect(redactUrl(input)).to.equal(expected)
    })
  }
})
