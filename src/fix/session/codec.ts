/**
 * What we take from jspurefix, in one place: the parsed FIX dictionary, a MsgView for
 * applications (jspurefix's parser fed with a frame we have already validated), and
 * the encoding of application bodies given as objects ({ ClOrdID, Instrument: {...} }).
 * Loaded once per dictionary file per process (the XML takes ~200 ms to parse).
 */
import * as path from 'node:path'
import {
  AsciiEncoder, AsciiParser, DITokens, ElasticBuffer, EmptyLogFactory, SessionContainer, TimeFormatter, makeSessionScope
} from '../jspurefix'
import type { FixDefinitions, IJsFixConfig, ILooseObject, MsgView } from '../jspurefix'
import { SessionDictionary } from './dictionary/session-dictionary'
import { splitFields, type DataFieldLengths } from './wire/raw-message'
import type { TagValue } from './wire/encoder'

export const FIX44_DICTIONARY = path.resolve(__dirname, '..', '..', '..', '..', 'data', 'dictionaries', 'FIX44.xml')

const SOH = 1
const MAX_MESSAGE = 1024 * 1024
const loaded = new Map<string, Promise<FixCodec>>()

export class FixCodec {
  readonly dictionary: SessionDictionary
  private readonly encodeBuffer = new ElasticBuffer(16 * 1024)
  private readonly encoder: AsciiEncoder

  private constructor (readonly config: IJsFixConfig) {
    this.dictionary = SessionDictionary.fromDefinitions(config.definitions)
    this.encoder = new AsciiEncoder(this.encodeBuffer, config.definitions, new TimeFormatter(this.encodeBuffer), SOH, SOH)
  }

  get definitions (): FixDefinitions { return this.config.definitions }
  get dataLengths (): DataFieldLengths { return this.dictionary.dataLengths }

  static async load (dictionaryPath: string = FIX44_DICTIONARY): Promise<FixCodec> {
    let p = loaded.get(dictionaryPath)
    if (p == null) {
      p = FixCodec.make(dictionaryPath)
      loaded.set(dictionaryPath, p)
      p.catch(() => loaded.delete(dictionaryPath))
    }
    return await p
  }

  private static async make (dictionaryPath: string): Promise<FixCodec> {
    const sc = new SessionContainer()
    sc.registerGlobal(new EmptyLogFactory())
    const description = {
      application: { name: 'fixgw-codec', type: 'acceptor', protocol: 'ascii', dictionary: dictionaryPath },
      SenderCompId: 'codec', TargetCompID: 'codec', BeginString: 'FIX.4.4'
    }
    const container = await sc.makeSystem(description as never)
    return new FixCodec(container.resolve<IJsFixConfig>(DITokens.IJsFixConfig))
  }

  /** A parser for one session (it owns its buffers). */
  viewParser (): ViewParser { return new ViewParser(this.config) }

  /**
   * An application body given as a jspurefix object, as [tag, value] pairs in
   * dictionary order. Fields the dictionary does not declare on the message are dropped
   * (jspurefix's behaviour); the caller's own header fields are not taken from here.
   */
  encodeBody (msgType: string, body: ILooseObject): TagValue[] {
    const { StandardHeader: _h, StandardTrailer: _t, ...rest } = body
    this.encoder.reset()
    this.encoder.encode(rest, msgType)
    const bytes = Buffer.from(this.encodeBuffer.slice())
    const fields = splitFields(bytes, this.dataLengths)
    if (typeof fields === 'string') throw new Error(`could not encode ${msgType}: ${fields}`)
    return fields.map((f) => [f.tag, f.value] as const)
  }
}

/**
 * jspurefix's parser, fed one validated frame at a time. Its view is only valid while
 * its 'msg' event runs (the parser recycles its buffers right after), so the caller's
 * function runs inside it; keep the view longer with view.clone().
 */
export class ViewParser {
  private readonly parser: AsciiParser
  private handler: ((view: MsgView) => void) | null = null
  private error: Error | null = null

  constructor (config: IJsFixConfig) {
    const scoped = makeSessionScope(config)
    const buffer = scoped.sessionContainer.resolve<ElasticBuffer>(DITokens.ParseBuffer)
    this.parser = new AsciiParser(scoped, null, buffer, MAX_MESSAGE)
    this.parser.on('msg', (_t: string, view: MsgView) => { this.handler?.(view) })
    this.parser.on('error', (e: Error) => { this.error = e })
  }

  withView<T> (frame: Buffer, fn: (view: MsgView) => T): T {
    let result: { value: T } | null = null
    this.error = null
    this.handler = (view) => { result = { value: fn(view) } }
    try {
      this.parser.reset()
      this.parser.parseBuffer(frame)
    } finally {
      this.handler = null
    }
    if (result == null) throw this.error ?? new Error('jspurefix produced no view for the message')
    return (result as { value: T }).value
  }
}
