import { expect } from 'chai'
import { Framer } from '../../../src/fix/session/wire/framer'
import { parseFrame } from '../../../src/fix/session/wire/raw-message'
import { encodeMessage } from '../../../src/fix/session/wire/encoder'
import { formatUtcTimestamp, parseUtcTimestamp } from '../../../src/fix/session/wire/fix-time'
import { fix, show } from '../../support/fix-text'

const HB2 = '8=FIX.4.4|35=0|34=2|49=TW|52=20240102-03:04:05.678|56=ISLD|'
const NO_DATA = new Map<number, number>()

function frames (...chunks: Array<Buffer | string>): string[] {
  const f = new Framer()
  const out: string[] = []
  for (const c of chunks) for (const ev of f.push(typeof c === 'string' ? Buffer.from(c, 'latin1') : c)) out.push(`${ev.kind}:${show(ev.bytes)}`)
  return out
}

describe('FIX wire layer', () => {
  describe('framing the inbound stream (BodyLength first, then the next CheckSum, as QuickFIX)', () => {
    it('cuts two messages that arrive in one chunk', () => {
      const a = fix(HB2)
      const b = fix(HB2.replace('34=2', '34=3'))
      expect(frames(Buffer.concat([a, b]))).to.deep.equal([`message:${show(a)}`, `message:${show(b)}`])
    })

    it('waits for the rest of a message split across chunks, byte by byte', () => {
      const a = fix(HB2)
      const chunks = [...a].map((byte) => Buffer.from([byte]))
      expect(frames(...chunks)).to.deep.equal([`message:${show(a)}`])
    })

    it('reports bytes before BeginString as garbage and still finds the message after them', () => {
      const a = fix(HB2)
      expect(frames(Buffer.concat([Buffer.from('35=0\x01junk\x01'), a]))).to.deep.equal([
        'garbled:35=0|junk|', `message:${show(a)}`
      ])
    })

    it('frames a message whose BodyLength is too short up to its own CheckSum (the parser then rejects it)', () => {
      const bad = fix('8=FIX.4.4|9=10|35=0|34=2|49=TW|52=20240102-03:04:05|56=ISLD|')
      expect(frames(bad)).to.deep.equal([`message:${show(bad)}`])
    })

    it('lets a message whose BodyLength is too long swallow the next one, as the reference engine does', () => {
      const bad = fix('8=FIX.4.4|9=60|35=0|34=2|49=TW|52=20240102-03:04:05|56=ISLD|')
      const next = fix(HB2.replace('34=2', '34=3'))
      const out = frames(bad, next)
      expect(out).to.have.length(1)
      expect(out[0]).to.equal(`message:${show(Buffer.concat([bad, next]))}`)
    })

    it('treats a message whose second field is not BodyLength as garbage', () => {
      const out = frames(fix('8=FIX.4.4|34=3|35=0|49=TW|52=20240102-03:04:05|56=ISLD|').toString('latin1').replace(/\x019=\d+/, ''))
      expect(out[0]).to.match(/^garbled:8=FIX\.4\.4\|/)
    })
  })

  describe('parsing a frame', () => {
    it('reads every field in wire order with tags as numbers', () => {
      const r = parseFrame(fix(HB2), NO_DATA)
      expect(r.ok).to.equal(true)
      if (!r.ok) return
      expect(r.msg.msgType).to.equal('0')
      expect(r.msg.fields.map((f) => f.tag)).to.deep.equal([8, 9, 35, 34, 49, 52, 56, 10])
      expect(r.msg.get(49)).to.equal('TW')
    })

    const garbled: Array<[string, Buffer]> = [
      ['a wrong CheckSum', fix(HB2 + '10=256|')],
      ['a three-digit CheckSum that does not add up', fix(HB2 + '10=000|')],
      ['a wrong BodyLength', fix('8=FIX.4.4|9=30|35=0|34=2|49=TW|52=20240102-03:04:05|56=ISLD|')],
      ['MsgType not third', fix('8=FIX.4.4|34=2|35=0|49=TW|52=20240102-03:04:05|56=ISLD|')],
      ['a tag that is not a number', fix('8=FIX.4.4|35=0|34=2|4garbled9=TW|52=20240102-03:04:05|56=ISLD|')],
      ['a field without =', fix('8=FIX.4.4|35=0|34=2|49TW|52=20240102-03:04:05|56=ISLD|')]
    ]
    for (const [what, bytes] of garbled) {
      it(`calls a message with ${what} garbled`, () => {
        expect(parseFrame(bytes, NO_DATA).ok).to.equal(false)
      })
    }

    it('keeps negative and zero tags as written, for RefTagID', () => {
      const r = parseFrame(fix('8=FIX.4.4|35=0|34=2|49=TW|52=20240102-03:04:05|56=ISLD|-1=HI|0=HO|'), NO_DATA)
      expect(r.ok && r.msg.fields.slice(7, 9).map((f) => f.tagText)).to.deep.equal(['-1', '0'])
    })

    it('reads a DATA field by its length, SOH included', () => {
      const r = parseFrame(fix('8=FIX.4.4|35=B|34=2|49=TW|52=20240102-03:04:05|56=ISLD|148=x|95=3|96=a\x01b|'), new Map([[96, 95]]))
      expect(r.ok && r.msg.get(96)).to.equal('a\x01b')
    })
  })

  describe('encoding', () => {
    it('writes 8, 9, 35, then header fields by tag, then the body as given, with an unpadded BodyLength and a valid CheckSum', () => {
      const bytes = encodeMessage({ beginString: 'FIX.4.4', msgType: 'A', fields: [[56, 'TW'], [52, '20240102-03:04:05.678'], [49, 'ISLD'], [34, '1']] }, [[98, '0'], [108, '30']])
      expect(show(bytes)).to.match(/^8=FIX\.4\.4\|9=61\|35=A\|34=1\|49=ISLD\|52=20240102-03:04:05\.678\|56=TW\|98=0\|108=30\|10=\d{3}\|$/)
      expect(parseFrame(bytes, NO_DATA).ok).to.equal(true)
    })

    it('writes SendingTime with milliseconds, in UTC', () => {
      expect(formatUtcTimestamp(new Date(Date.UTC(2024, 0, 2, 3, 4, 5, 6)))).to.equal('20240102-03:04:05.006')
    })

    it('reads timestamps with seconds, milliseconds or more digits, and refuses impossible ones', () => {
      expect(parseUtcTimestamp('20240102-03:04:05')?.toISOString()).to.equal('2024-01-02T03:04:05.000Z')
      expect(parseUtcTimestamp('20240102-03:04:05.123456')?.toISOString()).to.equal('2024-01-02T03:04:05.123Z')
      expect(parseUtcTimestamp('20240230-03:04:05')).to.equal(null)
      expect(parseUtcTimestamp('20240102-24:04:05')).to.equal(null)
      expect(parseUtcTimestamp('20240102')).to.equal(null)
    })
  })
})
