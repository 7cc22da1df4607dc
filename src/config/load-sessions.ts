/**
 * Loads and validates the per-counterparty session files (format: see session-config.ts).
 *
 * Hand-written validation rather than a schema library: the rules are few, and every
 * failure must name the file and JSON path in words an operator can act on. The first
 * problem found is thrown as a ConfigError; a broken folder never half-loads.
 */
import * as fs from 'fs'
import * as path from 'path'
import { ConfigError } from './config-error'
import {
  BROKER_ONLY_FIELDS,
  BrokerSessionConfig,
  CLIENT_ONLY_FIELDS,
  ClientSessionConfig,
  COMMON_FIELDS,
  DEFAULT_HEARTBTINT_SECONDS,
  DEFAULT_RECONNECT,
  HostPort,
  ReconnectConfig,
  SESSION_NAME_MAX_LENGTH,
  SESSION_NAME_PATTERN,
  SessionConfig,
  SUPPORTED_BEGIN_STRING
} from './session-config'
import { parseDedupeRetentionDays, parseRiskConfig, parseSymbols } from './risk-config'
import { parseRouting } from './routing-config'
import { parseBounds } from './bounds-config'
import { parseSimulator } from './sim-config'
import { FIX_SESSION_FIELDS, parseFixSessionOptions } from './fix-session-config'

type JsonObject = Record<string, unknown>

const HOST_PORT_FIELDS: readonly string[] = ['host', 'port']
const RECONNECT_FIELDS: readonly string[] = ['initialDelayMs', 'maxDelayMs']
const MAX_DELAY_MS = 3_600_000
// Binding one of these takes the port on every interface, so it clashes with any host.
const WILDCARD_HOSTS: ReadonlySet<string> = new Set(['0.0.0.0', '::', '[::]'])

/**
 * Read every `*.json` file of `dir` (sorted by name), validate each and the set as a
 * whole. Throws ConfigError on the first problem.
 */
export function loadSessions (dir: string): SessionConfig[] {
  let entries: fs.Dirent[]
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true })
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT') throw new ConfigError(dir, '$', 'sessions folder does not exist')
    if (code === 'ENOTDIR') throw new ConfigError(dir, '$', 'is not a folder')
    throw new ConfigError(dir, '$', `cannot read folder: ${(e as Error).message}`)
  }
  const files: string[] = entries
    .filter((d: fs.Dirent) => d.isFile() && d.name.endsWith('.json') && !d.name.startsWith('.'))
    .map((d: fs.Dirent) => d.name)
    .sort() // code-unit order, so the result does not depend on the machine's locale
  if (files.length === 0) throw new ConfigError(dir, '$', 'no *.json session files found')

  const sessions: SessionConfig[] = files.map((name: string) => {
    const file = path.join(dir, name)
    return parseSessionConfig(readJsonFile(file), file)
  })
  checkAcrossFiles(sessions)
  return sessions
}

