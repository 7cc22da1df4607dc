/**
 * What we take from jspurefix, in one place: the parsed FIX dictionary and the encoding
 * of application bodies given as objects ({ ClOrdID, Instrument: {...} }). Inbound
 * values are read from our own framed message (message-view.ts), never through
 * jspurefix's parser, which decodes 'ascii' and so rewrites bytes with the high bit set.
 * Loaded once per dictionary file per process (the XML takes ~200 ms to parse).
 */
import * as path from 'node:path'
import { AsciiEncoder, DITokens, ElasticBuffer, EmptyLogFactory, SessionContainer, TimeFormatter } from '../jspurefix'
import type { FixDefinitions, IJsFixConfig, ILooseObject } from '../jspurefix'
import { SessionDictionary } from './dictionary/session-dictionary'
import { splitFields, type DataFieldLengths } from './wire/raw-message'
import { UnencodableValueError, type TagValue } from './wire/encoder'

export const FIX44_DICTIONARY = path.resolve(__dirname, '..', '..', '..', '..', 'data', 'dictionaries', 'FIX44.xml')

const SOH = 1
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

  /**
   * An application body given as a jspurefix object, as [tag, value] pairs in
   * dictionary order. Fields the dictionary does not declare on the message are dropped
   * (jspurefix's behaviour); the caller's own header fields are not taken from here.
   * Throws UnencodableValueError rather than let a value change on the way out: a
   * character above 0xFF (jspurefix would write its low byte) or a SOH (a field break).
   */
  encodeBody (msgType: string, body: ILooseObject): TagValue[] {
    const { StandardHeader: _h, StandardTrailer: _t, ...rest } = body
    checkEncodable(rest, msgType)
    this.encoder.reset()
    this.encoder.encode(rest, msgType)
    const bytes = Buffer.from(this.encodeBuffer.slice())
    const fields = splitFields(bytes, this.dataLengths)
    if (typeof fields === 'string') throw new UnencodableValueError(`could not encode ${msgType}: ${fields}`)
    return fields.map((f) => [f.tag, f.value] as const)
  }
}

/** Only bytes (0x00–0xFF) and no SOH in string values, at any depth of the body. */
function checkEncodable (body: ILooseObject, msgType: string, path = msgType): void {
  for (const [name, v] of Object.entries(body)) {
    if (typeof v === 'string') {
      if (UNENCODABLE.test(v)) throw new UnencodableValueError(`could not encode ${path}.${name}: a character above 0xFF or a SOH`)
    } else if (Array.isArray(v)) {
      for (const e of v) if (e != null && typeof e === 'object') checkEncodable(e as ILooseObject, msgType, `${path}.${name}[]`)
    } else if (v != null && typeof v === 'object' && !(v instanceof Date) && !Buffer.isBuffer(v)) {
      checkEncodable(v as ILooseObject, msgType, `${path}.${name}`)
    }
  }
}

// eslint-disable-next-line no-control-regex
const UNENCODABLE = /[\x01\u0100-\uffff]/
