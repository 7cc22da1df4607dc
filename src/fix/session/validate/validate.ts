/**
 * Session-level validation of one inbound message against the dictionary, in the
 * order of the reference engine, so the first problem reported (and so the Reject's
 * SessionRejectReason and RefTagID) is the one counterparties expect:
 *   1. fields out of their section (header, body, trailer)      373=14
 *   2. MsgType not in the dictionary                             373=11
 *   3. required tags: header, trailer, body, then group entries  373=1
 *   4. each field, header then trailer then body, by tag number:
 *      repeated 373=13, empty 373=4, bytes not allowed for the field (value-bytes.ts)
 *      373=6, an identifier too long 373=5, bad format 373=6, not an allowed value 373=5,
 *      unknown tag 373=0, not defined for the message 373=2, NumInGroup count 373=16
 *   5. the same checks inside each group entry.
 * Pure: no session state. The session's own checks (CompIDs, SendingTime, sequence
 * numbers, PossDup) come after.
 */
import type { RawField, RawMessage } from '../wire/raw-message'
import type { FieldSetSpec, SessionDictionary } from '../dictionary/session-dictionary'
import { hasValidFormat, hasValidValue } from './field-format'
import { valueBytesProblem, valueLengthProblem } from './value-bytes'
import { structure, type Level } from './message-structure'
import { SessionRejectReason as R, type SessionProblem } from './reject-reason'

export interface ValidationOptions {
  /** reject header/body/trailer fields out of place (373=14) */
  readonly fieldsOutOfOrder: boolean
  /** reject tags with an empty value (373=4) */
  readonly fieldsHaveValues: boolean
  /** check tags 5000 and above like the others (else they pass unchecked) */
  readonly userDefinedFields: boolean
  /** reject unknown tags (373=0) and tags not defined for the message type (373=2) */
  readonly unknownFields: boolean
  /** reject values outside a field's enumeration (373=5) */
  readonly fieldValues: boolean
}

export const DEFAULT_VALIDATION: ValidationOptions = {
  fieldsOutOfOrder: true,
  fieldsHaveValues: true,
  userDefinedFields: true,
  unknownFields: true,
  fieldValues: true
}

const USER_DEFINED_MIN = 5000

type Kind = 'header' | 'trailer' | 'body' | 'group'

export function validateMessage (msg: RawMessage, dict: SessionDictionary, opts: ValidationOptions = DEFAULT_VALIDATION): SessionProblem | null {
  const s = structure(msg, dict)
  if (opts.fieldsOutOfOrder && s.outOfOrderTag != null) {
    return { reason: R.TagSpecifiedOutOfRequiredOrder, refTagId: s.outOfOrderTag, detail: `tag ${s.outOfOrderTag} out of its section` }
  }
  const spec = dict.message(msg.msgType)
  if (spec == null) return { reason: R.InvalidMsgType, detail: `MsgType ${msg.msgType} not in the dictionary` }

  const missing = firstMissing(s.header, dict.header) ?? firstMissing(s.trailer, dict.trailer) ?? firstMissingDeep(s.body, spec)
  if (missing != null) return { reason: R.RequiredTagMissing, refTagId: String(missing), detail: `required tag ${missing} missing` }

  const v = new LevelValidator(dict, opts)
  return v.level(s.header, dict.header, 'header') ?? v.level(s.trailer, dict.trailer, 'trailer') ?? v.level(s.body, spec, 'body')
}

/**
 * The byte rule alone (value-bytes.ts), for sessions that run without dictionary
 * validation: it always applies, because it protects what we store and send.
 */
export function checkValueBytes (msg: RawMessage, dict: SessionDictionary): SessionProblem | null {
  for (const f of msg.fields) {
    const bytes = valueBytesProblem(f.tag, dict.field(f.tag)?.type, f.value)
    if (bytes != null) return { reason: R.IncorrectDataFormat, refTagId: f.tagText, detail: `tag ${f.tagText}: ${bytes}` }
    const length = valueLengthProblem(f.tag, f.value)
    if (length != null) return { reason: R.ValueIsIncorrect, refTagId: f.tagText, detail: `tag ${f.tagText}: ${length}` }
  }
  return null
}

