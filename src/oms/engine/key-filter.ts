/**
 * A compact set of string keys for the dedupe indexes (client ClOrdIDs, broker ExecIDs)
 * kept in memory for the whole retention window. It stores a 53-bit hash per key in an
 * open-addressed Float64Array of 2^k slots, at most 70 % used: 8 bytes a slot, 11.4 to 23
 * bytes a key. 10 M keys take 2^24 slots = 134 MB (128 MiB), and 268 MB for a moment while
 * the table doubles, where a Set<string> of the same keys takes over 1 GB.
 *
 * `mayHave` is exact when it says no. A yes can be another key with the same 53-bit
 * hash (at 10 M keys, about one lookup in 10^9), so the caller confirms a yes against
 * Postgres before calling the key a duplicate. Two keys with the same hash share a slot,
 * so deleting one (a ClOrdID released by retention) also forgets the other: with
 * 53-bit hashes that needs a collision and a release of exactly those two keys.
 */
const EMPTY = 0
const DELETED = 1
const TWO_32 = 4294967296

/** cyrb53 (public domain): a fast, well-mixed 53-bit string hash. */
export function hash53 (s: string): number {
  let h1 = 0xdeadbeef
  let h2 = 0x41c6ce57
  for (let i = 0; i < s.length; i++) {
    const ch = s.charCodeAt(i)
    h1 = Math.imul(h1 ^ ch, 2654435761)
    h2 = Math.imul(h2 ^ ch, 1597334677)
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909)
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909)
  const h = TWO_32 * (2097151 & h2) + (h1 >>> 0)
  return h < 2 ? h + 2 : h // 0 and 1 mark empty and deleted slots
}

export class KeyFilter {
  private table: Float64Array
  private mask: number
  private used = 0 // live + deleted slots
  private live = 0

  constructor (capacity = 1024) {
    let size = 1024
    while (size * 0.7 < capacity) size *= 2
    this.table = new Float64Array(size)
    this.mask = size - 1
  }

  get size (): number { return this.live }
  /** bytes held by the table */
  get bytes (): number { return this.table.byteLength }

  mayHave (key: string): boolean {
    const h = hash53(key)
    for (let i = (h % TWO_32) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.table[i]
      if (v === EMPTY) return false
      if (v === h) return true
    }
  }

  add (key: string): void {
    this.insert(hash53(key))
  }

  delete (key: string): void {
    const h = hash53(key)
    for (let i = (h % TWO_32) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.table[i]
      if (v === EMPTY) return
      if (v === h) { this.table[i] = DELETED; this.live--; return }
    }
  }

  private insert (h: number): void {
    if (this.used + 1 > this.table.length * 0.7) this.rebuild(this.live + 1 > this.table.length * 0.35 ? this.table.length * 2 : this.table.length)
    let free = -1
    for (let i = (h % TWO_32) & this.mask; ; i = (i + 1) & this.mask) {
      const v = this.table[i]
      if (v === h) return
      if (v === DELETED && free < 0) free = i
      if (v === EMPTY) {
        if (free < 0) { free = i; this.used++ }
        break
      }
    }
    this.table[free] = h
    this.live++
  }

  /** Re-insert every live hash into a table of `size` slots (drops deleted markers). */
  private rebuild (size: number): void {
    const old = this.table
    this.table = new Float64Array(size)
    this.mask = size - 1
    this.used = 0
    this.live = 0
    for (const v of old) if (v !== EMPTY && v !== DELETED) this.insert(v)
  }
}
