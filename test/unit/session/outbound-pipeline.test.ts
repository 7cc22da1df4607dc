import { expect } from 'chai'
import { OutboundPipeline, type ByteSink, type OutboundMessage } from '../../../src/fix/session/outbound-pipeline'
import { MemorySessionStore } from '../../../src/fix/store/memory-session-store'

const msg = (n: number): OutboundMessage => ({ seqNum: n, msgType: '8', raw: String(n), sentAt: new Date(0), bytes: Buffer.from(String(n)) })

describe('OutboundPipeline', () => {
  // A message sent while the previous drain was ending (the queue seen empty, the drain
  // not yet marked finished) used to wait for the next message on the session: an
  // ExecutionReport could sit unsent for a heartbeat interval.
  for (let ticks = 0; ticks < 8; ticks++) {
    it(`writes a message sent ${ticks} microtask(s) after the one before`, async () => {
      const written: string[] = []
      const sink: ByteSink = { write: (b) => { written.push(b.toString()); return true }, drained: async () => {} }
      const p = new OutboundPipeline(new MemorySessionStore({ beginString: 'FIX.4.4', senderCompId: 'A', targetCompId: 'B' }), (e) => { throw e })
      p.send(msg(1), sink)
      let chain = Promise.resolve()
      for (let i = 0; i < ticks; i++) chain = chain.then(() => {})
      await chain
      p.send(msg(2), sink)
      await p.flush()
      expect(written).to.deep.equal(['1', '2'])
    })
  }
})
