/**
 * Where a CPU profile's time went: `node dist/bench/profile-summary.js <file.cpuprofile> [--top N]`.
 *
 * Reads a V8 .cpuprofile (as written by `node --cpu-prof`, e.g. the gateway's under
 * `npm run bench -- --cpu-prof`) and prints self time by area (our source folders,
 * each dependency, Node internals, GC, idle) and the top functions by self time.
 * Areas are what the bench README's profile table reports.
 */
import * as fs from 'node:fs'
import { Command } from 'commander'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  startTime: number
  endTime: number
  samples: number[]
  timeDeltas: number[]
}

/** The area a function belongs to, from its script URL. */
export function areaOf (functionName: string, url: string): string {
  if (url === '') {
    if (functionName === '(garbage collector)') return 'GC'
    if (functionName === '(idle)') return 'idle'
    if (functionName === '(program)') return 'V8 / native (program)'
    return `native: ${functionName}`
  }
  const nm = url.lastIndexOf('/node_modules/')
  if (nm >= 0) {
    const rest = url.slice(nm + '/node_modules/'.length).split('/')
    return `dependency: ${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`
  }
  if (url.startsWith('node:')) return 'Node internals'
  const m = /\/dist\/(src\/[^/]+(?:\/[^/]+)?)\//.exec(url)
  if (m != null) return m[1]
  const f = /\/dist\/(src\/[^/]+)$/.exec(url)
  return f != null ? f[1] : url
}

export function summarize (p: CpuProfile): { totalMs: number, areas: Array<[string, number]>, functions: Array<[string, number]> } {
  const byId = new Map<number, ProfileNode>()
  for (const n of p.nodes) byId.set(n.id, n)
  const self = new Map<number, number>()
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0))
  const areas = new Map<string, number>()
  const functions = new Map<string, number>()
  let total = 0
  for (const [id, us] of self) {
    const n = byId.get(id)
    if (n == null) continue
    const { functionName, url, lineNumber } = n.callFrame
    total += us
    const area = areaOf(functionName, url)
    areas.set(area, (areas.get(area) ?? 0) + us)
    const short = url === '' ? '' : ` ${url.replace(/^.*\/(node_modules|dist)\//, '')}:${lineNumber + 1}`
    const key = `${functionName === '' ? '(anonymous)' : functionName}${short}`
    functions.set(key, (functions.get(key) ?? 0) + us)
  }
  const sorted = (m: Map<string, number>): Array<[string, number]> => [...m.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, v / 1000])
  return { totalMs: total / 1000, areas: sorted(areas), functions: sorted(functions) }
}

function main (): void {
  const program = new Command('profile-summary')
    .description('self time of a .cpuprofile by area and by function')
    .argument('<file>', 'a .cpuprofile written by node --cpu-prof')
    .option('--top <n>', 'functions to list', '25')
    .action((file: string, o: { top: string }) => {
      const s = summarize(JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile)
      const busy = s.totalMs - (s.areas.find(([a]) => a === 'idle')?.[1] ?? 0)
      const pct = (ms: number): string => `${(100 * ms / s.totalMs).toFixed(1)} %`
      console.log(`profile: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(busy / 1000).toFixed(1)} s busy (${pct(busy)})\n`)
      console.log('| area | self ms | share |\n|---|---|---|')
      for (const [a, ms] of s.areas) if (ms / s.totalMs >= 0.002) console.log(`| ${a} | ${ms.toFixed(0)} | ${pct(ms)} |`)
      console.log(`\n| top ${o.top} functions (self) | self ms | share |\n|---|---|---|`)
      for (const [f, ms] of s.functions.slice(0, Number(o.top))) console.log(`| \`${f}\` | ${ms.toFixed(0)} | ${pct(ms)} |`)
    })
  program.parse()
}

if (require.main === module) main()