/** Validate one parsed JSON document; `file` is only used in error messages. */
export function parseSessionConfig (raw: unknown, file: string): SessionConfig {
  const v = new Validator(file)
  const obj = v.object(raw, '$')
  // Unknown fields first: a misspelt optional field would otherwise be silently ignored,
  // and a misspelt required one would be reported as "missing" with no hint.
  v.noUnknownFields(obj, [...COMMON_FIELDS, ...FIX_SESSION_FIELDS, ...CLIENT_ONLY_FIELDS, ...BROKER_ONLY_FIELDS], '')

  const role = v.required(obj, 'role')
  if (role !== 'client' && role !== 'broker') {
    v.fail('role', `must be "client" or "broker" (got ${show(role)})`)
  }
  const name = v.string(obj, 'name')
  if (name.length > SESSION_NAME_MAX_LENGTH) {
    v.fail('name', `must be at most ${SESSION_NAME_MAX_LENGTH} characters (got ${name.length})`)
  }
  if (!SESSION_NAME_PATTERN.test(name)) v.fail('name', `must match [A-Za-z0-9_.-]+ (got ${show(name)})`)

  const beginString = v.withDefault(obj, 'beginString', SUPPORTED_BEGIN_STRING)
  if (beginString !== SUPPORTED_BEGIN_STRING) {
    v.fail('beginString', `only "${SUPPORTED_BEGIN_STRING}" is supported (got ${show(beginString)})`)
  }

  const common = {
    name,
    enabled: v.boolean(obj, 'enabled', true),
    beginString: SUPPORTED_BEGIN_STRING,
    senderCompId: v.compId(obj, 'senderCompId'),
    targetCompId: v.compId(obj, 'targetCompId'),
    host: v.host(obj, 'host', 'host'),
    port: v.port(obj, 'port', 'port'),
    heartBtInt: v.integer(obj, 'heartBtInt', 'heartBtInt', 1, 3600, DEFAULT_HEARTBTINT_SECONDS),
    resetSeqNumOnLogon: v.boolean(obj, 'resetSeqNumOnLogon', false),
    fixSession: parseFixSessionOptions(obj, role as 'client' | 'broker', file, (field: string, problem: string): never => v.fail(field, problem)),
    source: file
  } as const

  if (role === 'client') {
    for (const key of BROKER_ONLY_FIELDS) {
      if (v.optional(obj, key) !== undefined) v.fail(key, 'only allowed when role is "broker"')
    }
    const fail = (field: string, problem: string): never => v.fail(field, problem)
    const client: ClientSessionConfig = { ...common, role: 'client', risk: parseRiskConfig(v.optional(obj, 'risk'), fail), symbols: parseSymbols(v.optional(obj, 'symbols'), fail), dedupeRetentionDays: parseDedupeRetentionDays(v.optional(obj, 'dedupeRetentionDays'), fail), bounds: parseBounds(v.optional(obj, 'bounds'), fail) }
    return Object.freeze(client)
  }

  for (const key of CLIENT_ONLY_FIELDS) {
    if (v.optional(obj, key) !== undefined) v.fail(key, 'only allowed when role is "client"')
  }
  const broker: BrokerSessionConfig = {
    ...common,
    role: 'broker',
    backupHosts: v.backupHosts(obj),
    reconnect: v.reconnect(obj),
    simulate: v.boolean(obj, 'simulate', false),
    simulator: parseSimulator(v.optional(obj, 'simulator'), v.boolean(obj, 'simulate', false), (field: string, problem: string): never => v.fail(field, problem)),
    routing: parseRouting(obj, (field: string, problem: string): never => v.fail(field, problem))
  }
  if (broker.simulate && broker.fixSession.tls != null) v.fail('tls', 'not available with "simulate": true (the simulated broker does not speak TLS)')
  return Object.freeze(broker)
}

// ---------------------------------------------------------------------------------------

function readJsonFile (file: string): unknown {
  let text: string
  try {
    text = fs.readFileSync(file, 'utf8')
  } catch (e) {
    throw new ConfigError(file, '$', `cannot read file: ${(e as Error).message}`)
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1) // editors on Windows add a BOM
  try {
    return JSON.parse(text)
  } catch (e) {
    throw new ConfigError(file, '$', describeJsonError(text, (e as Error).message))
  }
}

/**
 * Node 20's JSON.parse only sometimes says where it failed ("Unexpected token '}', ...
 * is not valid JSON" has no position), so on failure a small scanner finds the offset.
 */
function describeJsonError (text: string, fallback: string): string {
  const offset = jsonErrorOffset(text)
  if (offset < 0) return `invalid JSON: ${fallback}`
  const before = text.slice(0, offset)
  const line = before.split('\n').length
  const column = offset - before.lastIndexOf('\n')
  const what = offset >= text.length ? 'unexpected end of input' : `unexpected ${JSON.stringify(text[offset])}`
  return `invalid JSON at line ${line}, column ${column}: ${what}`
}

