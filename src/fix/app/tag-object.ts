/**
 * Build a jspurefix message object from flat [tag, value] pairs, nesting each tag into
 * the component the dictionary puts it in (55 → Instrument.Symbol). Used to send
 * messages written as tag=value (scenario scripts, the conformance echo) and to apply
 * per-broker tag mappings. Repeating groups are not supported here: a tag that belongs
 * to a group is an error.
 */
import { ContainedFieldType } from '../jspurefix'
import type { FixDefinitions, ILooseObject } from '../jspurefix'

interface FieldLike {
  readonly type: ContainedFieldType
  readonly name: string
  readonly definition: { readonly name: string }
}
interface SetLike { readonly localTag: Record<number, FieldLike>, readonly tagToField: Record<number, FieldLike> }

export class UnknownTagError extends Error {}

/** Field names from the message down to the tag: [ 'Instrument', 'Symbol' ] for 55 in D. */
export function tagPath (definitions: FixDefinitions, msgType: string, tag: number): string[] {
  const msg = definitions.message.get(msgType) as unknown as SetLike | undefined
  if (msg == null) throw new UnknownTagError(`MsgType ${msgType} is not in the dictionary`)
  const path: string[] = []
  let set: SetLike = msg
  let where = msgType
  for (;;) {
    const f = set.localTag[tag] ?? set.tagToField[tag] // simple fields of this level, else the component/group holding the tag
    if (f == null) throw new UnknownTagError(`tag ${tag} is not defined for ${where}`)
    path.push(f.name)
    if (f.type === ContainedFieldType.Simple) return path
    if (f.type !== ContainedFieldType.Component) throw new UnknownTagError(`tag ${tag} is in repeating group ${f.name}: not supported in tag=value form`)
    set = f.definition as unknown as SetLike
    where = f.name
  }
}

/** Set `value` at the tag's place in `target`, creating components on the way. */
export function setTag (definitions: FixDefinitions, msgType: string, target: ILooseObject, tag: number, value: string): void {
  const path = tagPath(definitions, msgType, tag)
  let at = target
  for (const name of path.slice(0, -1)) {
    at[name] = (at[name] ?? {}) as ILooseObject
    at = at[name] as ILooseObject
  }
  at[path[path.length - 1]] = value
}

/** Remove the tag from `target` if present. */
export function stripTag (definitions: FixDefinitions, msgType: string, target: ILooseObject, tag: number): void {
  const path = tagPath(definitions, msgType, tag)
  let at: ILooseObject | undefined = target
  for (const name of path.slice(0, -1)) at = at?.[name] as ILooseObject | undefined
  if (at != null) delete at[path[path.length - 1]]
}

export function objectFromTags (definitions: FixDefinitions, msgType: string, fields: ReadonlyArray<readonly [number, string]>): ILooseObject {
  const out: ILooseObject = {}
  for (const [tag, value] of fields) setTag(definitions, msgType, out, tag, value)
  return out
}
