import { expect } from 'chai'
import { TargetCommitter } from '../../../src/fix/session/target-committer'
import { MemorySessionStore } from '../../../src/fix/store/memory-session-store'

function deferred (): { promise: Promise<void>, resolve: () => void } {
  let resolve: () => void = () => {}
  const promise = new Promise<void>((r) => { resolve = r })
  return { promise, resolve }
}

describe('persisting the next expected MsgSeqNum (TargetCommitter)', () => {
  const setup = (): { store: MemorySessionStore, c: TargetCommitter, writes: number[] } => {
    const store = new MemorySessionStore({ beginString: 'FIX.4.4', senderCompId: 'A', targetCompId: 'B' })
    const writes: number[] = []
    const set = store.setNextTargetSeqNum.bind(store)
    store.setNextTargetSeqNum = async (n: number) => { writes.push(n); await set(n) }
    return { store, c: new TargetCommitter(store, () => {}, () => {}), writes }
  }

  it('does not count a message before the application has finished handling it', async () => {
    const { store, c } = setup()
    const order = deferred()
    c.advance(2)
    c.advance(3, order.promise)
    c.advance(4)
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.nextTargetMsgSeqNum).to.equal(2)
    order.resolve()
    await c.flush()
    expect(store.nextTargetMsgSeqNum).to.equal(4)
  })

  it('waits for earlier messages even when a later one finishes first', async () => {
    const { store, c } = setup()
    const first = deferred()
    c.advance(2, first.promise)
    c.advance(3, Promise.resolve())
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.nextTargetMsgSeqNum).to.equal(1)
    first.resolve()
    await c.flush()
    expect(store.nextTargetMsgSeqNum).to.equal(3)
  })

  it('covers messages handled while a write is in flight with one write', async () => {
    const { c, writes } = setup()
    for (let n = 2; n <= 50; n++) c.advance(n)
    await c.flush()
    expect(writes.length).to.be.lessThan(5)
    expect(writes[writes.length - 1]).to.equal(50)
  })

  it('gives up, after a bounded wait, messages the application never finishes, and never writes them later', async () => {
    const { store, c } = setup()
    const stuck = deferred()
    c.advance(2)
    await c.flush()
    c.advance(3, stuck.promise)
    expect(await c.settle(50)).to.equal(false)
    stuck.resolve()
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(store.nextTargetMsgSeqNum).to.equal(2)
    c.advance(7)
    await c.flush()
    expect(store.nextTargetMsgSeqNum).to.equal(7)
  })
})
