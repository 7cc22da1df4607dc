/**
 * The recorded-session scenario format (test/fix-scenarios/*.scenario).
 *
 *   title: A limit order is acknowledged and filled
 *   # comments start with #
 *   client -> gw   D   11=ORD1 55=AAPL 54=1 60=<now> 38=100 40=2 44=187.5
 *   gw -> broker   D   11=$brokerClOrdId 55=AAPL 38=100
 *   broker -> gw   8   37=B1 11=$brokerClOrdId 17=X1 150=0 39=0 55=AAPL 54=1 151=100 14=0 6=0
 *   gw -> client   8   37=$orderId 11=ORD1 17=* 150=0 39=0
 *   expect db: select state, cum_qty from orders where order_id = '$orderId'
 *     Filled | 100
 *
 * A step is `<from> -> <to> <MsgType> <tag=value>...` between the scripted client, the
 * gateway (gw) and the scripted broker. `client -> gw` and `broker -> gw` send; `gw ->
 * client` and `gw -> broker` expect the next application message the gateway sends
 * there. An expectation lists the tags that matter (others are not compared):
 *   tag=value   exact value          tag=*        present, any value
 *   tag=$name   binds the value the first time, must equal it afterwards
 *   tag=~       must be absent
 * Values may use `$name` of an earlier binding and `<now>` (a UTC timestamp). Values
 * with spaces are written in double quotes: 58="not enough cash". `\xNN` in a value is
 * the raw byte NN (hostile input: 11=X-\xc3\xa9). The gateway's session-level Rejects
 * (`gw -> client 3 373=6 371=11`) are expected like application messages.
 * `expect db:` runs a query after the steps so far and compares the rows that follow
 * (indented, `|`-separated; `(none)` for no rows). `wait: 200` pauses (ms).
 * `exec db: <sql>` changes the database between steps (e.g. turn a kill switch on).
 * Parties: client, client2 (a second client session), broker, broker2 (a second broker,
 * enabled by a `broker2-config: {json}` line; `broker2: down` keeps it offline until a
 * `start: broker2` step). `broker-config: {json}` is merged into broker1's session file.
 * `restart: gw` stops the gateway cleanly and starts it again on the same database.
 * `config: {json}` lines are merged over the client session's sessions/*.json fields
 * (risk limits, symbol list...).
 * At the end, no further application message may be waiting at client or broker.
 */

export type Party = 'client' | 'client2' | 'broker' | 'broker2'

export type FieldSpec = readonly [tag: number, value: string]

export type Step =
  | { readonly kind: 'send', readonly line: number, readonly from: Party, readonly msgType: string, readonly fields: readonly FieldSpec[] }
  | { readonly kind: 'expect', readonly line: number, readonly to: Party, readonly msgType: string, readonly fields: readonly FieldSpec[] }
  | { readonly kind: 'db', readonly line: number, readonly sql: string, readonly rows: ReadonlyArray<readonly string[]> }
  | { readonly kind: 'wait', readonly line: number, readonly ms: number }
  | { readonly kind: 'exec', readonly line: number, readonly sql: string }
  | { readonly kind: 'control', readonly line: number, readonly action: 'restart gw' | 'start broker2' }

export interface Scenario {
  readonly file: string
  readonly title: string
  readonly config: Record<string, unknown>
  readonly brokerConfig: Record<string, unknown>
  /** present when the scenario uses a second broker */
  readonly broker2Config: Record<string, unknown> | null
  readonly broker2Down: boolean
  readonly secondClient: boolean
  readonly steps: readonly Step[]
}

