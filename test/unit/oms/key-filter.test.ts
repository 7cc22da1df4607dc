/**
 * The dedupe filter (src/oms/engine/key-filter.ts): never a false "no" (a duplicate
 * ClOrdID or ExecID would then pass as new), deletes that leave other keys findable,
 * growth past its first size, and the memory figure docs/engine.md gives for 10 M keys.
 */
import { expect } from 'chai'
import { KeyFilter, hash53 } from '../../../src/oms/engine/key-filter'

describe('oms/engine KeyFilter', () => {
  it('finds every key added, through many doublings of its table', () => {
    const f = new KeyFilter(16)
    const n = 200_000
    for (let i = 0; i < n; i++) f.add(`client\u0001CL-${i}`)
    expect(f.size).to.equal(n)
    for (let i = 0; i < n; i++) if (!f.mayHave(`client\u0001CL-${i}`)) throw new Error(`lost key ${i}`)
  })

  it('says no to keys never added (no false yes in 200,000 lookups)', () => {
    const f = new KeyFilter()
    for (let i = 0; i < 100_000; i++) f.add(`a${i}`)
    let yes = 0
    for (let i = 0; i < 200_000; i++) if (f.mayHave(`b${i}`)) yes++
    expect(yes).to.equal(0)
  })

  it('adding a key twice counts it once', () => {
    const f = new KeyFilter()
    f.add('x'); f.add('x')
    expect(f.size).to.equal(1)
  })

  it('deletes a key and keeps the keys that collided with it in the probe sequence', () => {
    const f = new KeyFilter(16)
    const keys = Array.from({ length: 700 }, (_, i) => `k${i}`) // table of 1024: long probe runs
    for (const k of keys) f.add(k)
    for (let i = 0; i < keys.length; i += 2) f.delete(keys[i])
    expect(f.size).to.equal(350)
    keys.forEach((k, i) => expect(f.mayHave(k), k).to.equal(i % 2 === 1))
    // deleted slots are reclaimed: churn at a steady size does not keep growing the table
    let bytes = 0
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 300; i++) f.add(`r${round}-${i}`)
      for (let i = 0; i < 300; i++) f.delete(`r${round}-${i}`)
      if (round === 0) bytes = f.bytes
    }
    expect(f.size).to.equal(350)
    expect(f.bytes).to.equal(bytes)
    keys.forEach((k, i) => expect(f.mayHave(k), k).to.equal(i % 2 === 1))
  })

  it('costs about 12 bytes a key: 10 M keys fit in 128 MiB (a Set<string> takes over 1 GB)', () => {
    const f = new KeyFilter(10_000_000)
    expect(f.bytes).to.equal(16_777_216 * 8)
    expect(f.bytes / 10_000_000).to.be.below(14)
  })

  it('hash53 is deterministic, 53-bit, and never the empty or deleted marker', () => {
    expect(hash53('client\u0001CL-1')).to.equal(hash53('client\u0001CL-1'))
    expect(hash53('a')).to.not.equal(hash53('b'))
    for (const s of ['', 'a', 'ü', 'CL-999999']) {
      const h = hash53(s)
      expect(Number.isSafeInteger(h)).to.equal(true)
      expect(h).to.be.at.least(2)
    }
  })
})