/** Offset of the first JSON syntax error in `text`, or -1 if it finds none. */
function jsonErrorOffset (text: string): number {
  let i = 0
  const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++ }
  const expect = (ch: string): void => { if (text[i] !== ch) throw i; i++ }
  const str = (): void => {
    expect('"')
    while (i < text.length) {
      const c = text[i]
      if (c === '"') { i++; return }
      if (c.charCodeAt(0) < 0x20) throw i
      if (c === '\\') {
        const n = text[i + 1]
        if (n === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) i += 6
        else if (n !== undefined && '"\\/bfnrt'.includes(n)) i += 2
        else throw i + 1
      } else i++
    }
    throw i
  }
  const value = (): void => {
    ws()
    const c = text[i]
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']'
      i++; ws()
      if (text[i] === close) { i++; return }
      for (;;) {
        if (c === '{') { ws(); str(); ws(); expect(':') }
        value(); ws()
        if (text[i] === ',') { i++; continue }
        expect(close); return
      }
    }
    if (c === '"') return str()
    NUMBER.lastIndex = i
    if (NUMBER.test(text)) { i = NUMBER.lastIndex; return }
    for (const word of ['true', 'false', 'null']) {
      if (c === word[0]) {
        for (const ch of word) expect(ch)
        return
      }
    }
    throw i
  }
  try {
    value(); ws()
    return i < text.length ? i : -1
  } catch (at) {
    return typeof at === 'number' ? at : -1 // a RangeError from absurd nesting: give up
  }
}

/** Checks one file; every failure becomes a ConfigError naming the file and the path. */
class Validator {
  constructor (private readonly file: string) {}

  fail (field: string, problem: string): never {
    throw new ConfigError(this.file, field, problem)
  }

  object (value: unknown, field: string): JsonObject {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(field, field === '$' ? `must be a JSON object (got ${typeName(value)})` : `must be an object (got ${typeName(value)})`)
    }
    return value as JsonObject
  }

  noUnknownFields (obj: JsonObject, known: readonly string[], prefix: string): void {
    for (const key of Object.keys(obj)) {
      if (known.includes(key)) continue
      const guess = closest(key, known)
      this.fail(prefix + key, guess === null ? 'unknown field' : `unknown field; did you mean "${guess}"?`)
    }
  }

  optional (obj: JsonObject, key: string): unknown {
    return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined
  }

  /** Absent means default; an explicit null is kept, so it is reported as a wrong type. */
  withDefault (obj: JsonObject, key: string, fallback: unknown): unknown {
    const value = this.optional(obj, key)
    return value === undefined ? fallback : value
  }

  required (obj: JsonObject, key: string, field: string = key): unknown {
    const value = this.optional(obj, key)
    if (value === undefined) this.fail(field, 'is required')
    return value
  }

  string (obj: JsonObject, key: string, field: string = key): string {
    const value = this.required(obj, key, field)
    if (typeof value !== 'string') this.fail(field, `must be a string (got ${typeName(value)})`)
    if (value === '') this.fail(field, 'must not be empty')
    return value
  }

  compId (obj: JsonObject, key: string): string {
    const value = this.string(obj, key)
    if (value.trim() !== value) this.fail(key, 'must not start or end with whitespace')
    // The byte rule for identifiers (src/fix/session/validate/value-bytes.ts): a CompID
    // outside printable ASCII would make the counterparty's every message a Reject.
    if (/[^\x20-\x7e]/.test(value)) this.fail(key, 'must be printable ASCII (0x20-0x7E), like every FIX identifier')
    return value
  }

  host (obj: JsonObject, key: string, field: string): string {
    const value = this.string(obj, key, field)
    if (/\s/.test(value)) this.fail(field, 'must not contain whitespace')
    return value
  }

  port (obj: JsonObject, key: string, field: string): number {
    return this.integer(obj, key, field, 1, 65535, undefined)
  }

  /** `fallback` undefined means the field is required. */
  integer (obj: JsonObject, key: string, field: string, min: number, max: number, fallback: number | undefined): number {
    const value = fallback === undefined ? this.required(obj, key, field) : this.withDefault(obj, key, fallback)
    if (typeof value !== 'number' || !Number.isInteger(value)) {
      this.fail(field, `must be an integer (got ${typeof value === 'number' ? String(value) : typeName(value)})`)
    }
    if (value < min || value > max) this.fail(field, `must be between ${min} and ${max} (got ${value})`)
    return value
  }

  boolean (obj: JsonObject, key: string, fallback: boolean): boolean {
    const value = this.withDefault(obj, key, fallback)
    if (typeof value !== 'boolean') this.fail(key, `must be true or false (got ${typeName(value)})`)
    return value
  }

  backupHosts (obj: JsonObject): readonly HostPort[] {
    const value = this.withDefault(obj, 'backupHosts', [])
    if (!Array.isArray(value)) this.fail('backupHosts', `must be an array (got ${typeName(value)})`)
    return Object.freeze(value.map((item: unknown, i: number): HostPort => {
      const at = `backupHosts[${i}]`
      const entry = this.object(item, at)
      this.noUnknownFields(entry, HOST_PORT_FIELDS, `${at}.`)
      return Object.freeze({ host: this.host(entry, 'host', `${at}.host`), port: this.port(entry, 'port', `${at}.port`) })
    }))
  }

  reconnect (obj: JsonObject): ReconnectConfig {
    const value = this.withDefault(obj, 'reconnect', {})
    const entry = this.object(value, 'reconnect')
    this.noUnknownFields(entry, RECONNECT_FIELDS, 'reconnect.')
    const initialDelayMs = this.integer(entry, 'initialDelayMs', 'reconnect.initialDelayMs', 1, MAX_DELAY_MS, DEFAULT_RECONNECT.initialDelayMs)
    const maxDelayMs = this.integer(entry, 'maxDelayMs', 'reconnect.maxDelayMs', 1, MAX_DELAY_MS, DEFAULT_RECONNECT.maxDelayMs)
    if (maxDelayMs < initialDelayMs) {
      this.fail('reconnect.maxDelayMs', `must not be less than reconnect.initialDelayMs (${initialDelayMs})`)
    }
    return Object.freeze({ initialDelayMs, maxDelayMs })
  }
}

