/**
 * Which bytes a field value may hold. FIX's String type excludes only SOH, which lets a
 * value carry bytes that change meaning further on: a NUL that Postgres refuses to
 * store, a byte with the high bit set that another decoder turns into SOH (a field
 * injected toward the broker) or into another letter (a different ClOrdID or Symbol).
 * Our rule, checked by the session before any application sees the message, so a bad
 * value never reaches order state:
 *
 *  - DATA fields (RawData 96, XmlData 213, EncodedText 355...): any byte; they are
 *    delimited by their length field.
 *  - Identifiers and routing fields (IDENTIFIER_TAGS: ClOrdID, OrigClOrdID, OrderID,
 *    ExecID, Account, Symbol, SecurityType, ExDestination, the CompIDs...): printable
 *    ASCII only, 0x20–0x7E, at most MAX_IDENTIFIER_LENGTH bytes (they are keys of
 *    unique indexes, whose entries Postgres caps at about 2.7 KB: a longer key fails
 *    the whole commit it is part of).
 *  - Every other value: no control character (0x00–0x1F, 0x7F). Bytes 0x80–0xFF are
 *    allowed (free text such as Text 58 in UTF-8 or Latin-1) and carried byte for byte.
 *  - Numbers, times, chars and booleans have their own formats (field-format.ts), all
 *    ASCII.
 *
 * A value that breaks the rule gets a session Reject naming the tag: SessionRejectReason
 * 6 (incorrect data format) for its bytes, 5 (value out of range) for its length.
 */

/** Longest identifier we take: generous for any venue's IDs (UUIDs are 36). */
export const MAX_IDENTIFIER_LENGTH = 128

/** Tags whose values identify an order, an instrument, a route or a counterparty. */
export const IDENTIFIER_TAGS: ReadonlySet<number> = new Set([
  1, // Account
  11, // ClOrdID
  15, // Currency
  17, // ExecID
  19, // ExecRefID
  37, // OrderID
  41, // OrigClOrdID
  48, // SecurityID
  49, // SenderCompID
  50, // SenderSubID
  55, // Symbol
  56, // TargetCompID
  57, // TargetSubID
  65, // SymbolSfx
  66, // ListID
  100, // ExDestination
  115, // OnBehalfOfCompID
  116, // OnBehalfOfSubID
  128, // DeliverToCompID
  129, // DeliverToSubID
  142, // SenderLocationID
  143, // TargetLocationID
  144, // OnBehalfOfLocationID
  145, // DeliverToLocationID
  167, // SecurityType
  198, // SecondaryOrderID
  207, // SecurityExchange
  526, // SecondaryClOrdID
  583, // ClOrdLinkID
  790 // OrdStatusReqID
])

// eslint-disable-next-line no-control-regex
const CONTROL = /[\x00-\x1f\x7f]/
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/

/** Why the value breaks the byte rule for its tag and dictionary type, or null when it does not. */
export function valueBytesProblem (tag: number, type: string | undefined, value: string): string | null {
  if (type === 'DATA') return null
  if (IDENTIFIER_TAGS.has(tag)) {
    const i = value.search(NOT_PRINTABLE_ASCII)
    return i < 0 ? null : `byte ${hexByte(value, i)} at offset ${i}: only printable ASCII is allowed`
  }
  const i = value.search(CONTROL)
  return i < 0 ? null : `control character ${hexByte(value, i)} at offset ${i}`
}

/** Why the identifier is too long, or null. */
export function valueLengthProblem (tag: number, value: string): string | null {
  return IDENTIFIER_TAGS.has(tag) && value.length > MAX_IDENTIFIER_LENGTH
    ? `${value.length} bytes, more than the ${MAX_IDENTIFIER_LENGTH} an identifier may have`
    : null
}

function hexByte (value: string, i: number): string {
  return `0x${value.charCodeAt(i).toString(16).padStart(2, '0').toUpperCase()}`
}
