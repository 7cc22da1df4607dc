/**
 * Data format of a field value by its dictionary type (FIX 4.4 Vol 1 data types, as
 * the reference engine checks them): a leading '+' or an exponent is not a number,
 * a date is not a timestamp, a CHAR is one character.
 */
import { isMonthYear, isUtcDateOnly, isUtcTimeOnly, parseUtcTimestamp } from '../wire/fix-time'

const INT = /^-?\d+$/
const NON_NEGATIVE_INT = /^\d+$/
const DECIMAL = /^-?(\d+\.?\d*|\.\d+)$/

export function hasValidFormat (type: string, value: string): boolean {
  switch (type) {
    case 'INT':
    case 'DAYOFMONTH':
      return INT.test(value)
    case 'LENGTH':
    case 'SEQNUM':
    case 'NUMINGROUP':
      return NON_NEGATIVE_INT.test(value)
    case 'FLOAT':
    case 'QTY':
    case 'PRICE':
    case 'PRICEOFFSET':
    case 'AMT':
    case 'PERCENTAGE':
      return DECIMAL.test(value)
    case 'CHAR':
      return value.length === 1
    case 'BOOLEAN':
      return value === 'Y' || value === 'N'
    case 'UTCTIMESTAMP':
      return parseUtcTimestamp(value) != null
    case 'UTCTIMEONLY':
      return isUtcTimeOnly(value)
    case 'UTCDATEONLY':
    case 'UTCDATE':
    case 'LOCALMKTDATE':
      return isUtcDateOnly(value)
    case 'MONTHYEAR':
      return isMonthYear(value)
    default: // STRING, MULTIPLEVALUESTRING, CURRENCY, EXCHANGE, COUNTRY, DATA...
      return true
  }
}

/** Whether a value is one of the enumerated ones (each word of a multiple-value field). */
export function hasValidValue (type: string, values: ReadonlySet<string>, value: string): boolean {
  if (type === 'MULTIPLEVALUESTRING' || type === 'MULTIPLECHARVALUE' || type === 'MULTIPLESTRINGVALUE') {
    return value.split(' ').every((v) => values.has(v))
  }
  return values.has(value)
}
