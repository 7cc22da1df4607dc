/**
 * Routes jspurefix's logging into our pino logger instead of its default winston console.
 *
 * jspurefix's contract (node_modules/jspurefix/src/config):
 *  - `abstract class JsFixLoggerFactory { logger(type, context?); plain(fileName, maxSize?) }`
 *    is what `IJsFixConfig.logFactory`, `SessionLauncher`'s 3rd constructor argument and
 *    `SessionContainer.registerGlobal()` take;
 *  - `IJsFixLogger` has exactly four methods: info(msg, fields?), warning(msg, fields?),
 *    debug(msg, fields?) and error(e: Error, fields?) - there is no `warn`, and `error`
 *    takes the Error itself, not a message.
 *  - `type` is a display name such as 'me:peer:FixSession'; `context` is bound per logger
 *    and always carries its own `component` (e.g. 'FixSession'), plus app/peer/role/store.
 *
 * Every line gets `component: 'jspurefix'`; jspurefix's own type and context go under one
 * nested `fix` object so its `component`/`role` cannot collide with ours (our session layer
 * binds its own `role: 'client' | 'broker'`). Per-call fields go under `fixFields`.
 *
 * Level mapping, by default: info -> debug (jspurefix reports a state change on every
 * message at info), debug -> trace, warning -> warn, error -> error.
 *
 * Imported by deep path on purpose: the package root pulls in the whole engine and throws
 * unless 'reflect-metadata' was loaded first, which a logging module should not require.
 */
import type pino from 'pino'
import { JsFixLoggerFactory } from 'jspurefix/dist/config/js-fix-logger-factory'
import type { IJsFixLogger, JsFixLogFields } from 'jspurefix/dist/config/js-fix-logger'

/** A pino level name, or 'silent' to drop that jspurefix level entirely. */
export type MappedLevel = pino.LevelWithSilent

export interface JsFixLevelMap {
  info: MappedLevel
  debug: MappedLevel
  warning: MappedLevel
  error: MappedLevel
  /** level for `plain()` loggers (jspurefix's raw FIX message text log) */
  plain: MappedLevel
}

export const DEFAULT_JSFIX_LEVELS: Readonly<JsFixLevelMap> = Object.freeze({
  info: 'debug',
  debug: 'trace',
  warning: 'warn',
  error: 'error',
  plain: 'debug'
})

export interface PinoJsFixLoggerOptions {
  /** override any subset of DEFAULT_JSFIX_LEVELS */
  levels?: Partial<JsFixLevelMap>
}

export class PinoJsFixLoggerFactory extends JsFixLoggerFactory {
  public readonly levels: Readonly<JsFixLevelMap>
  private readonly base: pino.Logger

  constructor (root: pino.Logger, options: PinoJsFixLoggerOptions = {}) {
    super()
    this.levels = Object.freeze({ ...DEFAULT_JSFIX_LEVELS, ...options.levels })
    this.base = root.child({ component: 'jspurefix' })
  }

  public logger (type: string, context?: JsFixLogFields): IJsFixLogger {
    return new PinoJsFixLogger(this.base.child({ fix: { type, ...context } }), this.levels)
  }

  /**
   * jspurefix's winston factory writes raw message text to `fileName`. We do not open a
   * second sink: the text goes to the same pino stream (scrubbed of 554= like everything
   * else) at `levels.plain`, tagged with the file name it would have used.
   */
  public plain (fileName: string, _maxSize?: number): IJsFixLogger {
    const plainLevels: JsFixLevelMap = {
      info: this.levels.plain,
      debug: this.levels.plain,
      warning: this.levels.plain,
      error: this.levels.error,
      plain: this.levels.plain
    }
    return new PinoJsFixLogger(this.base.child({ fix: { type: 'plain', file: fileName } }), plainLevels)
  }
}

class PinoJsFixLogger implements IJsFixLogger {
  constructor (private readonly log: pino.Logger, private readonly levels: Readonly<JsFixLevelMap>) {}

  // Arrow properties, not methods: jspurefix sometimes passes logger methods around
  // detached from the object (callbacks), and `this` must survive that.
  public readonly info = (message: string, fields?: JsFixLogFields): void => {
    this.write(this.levels.info, message, fields)
  }

  public readonly debug = (message: string, fields?: JsFixLogFields): void => {
    this.write(this.levels.debug, message, fields)
  }

  public readonly warning = (message: string, fields?: JsFixLogFields): void => {
    this.write(this.levels.warning, message, fields)
  }

  public readonly error = (e: Error, fields?: JsFixLogFields): void => {
    const level = this.levels.error
    if (level === 'silent' || !this.log.isLevelEnabled(level)) return
    // Declared as Error, but jspurefix calls error(e) from untyped catch blocks, so a
    // string or other value can arrive. Only real errors go under `err`, where pino's
    // serializer keeps type, message and stack.
    const obj: Record<string, unknown> = e instanceof Error ? { err: e } : { thrown: e }
    if (fields !== undefined) obj.fixFields = fields
    this.log[level](obj, e instanceof Error ? e.message : String(e))
  }

  private write (level: MappedLevel, message: string, fields: JsFixLogFields | undefined): void {
    if (level === 'silent') return
    if (fields === undefined) {
      this.log[level](message)
    } else {
      this.log[level]({ fixFields: fields }, message)
    }
  }
}
