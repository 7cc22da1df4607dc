/**
 * A raw message sorted into header, body and trailer, with its repeating groups
 * resolved against the dictionary, the way the reference engine reads a message:
 *  - a header field after the body has started, or a body field after the trailer has
 *    started, marks the structure invalid (the first such tag is kept for 371);
 *  - after a NumInGroup field, an entry starts at the delimiter or at any member field
 *    the current entry already has; the group ends at the first non-member field.
 */
import type { RawField, RawMessage } from '../wire/raw-message'
import type { FieldSetSpec, SessionDictionary } from '../dictionary/session-dictionary'

export interface Level {
  readonly fields: RawField[]
  /** group entries, keyed by the NumInGroup field they follow */
  readonly groups: Map<RawField, Level[]>
}

export interface StructuredMessage {
  readonly header: Level
  readonly body: Level
  readonly trailer: Level
  /** tag (as written) of the first field found outside its section, or null */
  readonly outOfOrderTag: string | null
}

const level = (): Level => ({ fields: [], groups: new Map() })

export function structure (msg: RawMessage, dict: SessionDictionary): StructuredMessage {
  const fields = msg.fields
  const header = level()
  const body = level()
  const trailer = level()
  const bodySpec = dict.message(msg.msgType) ?? null
  let section: 'header' | 'body' | 'trailer' = 'header'
  let outOfOrderTag: string | null = null
  let i = 0
  while (i < fields.length) {
    const f = fields[i++]
    if (i <= 3 || dict.isHeaderTag(f.tag)) {
      if (section !== 'header' && outOfOrderTag == null) outOfOrderTag = f.tagText
      header.fields.push(f)
      i = readGroup(fields, i, f, dict.header, header)
    } else if (dict.isTrailerTag(f.tag)) {
      section = 'trailer'
      trailer.fields.push(f)
    } else {
      if (section === 'trailer' && outOfOrderTag == null) outOfOrderTag = f.tagText
      section = 'body'
      body.fields.push(f)
      if (bodySpec != null) i = readGroup(fields, i, f, bodySpec, body)
    }
  }
  return { header, body, trailer, outOfOrderTag }
}

/** If `count` is a NumInGroup field of `spec`, read its entries from fields[i...]. */
function readGroup (fields: readonly RawField[], i: number, count: RawField, spec: FieldSetSpec, into: Level): number {
  const g = spec.groups.get(count.tag)
  if (g == null) return i
  const entries: Level[] = []
  let current: Level | null = null
  let seen = new Set<number>()
  while (i < fields.length) {
    const f = fields[i]
    const member = g.tags.has(f.tag)
    if (!member) break
    if (current == null || f.tag === g.delimiter || seen.has(f.tag)) {
      current = level()
      seen = new Set()
      entries.push(current)
    }
    current.fields.push(f)
    seen.add(f.tag)
    i = readGroup(fields, i + 1, f, g, current)
  }
  into.groups.set(count, entries)
  return i
}