function firstMissing (lv: Level, spec: FieldSetSpec): number | null {
  for (const tag of spec.required) if (!lv.fields.some((f) => f.tag === tag)) return tag
  return null
}

function firstMissingDeep (lv: Level, spec: FieldSetSpec): number | null {
  const own = firstMissing(lv, spec)
  if (own != null) return own
  for (const [count, entries] of sortedGroups(lv)) {
    const g = spec.groups.get(count.tag)
    if (g == null) continue
    for (const e of entries) {
      const m = firstMissingDeep(e, g)
      if (m != null) return m
    }
  }
  return null
}

function sortedGroups (lv: Level): Array<[RawField, Level[]]> {
  return [...lv.groups.entries()].sort((a, b) => a[0].tag - b[0].tag)
}

class LevelValidator {
  constructor (private readonly dict: SessionDictionary, private readonly opts: ValidationOptions) {}

  level (lv: Level, spec: FieldSetSpec, kind: Kind): SessionProblem | null {
    const sorted = lv.fields.map((f, i) => ({ f, i })).sort((a, b) => a.f.tag - b.f.tag || a.i - b.i).map((x) => x.f)
    let prev: RawField | null = null
    for (const f of sorted) {
      const p = this.field(f, prev, lv, spec, kind)
      if (p != null) return p
      prev = f
    }
    for (const [count, entries] of sortedGroups(lv)) {
      const g = spec.groups.get(count.tag)
      if (g == null) continue
      for (const e of entries) {
        const p = this.level(e, g, 'group')
        if (p != null) return p
      }
    }
    return null
  }

  private field (f: RawField, prev: RawField | null, lv: Level, spec: FieldSetSpec, kind: Kind): SessionProblem | null {
    const ref = f.tagText
    if (prev != null && prev.tag === f.tag) return { reason: R.TagAppearsMoreThanOnce, refTagId: ref, detail: `tag ${ref} repeated` }
    if (f.value === '' && this.opts.fieldsHaveValues) return { reason: R.TagSpecifiedWithoutValue, refTagId: ref, detail: `tag ${ref} has no value` }
    const def = this.dict.field(f.tag)
    const bytes = valueBytesProblem(f.tag, def?.type, f.value)
    if (bytes != null) return { reason: R.IncorrectDataFormat, refTagId: ref, detail: `tag ${ref}: ${bytes}` }
    const length = valueLengthProblem(f.tag, f.value)
    if (length != null) return { reason: R.ValueIsIncorrect, refTagId: ref, detail: `tag ${ref}: ${length}` }
    if (def != null && f.value !== '') {
      if (!hasValidFormat(def.type, f.value)) return { reason: R.IncorrectDataFormat, refTagId: ref, detail: `tag ${ref} '${f.value}' is not a valid ${def.type}` }
      if (this.opts.fieldValues && def.values != null && !hasValidValue(def.type, def.values, f.value)) {
        return { reason: R.ValueIsIncorrect, refTagId: ref, detail: `tag ${ref} value '${f.value}' not allowed` }
      }
    }
    if (!this.opts.unknownFields || (f.tag >= USER_DEFINED_MIN && !this.opts.userDefinedFields)) return null
    if (def == null) return { reason: R.InvalidTagNumber, refTagId: ref, detail: `tag ${ref} unknown` }
    if (kind === 'header' || kind === 'trailer') return null
    if (!spec.tags.has(f.tag)) return { reason: R.TagNotDefinedForMsgType, refTagId: ref, detail: `tag ${ref} not defined for this message type` }
    if (spec.groups.has(f.tag)) {
      const entries = lv.groups.get(f)?.length ?? 0
      if (f.value !== String(entries) && Number(f.value) !== entries) {
        return { reason: R.IncorrectNumInGroupCount, refTagId: ref, detail: `NumInGroup ${ref}=${f.value} but ${entries} entries` }
      }
    }
    return null
  }
}
