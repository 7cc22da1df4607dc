/**
 * Build a jspurefix message object from flat [tag, value] pairs, nesting each tag into
 * the component the dictionary puts it in (55 → Instrument.Symbol). Used to send
 * messages written as tag=value (scenario scripts, the conformance echo).
 * Repeating groups are not supported here: a tag that belongs to a group is an error.
 */
import { ContainedFieldType } from '../jspurefix'
import type { FixDefinitions, ILooseObject } from '../jspurefix'

interface FieldLike {
  readonly type: ContainedFieldType
  readonly name: string
  readonly definition: { readonly name: string, readonly tagToField?: Record<number, FieldLike> }
}
interface SetLike { readonly localTag: Record<number, FieldLike>, readonly tagToField: Record<number, FieldLike> }

export class UnknownTagError extends Error {}

export function objectFromTags (definitions: FixDefinitions, msgType: string, fields: ReadonlyArray<readonly [number, string]>): ILooseObject {
  const msg = definitions.message.get(msgType) as unknown as SetLike | undefined
  if (msg == null) throw new UnknownTagError(`MsgType ${msgType} is not in the dictionary`)
  const out: ILooseObject = {}
  for (const [tag, value] of fields) place(msg, out, tag, value, msgType)
  return out
}

function place (set: SetLike, target: ILooseObject, tag: number, value: string, where: string): void {
  const f = set.localTag[tag] ?? set.tagToField[tag] // simple fields of this level, else the component/group holding the tag
  if (f == null) throw new UnknownTagError(`tag ${tag} is not defined for ${where}`)
  switch (f.type) {
    case ContainedFieldType.Simple:
      target[f.name] = value
      return
    case ContainedFieldType.Component: {
      const child = (target[f.name] ?? {}) as ILooseObject
      target[f.name] = child
      place(f.definition as unknown as SetLike, child, tag, value, f.name)
      return
    }
    default:
      throw new UnknownTagError(`tag ${tag} is in repeating group ${f.name}: not supported in tag=value form`)
  }
}
