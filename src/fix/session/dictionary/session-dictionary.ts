/**
 * What session-level validation needs from the FIX dictionary, flattened once from
 * jspurefix's parsed definitions of data/dictionaries/FIX44.xml (QuickFIX format):
 * field types and enumerations, the header and trailer, and per message type the
 * top-level tags (components flattened), the required ones (a required component's
 * required fields are required, as in QuickFIX) and the repeating groups.
 */
import type { FixDefinitions, IContainedSet } from '../../jspurefix'
import type { DataFieldLengths } from '../wire/raw-message'

export interface FieldSpec {
  readonly tag: number
  readonly name: string
  /** QuickFIX type name: INT, QTY, UTCTIMESTAMP, STRING, ... */
  readonly type: string
  /** allowed values when the dictionary enumerates them */
  readonly values: ReadonlySet<string> | null
}

/** The fields allowed at one level: a message body, the header, or one group entry. */
export interface FieldSetSpec {
  /** tags at this level (group count tags included, group members not) */
  readonly tags: ReadonlySet<number>
  /** required tags at this level, ascending */
  readonly required: readonly number[]
  /** repeating groups at this level, by count (NoXXX) tag */
  readonly groups: ReadonlyMap<number, GroupSpec>
}

export interface GroupSpec extends FieldSetSpec {
  readonly countTag: number
  /** first field of every entry */
  readonly delimiter: number
  /** the entry's fields in dictionary order (components flattened) */
  readonly order: readonly number[]
}

export interface MessageSpec extends FieldSetSpec {
  readonly msgType: string
  readonly name: string
  readonly admin: boolean
}

/** The session messages of FIX 4.x; everything else is an application message. */
export const ADMIN_MSG_TYPES: ReadonlySet<string> = new Set(['0', '1', '2', '3', '4', '5', 'A'])

export class SessionDictionary {
  private constructor (
    readonly beginString: string,
    readonly fields: ReadonlyMap<number, FieldSpec>,
    readonly header: FieldSetSpec,
    readonly trailer: FieldSetSpec,
    readonly messages: ReadonlyMap<string, MessageSpec>,
    readonly dataLengths: DataFieldLengths
  ) {}

  isHeaderTag (tag: number): boolean { return this.header.tags.has(tag) || headerGroupMember(this.header, tag) }
  isTrailerTag (tag: number): boolean { return this.trailer.tags.has(tag) }
  field (tag: number): FieldSpec | undefined { return this.fields.get(tag) }
  message (msgType: string): MessageSpec | undefined { return this.messages.get(msgType) }

  static fromDefinitions (defs: FixDefinitions, beginString = 'FIX.4.4'): SessionDictionary {
    const fields = new Map<number, FieldSpec>()
    for (const f of defs.simple.values()) {
      if (fields.has(f.tag)) continue
      const values = f.enums == null ? null : new Set<string>([...f.enums.keys()])
      fields.set(f.tag, { tag: f.tag, name: f.name, type: f.type.toUpperCase(), values })
    }
    const headerSet = defs.component.get('StandardHeader')
    const trailerSet = defs.component.get('StandardTrailer')
    if (headerSet == null || trailerSet == null) throw new Error('dictionary has no StandardHeader/StandardTrailer')
    const messages = new Map<string, MessageSpec>()
    for (const m of new Set(defs.message.values())) {
      if (messages.has(m.msgType)) continue
      const level = buildLevel(m)
      messages.set(m.msgType, { ...level, msgType: m.msgType, name: m.name, admin: ADMIN_MSG_TYPES.has(m.msgType) })
    }
    return new SessionDictionary(beginString, fields, buildLevel(headerSet), buildLevel(trailerSet), messages, dataLengthsOf(fields))
  }
}

function headerGroupMember (header: FieldSetSpec, tag: number): boolean {
  for (const g of header.groups.values()) if (g.tags.has(tag) || headerGroupMember(g, tag)) return true
  return false
}

interface Builder { tags: Set<number>, required: Set<number>, groups: Map<number, GroupSpec>, order: number[] }

function buildLevel (set: IContainedSet): FieldSetSpec {
  const b: Builder = { tags: new Set(), required: new Set(), groups: new Map(), order: [] }
  walk(set, true, b)
  return { tags: b.tags, required: [...b.required].sort((x, y) => x - y), groups: b.groups }
}

/** Collect one level: simple fields and components (flattened); a group adds its count tag. */
function walk (set: IContainedSet, required: boolean, b: Builder): void {
  for (const f of set.fields) {
    const any = f as unknown as { type: number, name: string, required: boolean, definition: unknown }
    switch (any.type) {
      case 2: { // simple
        const tag = (any.definition as { tag: number }).tag
        b.tags.add(tag)
        b.order.push(tag)
        if (required && any.required) b.required.add(tag)
        break
      }
      case 0: { // component
        if (any.name === 'StandardHeader' || any.name === 'StandardTrailer') break
        walk(any.definition as IContainedSet, required && any.required, b)
        break
      }
      case 1: { // group
        const def = any.definition as IContainedSet & { noOfField: { tag: number } | null }
        if (def.noOfField == null) break
        const countTag = def.noOfField.tag
        b.tags.add(countTag)
        b.order.push(countTag)
        if (required && any.required) b.required.add(countTag)
        const inner: Builder = { tags: new Set(), required: new Set(), groups: new Map(), order: [] }
        walk(def, true, inner)
        b.groups.set(countTag, {
          countTag,
          delimiter: inner.order[0],
          order: inner.order,
          tags: inner.tags,
          required: [...inner.required].sort((x, y) => x - y),
          groups: inner.groups
        })
        break
      }
    }
  }
}

/** DATA fields and the LENGTH field that precedes each (RawData 96 after RawDataLength 95). */
function dataLengthsOf (fields: ReadonlyMap<number, FieldSpec>): DataFieldLengths {
  const byName = new Map<string, FieldSpec>()
  for (const f of fields.values()) byName.set(f.name, f)
  const out = new Map<number, number>()
  for (const f of fields.values()) {
    if (f.type !== 'DATA') continue
    const len = byName.get(`${f.name}Len`) ?? byName.get(`${f.name}Length`)
    if (len != null && len.type === 'LENGTH') out.set(f.tag, len.tag)
  }
  return out
}
