/**
 * Bytes in, bytes out: what an application reads is what was received, what we write is
 * what we were given, and what we echo in an answer can always be stored and sent.
 */
import { expect } from 'chai'
import { FixCodec } from '../../../src/fix/session/codec'
import { messageView } from '../../../src/fix/session/message-view'
import { encodeMessage, UnencodableValueError } from '../../../src/fix/session/wire/encoder'
import { parseFrame, type RawMessage } from '../../../src/fix/session/wire/raw-message'
import * as admin from '../../../src/fix/session/admin-messages'
import { SessionRejectReason } from '../../../src/fix/session/validate/reject-reason'
import { fix } from '../../support/fix-text'

const H = '8=FIX.4.4|35=D|34=2|49=TW|52=20240102-03:04:05.000|56=ISLD|'

describe('bytes through the session layer', () => {
  let codec: FixCodec
  before(async () => { codec = await FixCodec.load() })

  const msg = (text: string): RawMessage => {
    const r = parseFrame(fix(text), codec.dataLengths)
    if (!r.ok) throw new Error(`test message garbled: ${r.reason}`)
    return r.msg
  }

  describe('what an application reads (MessageView)', () => {
    it('gives every value byte for byte, high bit included (jspurefix cleared it: 0x81 became SOH)', () => {
      const v = messageView(msg(H + '11=X-\xc3\xa9|55=AAP\xcc|58=\x81\xff|'))
      expect([v.getString(11), v.getString(55), v.getString(58)]).to.deep.equal(['X-\xc3\xa9', 'AAP\xcc', '\x81\xff'])
      expect(Buffer.from(v.getString(58) ?? '', 'latin1')).to.deep.equal(Buffer.from([0x81, 0xff]))
    })

    it('reads integers, timestamps and dates, and null for absent or malformed ones', () => {
      const v = messageView(msg(H + '11=A|126=20240102-03:04:05.250|432=20240229|'))
      expect(v.getInt(34)).to.equal(2)
      expect(v.getUtcTimestamp(126)?.toISOString()).to.equal('2024-01-02T03:04:05.250Z')
      expect(v.getDateOnly(432)?.toISOString()).to.equal('2024-02-29T00:00:00.000Z')
      expect([v.getString(44), v.getInt(11), v.getUtcTimestamp(11), v.getDateOnly(126)]).to.deep.equal([null, null, null, null])
      expect(messageView(msg(H.replace('34=2', '34=abc') + '11=A|')).getInt(34)).to.equal(null)
    })
  })

  describe('what we write', () => {
    it('writes high-bit bytes as they are', () => {
      const bytes = encodeMessage({ beginString: 'FIX.4.4', msgType: '8', fields: [] }, [[58, 'caf\xc3\xa9\x81']])
      expect(bytes.includes(Buffer.from([0x3d, 0x63, 0x61, 0x66, 0xc3, 0xa9, 0x81, 0x01]))).to.equal(true)
    })

    it('refuses a character above 0xFF instead of writing its low byte', () => {
      expect(() => encodeMessage({ beginString: 'FIX.4.4', msgType: '8', fields: [] }, [[58, 'a\u2192b']])).to.throw(UnencodableValueError)
    })

    it('refuses an application value with a SOH or a character above 0xFF before anything is sent', () => {
      expect(() => codec.encodeBody('8', { Text: 'a\x01b' })).to.throw(UnencodableValueError, 'Text')
      expect(() => codec.encodeBody('D', { ClOrdID: 'A', Instrument: { Symbol: 'AAPL\u0181' } })).to.throw(UnencodableValueError, 'Instrument.Symbol')
      const fields = codec.encodeBody('8', { Text: 'caf\xe9\x81' })
      expect(fields).to.deep.include([58, 'caf\xe9\x81'])
    })
  })

  describe('what we echo in an answer', () => {
    const reject = { reason: SessionRejectReason.IncorrectDataFormat, refTagId: '34', detail: 'x' }

    it('echoes MsgSeqNum into RefSeqNum only when it is a number', () => {
      expect(admin.reject(msg(H + '11=A|'), reject).body).to.deep.include([45, '2'])
      for (const bad of ['abc', '2\x00', '-1', '']) {
        const m = msg(H.replace('34=2', `34=${bad}`) + '11=A|')
        expect(admin.reject(m, reject).body.map(([t]) => t), JSON.stringify(bad)).to.not.include(45)
        expect(admin.businessReject(m, 3).body.map(([t]) => t), JSON.stringify(bad)).to.not.include(45)
      }
    })

    it('echoes RefMsgType and routing fields only when they are printable ASCII', () => {
      const m = msg(H.replace('35=D', '35=D\x00').replace('52=', '115=FU\x00ND|116=DESK|52='))
      const out = admin.reject(m, reject)
      expect(out.body.map(([t]) => t)).to.not.include(372)
      expect(out.header).to.deep.equal([[129, 'DESK']])
    })
  })
})
