/** bench/profile-summary: self time by area and function from a .cpuprofile. */
import { expect } from 'chai'
import { areaOf, summarize } from '../../../bench/profile-summary'

describe('bench/profile-summary', () => {
  it('puts each script in its area', () => {
    expect(areaOf('(garbage collector)', '')).to.equal('GC')
    expect(areaOf('(idle)', '')).to.equal('idle')
    expect(areaOf('parse', 'file:///w/node_modules/jspurefix/dist/buffer/ascii/ascii-parser.js')).to.equal('dependency: jspurefix')
    expect(areaOf('x', '/w/node_modules/@types/node/x.js')).to.equal('dependency: @types/node')
    expect(areaOf('write', 'node:internal/stream_base_commons')).to.equal('Node internals')
    expect(areaOf('commit', 'file:///w/dist/src/store/pg-journal-store.js')).to.equal('src/store')
    expect(areaOf('run', 'file:///w/dist/src/oms/engine/engine.js')).to.equal('src/oms/engine')
  })

  it('adds up self time of every sample by its node', () => {
    const s = summarize({
      startTime: 0,
      endTime: 10,
      nodes: [
        { id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1 }, children: [2, 3, 4] },
        { id: 2, callFrame: { functionName: 'commit', url: 'file:///w/dist/src/store/pg-journal-store.js', lineNumber: 9 } },
        { id: 3, callFrame: { functionName: '(garbage collector)', url: '', lineNumber: -1 } },
        { id: 4, callFrame: { functionName: '(idle)', url: '', lineNumber: -1 } }
      ],
      samples: [2, 2, 3, 4, 2],
      timeDeltas: [1000, 1000, 2000, 4000, 1000]
    })
    expect(s.totalMs).to.equal(9)
    expect(s.areas).to.deep.equal([['idle', 4], ['src/store', 3], ['GC', 2]])
    expect(s.functions[1]).to.deep.equal(['commit src/store/pg-journal-store.js:10', 3])
  })
})
