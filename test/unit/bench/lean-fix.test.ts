import { EventEmitter } from 'node:events'
import type * as net from 'node:net'
import { expect } from 'chai'
import { FrameReader, LeanFixSession, field, SOH } from '../../../bench/lib/lean-fix'
import { parseFrame } from '../../../src/fix/session/wire/raw-message'
import { percentile, Samples, summarize } from '../../../bench/lib/stats'
import { encodeMessage } from '../../../src/fix/session/wire/encoder'

/** A frame as our own session layer writes it: the reference the lean reader must accept. */
function frame (seq: number, body: Array<[number, string]>): Buffer {
  return encodeMessage({ beginString: 'FIX.4.4', msgType: '8', fields: [[34, String(seq)], [49, 'B'], [52, '20260101-00:00:00.000'], [56, 'A']] }, body)
}

function read (chunks: Buffer[]): { frames: string[], garbled: string[] } {
  const frames: string[] = []
  const garbled: string[] = []
  const r = new FrameReader((f) => frames.push(f), (g) => garbled.push(g))
  for (const c of chunks) r.push(c)
  return { frames, garbled }
}

describe('bench lean FIX session: FrameReader and field', () => {
  const a = frame(1, [[11, 'R1-1-0'], [150, '0'], [39, '0']])
  const b = frame(2, [[11, 'R1-1-0'], [150, 'F'], [39, '2'], [58, 'x=y']])

  it('cuts frames by BodyLength, whatever the chunk boundaries', () => {
    const all = Buffer.concat([a, b])
    for (let cut = 1; cut < all.length; cut += 7) {
      const { frames, garbled } = read([all.subarray(0, cut), all.subarray(cut)])
      expect(frames).to.deep.equal([a.toString('latin1'), b.toString('latin1')])
      expect(garbled).to.deep.equal([])
    }
    const byteByByte = read([...all].map((x) => Buffer.from([x])))
    expect(byteByByte.frames).to.have.length(2)
  })

  it('drops a frame with a wrong CheckSum and keeps reading', () => {
    const bad = Buffer.from(a)
    bad[bad.length - 2] = bad[bad.length - 2] === 0x30 ? 0x31 : 0x30
    const { frames, garbled } = read([bad, b])
    expect(frames).to.deep.equal([b.toString('latin1')])
    expect(garbled).to.have.length(1)
  })

  it('resynchronises on the next frame after garbage', () => {
    const { frames, garbled } = read([Buffer.from('garbage'), a])
    expect(frames).to.deep.equal([a.toString('latin1')])
    expect(garbled.length).to.be.greaterThan(0)
  })

  it('reads a tag only as a whole tag', () => {
    const f = b.toString('latin1')
    expect(field(f, 11)).to.equal('R1-1-0')
    expect(field(f, 39)).to.equal('2')
    expect(field(f, 58)).to.equal('x=y')
    expect(field(f, 1)).to.equal(undefined)
    expect(field(`8=FIX.4.4${SOH}111=a${SOH}11=b${SOH}`, 11)).to.equal('b')
  })
})

describe('bench lean FIX session: what it writes', () => {
  it('writes frames our session layer parses, with consecutive MsgSeqNums, in one write per tick', async () => {
    const writes: string[] = []
    const socket = Object.assign(new EventEmitter(), { setNoDelay: () => {}, write: (d: string) => { writes.push(d); return true }, destroy: () => {} })
    const s = new LeanFixSession(socket as unknown as net.Socket, { senderCompId: 'BENCH1', targetCompId: 'FIXGW', role: 'initiator', heartBtInt: 30 },
      { onReady: () => {}, onApp: () => {}, onProblem: () => {}, onClose: () => {} })
    s.send('D', `11=R1-1-0${SOH}55=SYM0${SOH}54=1${SOH}38=100${SOH}40=2${SOH}44=10.25${SOH}`)
    await new Promise((resolve) => process.nextTick(resolve))
    expect(writes).to.have.length(1) // the Logon and the order together
    const frames: string[] = []
    new FrameReader((f) => frames.push(f), (g) => { throw new Error(g) }).push(Buffer.from(writes[0], 'latin1'))
    expect(frames.map((f) => [field(f, 35), field(f, 34)])).to.deep.equal([['A', '1'], ['D', '2']])
    for (const f of frames) {
      const parsed = parseFrame(Buffer.from(f, 'latin1'), new Map())
      expect(parsed.ok, f).to.equal(true)
      if (parsed.ok) expect([parsed.msg.get(49), parsed.msg.get(56)]).to.deep.equal(['BENCH1', 'FIXGW'])
    }
    expect(field(frames[0], 141)).to.equal('Y')
  })
})

describe('bench statistics', () => {
  it('gives nearest-rank percentiles', () => {
    const s = new Samples()
    for (let i = 1000; i >= 1; i--) s.add(i)
    const sorted = s.sorted()
    expect(percentile(sorted, 0.5)).to.equal(500)
    expect(percentile(sorted, 0.99)).to.equal(990)
    expect(percentile(sorted, 0.999)).to.equal(999)
    expect(summarize(s)).to.include({ count: 1000, p50: 500, p99: 990, max: 1000 })
  })

  it('says so when there is nothing to summarize', () => {
    expect(summarize(new Samples())).to.include({ count: 0, p99: null })
  })
})
