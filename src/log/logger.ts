/**
 * Process-wide structured logging: pino, one JSON object per line.
 *
 * Secrets are scrubbed in two complementary places:
 *  - by key, with pino's own `redact` (REDACT_PATHS): `password`, `Password`, `newPassword`,
 *    `NewPassword` and the FIX tags 554 (Password) / 925 (NewPassword) as keys of parsed
 *    messages, at the top level and up to two objects deep (`*.password`, `*.*.554`). pino
 *    applies these to child bindings too, and never mutates the caller's object.
 *  - by pattern, on the finished JSON line (`hooks.streamWrite`): the password of any
 *    `scheme://user:password@` URL and the value of `554=` / `925=` in raw FIX text, wherever
 *    they appear - message, nested value, child binding or error stack. Working on the final
 *    line is the only place that sees all of those; a line without "://" or "554=" /
 *    "925=" costs three substring searches.
 */
import { Writable } from 'stream'
import pino from 'pino'
import pinoPretty from 'pino-pretty'

export type { Logger } from 'pino'

export interface CreateLoggerOptions {
  /** pino level name or 'silent'; default: env LOG_LEVEL, else 'info' */
  level?: string
  /** human-readable output via pino-pretty; default: stdout is a TTY */
  pretty?: boolean
  /** becomes the `name` field of every line */
  name?: string
  /** where lines go (tests pass an in-memory stream); default: stdout */
  destination?: pino.DestinationStream
}

/** What a scrubbed value is replaced with. */
export const REDACTED = '***'

const SECRET_KEYS: readonly string[] = ['password', 'Password', 'newPassword', 'NewPassword', '["554"]', '["925"]']

/** pino redact paths: every secret key at depth 0, 1 and 2. */
export const REDACT_PATHS: readonly string[] = SECRET_KEYS.flatMap((key: string) => {
  const sep = key.startsWith('[') ? '' : '.' // bracket syntax attaches without a dot: *["554"]
  return [key, `*${sep}${key}`, `*.*${sep}${key}`]
})

// scheme://user:password@ - the user may be empty (redis://:secret@host). Quote and
// backslash are excluded so a match can never run across a JSON string boundary.
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^\s"\\:/@]*:)[^\s"\\@/]+@/gi
// In JSON text SOH is written as \u0001; the engine's own log format uses '|'.
const FIX_SECRET_FIELD = /(\\u0001|\||")(554|925)=[^"\\|]*/g

/** Replace the password in every `scheme://user:password@` occurrence in `text`. */
export function redactUrl (text: string): string {
  if (!text.includes('://')) return text
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}@`)
}

/** The streamWrite hook: pattern-scrub one serialized JSON log line. */
export function redactLogLine (line: string): string {
  let out = redactUrl(line)
  if (out.includes('554=') || out.includes('925=')) {
    out = out.replace(FIX_SECRET_FIELD, `$1$2=${REDACTED}`)
  }
  return out
}

function resolveLevel (requested: string | undefined): string {
  const level = (requested ?? process.env.LOG_LEVEL ?? 'info').trim().toLowerCase()
  // pino's own error for a bad level is terse; a LOG_LEVEL typo deserves a clear one.
  if (level !== 'silent' && !(level in pino.levels.values)) {
    const known = [...Object.keys(pino.levels.values), 'silent'].join(', ')
    throw new Error(`unknown log level "${level}"; expected one of ${known}`)
  }
  return level
}

/** pino accepts any `{ write }`, but pino-pretty pipes into its destination, which needs `.on`. */
function asNodeStream (dest: pino.DestinationStream): NodeJS.WritableStream {
  if (typeof (dest as Partial<NodeJS.WritableStream>).on === 'function') return dest as unknown as NodeJS.WritableStream
  return new Writable({
    write (chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
      dest.write(chunk.toString())
      done()
    }
  })
}

/** Create the root logger; everything else should use `.child({...})` of it. */
export function createLogger (opts: CreateLoggerOptions = {}): pino.Logger {
  const pretty: boolean = opts.pretty ?? process.stdout.isTTY === true
  const options: pino.LoggerOptions = {
    level: resolveLevel(opts.level),
    // ISO time rather than epoch ms: people read these files, and it sorts the same.
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: [...REDACT_PATHS], censor: REDACTED },
    hooks: { streamWrite: redactLogLine }
  }
  if (opts.name !== undefined) options.name = opts.name

  // pino-pretty as an in-process stream rather than a worker transport: pretty mode is
  // for interactive use, and a synchronous stream loses nothing when the CLI exits right
  // after logging an error. It receives the already-redacted JSON line.
  if (pretty) {
    const stream = pinoPretty({
      colorize: opts.destination === undefined && process.stdout.isTTY === true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname',
      destination: opts.destination === undefined ? 1 : asNodeStream(opts.destination),
      sync: true
    })
    return pino(options, stream)
  }
  return opts.destination !== undefined ? pino(options, opts.destination) : pino(options)
}