export class ScenarioSyntaxError extends Error {
  constructor (file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`)
  }
}

const STEP_RE = /^(client2|client|broker2|broker|gw)\s*->\s*(client2|client|broker2|broker|gw)\s+(\S+)\s*(.*)$/

/** `\xNN` → the byte NN, one char per byte (latin1), as the wire carries it. */
const rawBytes = (v: string): string => v.replace(/\\x([0-9a-fA-F]{2})/g, (_all, hex: string) => String.fromCharCode(parseInt(hex, 16)))

/** Split `a=1 b="x y" c=*` into fields, honouring double quotes. */
export function parseFields (text: string, file: string, line: number): FieldSpec[] {
  const out: FieldSpec[] = []
  const re = /(\d+)=("([^"]*)"|\S*)/y
  let i = 0
  while (i < text.length) {
    if (text[i] === ' ' || text[i] === '\t') { i++; continue }
    re.lastIndex = i
    const m = re.exec(text)
    if (m == null) throw new ScenarioSyntaxError(file, line, `expected tag=value at "${text.slice(i, i + 20)}"`)
    out.push([Number(m[1]), rawBytes(m[3] ?? m[2])])
    i = re.lastIndex
  }
  return out
}

export function parseScenario (text: string, file: string): Scenario {
  const lines = text.split(/\r?\n/)
  let title = ''
  let config: Record<string, unknown> = {}
  let brokerConfig: Record<string, unknown> = {}
  let broker2Config: Record<string, unknown> | null = null
  let broker2Down = false
  const steps: Step[] = []
  const json = (text: string, lineNo: number): Record<string, unknown> => {
    try {
      return JSON.parse(text) as Record<string, unknown>
    } catch (e) {
      throw new ScenarioSyntaxError(file, lineNo, `not JSON: ${(e as Error).message}`)
    }
  }
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n]
    const line = raw.trim()
    const lineNo = n + 1
    if (line === '' || line.startsWith('#')) continue
    if (line.startsWith('title:')) { title = line.slice(6).trim(); continue }
    if (line.startsWith('config:')) {
      try {
        config = { ...config, ...JSON.parse(line.slice(7)) as Record<string, unknown> }
      } catch (e) {
        throw new ScenarioSyntaxError(file, lineNo, `config is not JSON: ${(e as Error).message}`)
      }
      continue
    }
    if (line.startsWith('broker-config:')) { brokerConfig = { ...brokerConfig, ...json(line.slice(14), lineNo) }; continue }
    if (line.startsWith('broker2-config:')) { broker2Config = { ...(broker2Config ?? {}), ...json(line.slice(15), lineNo) }; continue }
    if (line === 'broker2: down') { broker2Down = true; continue }
    if (line === 'restart: gw' || line === 'start: broker2') {
      steps.push({ kind: 'control', line: lineNo, action: line === 'restart: gw' ? 'restart gw' : 'start broker2' })
      continue
    }
    if (line.startsWith('wait:')) {
      const ms = Number(line.slice(5).trim())
      if (!Number.isInteger(ms) || ms < 0) throw new ScenarioSyntaxError(file, lineNo, 'wait needs milliseconds')
      steps.push({ kind: 'wait', line: lineNo, ms })
      continue
    }
    if (line.startsWith('exec db:')) {
      steps.push({ kind: 'exec', line: lineNo, sql: line.slice(8).trim() })
      continue
    }
    if (line.startsWith('expect db:')) {
      const sql = line.slice(10).trim()
      const rows: string[][] = []
      while (n + 1 < lines.length && /^\s+\S/.test(lines[n + 1]) && !STEP_RE.test(lines[n + 1].trim())) {
        n++
        const r = lines[n].trim()
        if (r === '(none)') continue
        rows.push(r.split('|').map((c) => c.trim()))
      }
      steps.push({ kind: 'db', line: lineNo, sql, rows })
      continue
    }
    const m = STEP_RE.exec(line)
    if (m == null) throw new ScenarioSyntaxError(file, lineNo, `not a step: ${line}`)
    const [, from, to, msgType, rest] = m
    const fields = parseFields(rest, file, lineNo)
    if (to === 'gw' && from !== 'gw') steps.push({ kind: 'send', line: lineNo, from: from as Party, msgType, fields })
    else if (from === 'gw' && to !== 'gw') steps.push({ kind: 'expect', line: lineNo, to: to as Party, msgType, fields })
    else throw new ScenarioSyntaxError(file, lineNo, 'a step goes between gw and client or broker')
  }
  if (title === '') throw new ScenarioSyntaxError(file, 1, 'missing "title:" line')
  const secondClient = steps.some((st) => (st.kind === 'send' && st.from === 'client2') || (st.kind === 'expect' && st.to === 'client2'))
  if (broker2Config == null && steps.some((st) => (st.kind === 'send' && st.from === 'broker2') || (st.kind === 'expect' && st.to === 'broker2'))) {
    throw new ScenarioSyntaxError(file, 1, 'broker2 steps need a "broker2-config:" line')
  }
  return { file, title, config, brokerConfig, broker2Config, broker2Down, secondClient, steps }
}
