/** Writing FIX messages in tests as 'tag=value|tag=value|', BodyLength and CheckSum computed unless given. */
import { checksumOf } from '../../src/fix/session/wire/raw-message'

export const SOH = '\x01'

/** "8=FIX.4.4|35=0|34=2|..." → wire bytes; 9 inserted after 8 and 10 appended when missing. */
export function fix (text: string): Buffer {
  const fields = text.split('|').filter((f) => f !== '')
  const hasLength = fields.some((f) => f.startsWith('9='))
  const hasChecksum = fields.length > 0 && fields[fields.length - 1].startsWith('10=')
  const body = fields.slice(1, hasChecksum ? -1 : undefined).filter((f) => hasLength || !f.startsWith('9='))
  const rest = body.filter((f) => !f.startsWith('9=')).map((f) => f + SOH).join('')
  const lengthField = hasLength ? fields.find((f) => f.startsWith('9=')) as string : `9=${Buffer.byteLength(rest, 'latin1')}`
  const head = `${fields[0]}${SOH}${lengthField}${SOH}`
  const without = Buffer.from(head + rest, 'latin1')
  const checksum = hasChecksum ? fields[fields.length - 1] : `10=${String(checksumOf(without)).padStart(3, '0')}`
  return Buffer.concat([without, Buffer.from(checksum + SOH, 'latin1')])
}

export const show = (b: Buffer | string): string => (typeof b === 'string' ? b : b.toString('latin1')).replace(/\x01/g, '|')

/** Fields of a message as [tag, value] strings in wire order. */
export function fieldsOf (b: Buffer | string): Array<[string, string]> {
  return show(b).split('|').filter((f) => f !== '').map((f) => {
    const i = f.indexOf('=')
    return [f.slice(0, i), f.slice(i + 1)]
  })
}
