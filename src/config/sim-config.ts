/**
 * `simulator` in a broker session file with `"simulate": true`: how our simulated broker
 * behaves (see src/fix/sim/sim-broker.ts). Every field is optional.
 *
 * ```jsonc
 * "simulate": true,
 * "simulator": { "fills": 3, "fillDelayMs": 200, "ackDelayMs": 20, "marketPrice": "100",
 *                "rejectSymbols": ["REJ"], "unsolicitedCancelAfterMs": 5000, "doneForDayAfterMs": 60000,
 *                "bustLastFill": false, "correctLastFill": false, "duplicateReports": false, "refuseCancels": false }
 * ```
 */
export interface SimulatorConfig {
  readonly ackDelayMs?: number
  readonly fills?: number
  readonly fillDelayMs?: number
  readonly marketPrice?: string
  readonly rejectSymbols?: readonly string[]
  readonly unsolicitedCancelAfterMs?: number | null
  readonly doneForDayAfterMs?: number | null
  readonly bustLastFill?: boolean
  readonly correctLastFill?: boolean
  readonly duplicateReports?: boolean
  readonly refuseCancels?: boolean
}

type Fail = (field: string, problem: string) => never

const COUNTS = ['ackDelayMs', 'fills', 'fillDelayMs', 'unsolicitedCancelAfterMs', 'doneForDayAfterMs'] as const
const FLAGS = ['bustLastFill', 'correctLastFill', 'duplicateReports', 'refuseCancels'] as const
const FIELDS = [...COUNTS, ...FLAGS, 'marketPrice', 'rejectSymbols']

export function parseSimulator (raw: unknown, simulate: boolean, fail: Fail): SimulatorConfig {
  if (raw === undefined) return {}
  if (!simulate) fail('simulator', 'only allowed with "simulate": true')
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) fail('simulator', 'must be an object')
  const o = raw as Record<string, unknown>
  const out: Record<string, unknown> = {}
  for (const [k, v] of Object.entries(o)) {
    const at = `simulator.${k}`
    if (!FIELDS.includes(k)) fail(at, `unknown field (known: ${FIELDS.join(', ')})`)
    if ((COUNTS as readonly string[]).includes(k)) {
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 86_400_000) fail(at, `must be a whole number from 0 (got ${JSON.stringify(v)})`)
    } else if ((FLAGS as readonly string[]).includes(k)) {
      if (typeof v !== 'boolean') fail(at, 'must be true or false')
    } else if (k === 'marketPrice') {
      if (typeof v !== 'string' || !/^\d+(\.\d+)?$/.test(v) || Number(v) === 0) fail(at, 'must be a positive decimal string such as "100"')
    } else if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x === '')) {
      fail(at, 'must be an array of symbols')
    }
    out[k] = v
  }
  return Object.freeze(out) as SimulatorConfig
}