/** Rules that involve more than one file. Names: all files; the rest: enabled sessions only. */
function checkAcrossFiles (sessions: readonly SessionConfig[]): void {
  const byName = new Map<string, SessionConfig>()
  const byPair = new Map<string, SessionConfig>()
  const listeners: SessionConfig[] = []
  for (const s of sessions) {
    const sameName = byName.get(s.name)
    if (sameName !== undefined) throw new ConfigError(s.source, 'name', `"${s.name}" is already used in ${sameName.source}`)
    byName.set(s.name, s)
    if (!s.enabled) continue // a disabled copy is a common way to keep an old setup around

    const pair = `${s.senderCompId}->${s.targetCompId}`
    const samePair = byPair.get(pair)
    if (samePair !== undefined) {
      throw new ConfigError(s.source, 'targetCompId', `${pair} is already used by session "${samePair.name}" (${samePair.source})`)
    }
    byPair.set(pair, s)

    // A simulated broker listens on its host:port inside our process, like a client session.
    const listens = s.role === 'client' || s.simulate
    if (!listens) continue
    const clash = listeners.find((o: SessionConfig) => o.port === s.port && sameInterface(o.host, s.host))
    if (clash !== undefined) {
      throw new ConfigError(s.source, 'port', `${s.host}:${s.port} is already used by session "${clash.name}" (${clash.source})`)
    }
    listeners.push(s)
  }
}

function sameInterface (a: string, b: string): boolean {
  const x = a.toLowerCase()
  const y = b.toLowerCase()
  return x === y || WILDCARD_HOSTS.has(x) || WILDCARD_HOSTS.has(y)
}

function typeName (value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'array'
  return typeof value
}

function show (value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : typeName(value)
}

/** The known field `key` was most likely meant to be, or null if none is close. */
function closest (key: string, known: readonly string[]): string | null {
  const norm = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '')
  const k = norm(key)
  let best: string | null = null
  let bestDistance = Math.min(3, Math.max(1, Math.floor(k.length / 4))) + 1
  for (const candidate of known) {
    const d = editDistance(k, norm(candidate))
    if (d < bestDistance) {
      best = candidate
      bestDistance = d
    }
  }
  return best
}

/** Levenshtein distance counting an adjacent swap as one edit ("hots" -> "host"). */
function editDistance (a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_: unknown, i: number) =>
    Array.from({ length: b.length + 1 }, (__: unknown, j: number) => (i === 0 ? j : j === 0 ? i : 0)))
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1)
      }
    }
  }
  return d[a.length][b.length]
}
