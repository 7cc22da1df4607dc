import { InvalidArgumentError } from 'commander'

/** commander parser for a non-negative integer option. */
export function intOption (value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a whole number`)
  return Number(value)
}

/** commander parser for a positive decimal (kept as a string: quantities never become floats). */
export function decimalOption (value: string): string {
  if (!/^\d+(\.\d+)?$/.test(value) || /^0+(\.0+)?$/.test(value)) throw new InvalidArgumentError(`'${value}' is not a positive decimal`)
  return value
}
