/**
 * The shape of the code, checked: a reader should know from a file's path what it may
 * touch. src/domain is pure (decimal.js only); src/oms decides and reaches the world
 * only through its ports (no FIX, Postgres, CLI or wiring code, no I/O package; the
 * pino Logger type is the one exception). Issue 11, item 6.
 * Reads the sources (not dist), so it also holds for type-only imports.
 */
import { expect } from 'chai'
import * as fs from 'node:fs'
import * as path from 'node:path'

const ROOT = path.resolve(__dirname, '..', '..', '..')
const SRC = path.join(ROOT, 'src')

function sources (dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? sources(p) : e.name.endsWith('.ts') ? [p] : []
  })
}

interface Import { readonly spec: string, readonly local: boolean }

/** Every module a file imports or re-exports: a package name, or (local) a path relative to src. */
function importsOf (file: string): Import[] {
  const text = fs.readFileSync(file, 'utf8')
  const out: Import[] = []
  const re = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+'([^']+)'|(?:^|\n)\s*import\s+'([^']+)'|\brequire\('([^']+)'\)|\bimport\('([^']+)'\)/g
  for (let m = re.exec(text); m != null; m = re.exec(text)) {
    const spec = m[1] ?? m[2] ?? m[3] ?? m[4]
    const local = spec.startsWith('.')
    out.push({ spec: local ? path.relative(SRC, path.resolve(path.dirname(file), spec)) : spec, local })
  }
  return out
}

/** src/<layer>/...; '..' when a relative import leaves src */
const layerOf = (i: Import): string | null => i.local ? i.spec.split(path.sep)[0] : null

describe('layering of src', () => {
  it('src/domain imports nothing but itself and decimal.js', () => {
    const bad: string[] = []
    for (const f of sources(path.join(SRC, 'domain'))) {
      for (const i of importsOf(f)) {
        const ok = i.spec === 'decimal.js' || layerOf(i) === 'domain'
        if (!ok) bad.push(`${path.relative(ROOT, f)} imports ${i.spec}`)
      }
    }
    expect(bad).to.deep.equal([])
  })

  it('src/oms imports only the domain, itself, decimal.js and the Logger type: no adapter', () => {
    const bad: string[] = []
    for (const f of sources(path.join(SRC, 'oms'))) {
      for (const i of importsOf(f)) {
        const ok = i.spec === 'decimal.js' || i.spec === 'pino' || ['domain', 'oms'].includes(layerOf(i) ?? '')
        if (!ok) bad.push(`${path.relative(ROOT, f)} imports ${i.spec}`)
      }
    }
    expect(bad).to.deep.equal([])
  })

  it('the check sees real imports (a file of each layer has some)', () => {
    expect(importsOf(path.join(SRC, 'domain', 'order-apply.ts')).length).to.be.greaterThan(0)
    expect(importsOf(path.join(SRC, 'oms', 'engine', 'engine.ts')).map((i) => i.spec)).to.include('pino')
    expect(importsOf(path.join(SRC, 'app', 'gateway.ts')).some((i) => layerOf(i) === 'fix')).to.equal(true)
  })
})
