import { expect } from 'chai'
import { ChainKeys, KeyedQueue } from '../../../src/fix/app/keyed-queue'

/** A job that records its start and end, and finishes when released. */
function job (log: string[], name: string): { run: () => Promise<void>, release: () => void } {
  let release = (): void => {}
  const gate = new Promise<void>((resolve) => { release = resolve })
  return { run: async () => { log.push(`start ${name}`); await gate; log.push(`end ${name}`) }, release: () => release() }
}

const tick = async (): Promise<void> => { for (let i = 0; i < 5; i++) await Promise.resolve() }

describe('KeyedQueue: ordering of inbound FIX work', () => {
  it('runs jobs on the same key one after the other, in push order', async () => {
    const log: string[] = []
    const q = new KeyedQueue((e) => { throw e })
    const a = job(log, 'a'); const b = job(log, 'b')
    q.push(['k'], a.run); q.push(['k'], b.run)
    await tick()
    expect(log).to.deep.equal(['start a'])
    a.release(); await tick()
    expect(log).to.deep.equal(['start a', 'end a', 'start b'])
    b.release(); await q.drain()
  })

  it('runs jobs with no key in common side by side', async () => {
    const log: string[] = []
    const q = new KeyedQueue((e) => { throw e })
    const a = job(log, 'a'); const b = job(log, 'b')
    q.push(['x'], a.run); q.push(['y'], b.run)
    await tick()
    expect(log).to.deep.equal(['start a', 'start b'])
    b.release(); a.release(); await q.drain()
    expect(log.slice(2)).to.deep.equal(['end b', 'end a'])
  })

  it('makes a job with two keys wait for both lanes', async () => {
    const log: string[] = []
    const q = new KeyedQueue((e) => { throw e })
    const a = job(log, 'a'); const b = job(log, 'b'); const c = job(log, 'c')
    q.push(['x'], a.run); q.push(['y'], b.run); q.push(['x', 'y'], c.run)
    await tick()
    a.release(); await tick()
    expect(log).to.not.include('start c')
    b.release(); await tick()
    expect(log).to.include('start c')
    c.release(); await q.drain()
  })

  it("a barrier ('all') waits for everything before it, and everything after waits for it", async () => {
    const log: string[] = []
    const q = new KeyedQueue((e) => { throw e })
    const a = job(log, 'a'); const m = job(log, 'mass'); const d = job(log, 'd')
    q.push(['x'], a.run); q.push('all', m.run); q.push(['z'], d.run)
    await tick()
    expect(log).to.deep.equal(['start a'])
    a.release(); await tick()
    expect(log).to.deep.equal(['start a', 'end a', 'start mass'])
    m.release(); await tick()
    expect(log).to.include('start d')
    d.release(); await q.drain()
  })

  it('reports a failing job and keeps the lane going', async () => {
    const errors: unknown[] = []
    const log: string[] = []
    const q = new KeyedQueue((e) => errors.push(e))
    q.push(['k'], async () => { throw new Error('boom') })
    q.push(['k'], async () => { log.push('after') })
    await q.drain()
    expect(errors.map((e) => (e as Error).message)).to.deep.equal(['boom'])
    expect(log).to.deep.equal(['after'])
  })
})

describe('ChainKeys: every ClOrdID of an order maps to one key', () => {
  it('follows cancel/replace chains back to the first ClOrdID', () => {
    const c = new ChainKeys()
    c.link('A', null)
    c.link('B', 'A')
    c.link('C', 'B')
    expect([c.of('A'), c.of('B'), c.of('C')]).to.deep.equal(['c:A', 'c:A', 'c:A'])
    expect(c.of('Z')).to.equal('c:Z')
    expect(c.of(null, 'O7')).to.equal('o:O7')
  })

  it('stays bounded: past its size it starts over', () => {
    const c = new ChainKeys(2)
    c.link('A', null); c.link('B', 'A'); c.link('C', 'B')
    expect(c.of('C')).to.equal('c:B') // the map restarted: B is now its own root
  })
})
