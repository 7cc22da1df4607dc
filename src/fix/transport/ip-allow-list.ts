/**
 * Per-session IP allow-list: addresses ("10.1.2.3", "::1") and CIDR blocks
 * ("10.0.0.0/8", "2001:db8::/32"). A connection from anywhere else is closed before
 * any FIX is read from it.
 */
import * as net from 'node:net'
import { normaliseAddress } from './connection'

export class IpAllowList {
  private readonly list = new net.BlockList()

  constructor (readonly entries: readonly string[]) {
    for (const e of entries) {
      const problem = ipAllowListEntryProblem(e)
      if (problem != null) throw new Error(problem)
      const [addr, bits] = e.split('/')
      const type = net.isIPv6(addr) ? 'ipv6' : 'ipv4'
      if (bits == null) this.list.addAddress(addr, type)
      else this.list.addSubnet(addr, Number(bits), type)
    }
  }

  allows (address: string): boolean {
    const a = normaliseAddress(address)
    if (net.isIPv4(a)) return this.list.check(a, 'ipv4')
    if (net.isIPv6(a)) return this.list.check(a, 'ipv6')
    return false
  }
}

/** Why an entry is not an address or CIDR block, or null when it is. */
export function ipAllowListEntryProblem (entry: string): string | null {
  const [addr, bits, extra] = entry.split('/')
  if (extra !== undefined) return `"${entry}" is not an address or CIDR block`
  const v = net.isIP(addr)
  if (v === 0) return `"${entry}" is not an IP address or CIDR block`
  if (bits !== undefined && (!/^\d{1,3}$/.test(bits) || Number(bits) > (v === 4 ? 32 : 128))) return `"${entry}" has a bad prefix length`
  return null
}
