import { expect } from 'chai'
import { FixCodec } from '../../../src/fix/session/codec'
import { checkValueBytes, validateMessage, DEFAULT_VALIDATION } from '../../../src/fix/session/validate/validate'
import { IDENTIFIER_TAGS, valueBytesProblem } from '../../../src/fix/session/validate/value-bytes'
import { parseFrame, type RawMessage } from '../../../src/fix/session/wire/raw-message'
import type { SessionDictionary } from '../../../src/fix/session/dictionary/session-dictionary'
import { fix } from '../../support/fix-text'

const H = '8=FIX.4.4|35=D|34=2|49=TW|52=20240102-03:04:05.000|56=ISLD|'
const ORDER = '11=ID|21=1|38=100|40=1|54=1|55=INTC|60=20240102-03:04:05|'

/** [spec line, message, SessionRejectReason(373) or null, RefTagID(371)] */
const CASES: ReadonlyArray<[string, string, number | null, string | null]> = [
  ['accepts a valid NewOrderSingle', H + ORDER, null, null],
  ['accepts header and body fields in any order within their sections', '8=FIX.4.4|35=D|49=TW|34=2|56=ISLD|52=20240102-03:04:05|40=1|55=INTC|60=20240102-03:04:05|54=1|21=3|11=id|', null, null],
  ['accepts a repeating group whose NumInGroup is zero', H.replace('35=D', '35=d') + '320=R1|322=X|323=6|55=TBS|454=0|', null, null],
  ['accepts a repeating group whose entries match its NumInGroup', H + ORDER + '386=2|336=PRE|336=POST|', null, null],
  ['rejects an unknown tag with 373=0 (invalid tag number)', H + ORDER + '999=HI|', 0, '999'],
  ['rejects tag 0 with 373=0', H + ORDER + '0=HI|', 0, '0'],
  ['rejects a negative tag with 373=0, naming it as written', H + ORDER + '-1=HI|', 0, '-1'],
  ['rejects a user-defined tag the dictionary does not know with 373=0', H + ORDER + '5000=HI|', 0, '5000'],
  ['rejects a missing required body tag with 373=1, the lowest missing tag first', H + '21=1|40=1|54=1|60=20240102-03:04:05|', 1, '11'],
  ['rejects a missing required header tag with 373=1 before looking at the body', '8=FIX.4.4|35=0|34=2|49=TW|52=20240102-03:04:05|', 1, '56'],
  ['rejects a Logon without EncryptMethod and HeartBtInt with 373=1 on the lower tag', '8=FIX.4.4|35=A|34=1|49=TW|52=20240102-03:04:05|56=ISLD|', 1, '98'],
  ['rejects a tag defined elsewhere but not for this message with 373=2', '8=FIX.4.4|35=0|34=2|49=TW|52=20240102-03:04:05|56=ISLD|55=MSFT|', 2, '55'],
  ['rejects a tag with no value with 373=4', '8=FIX.4.4|35=0|34=2|49=TW|52=20240102-03:04:05|56=|', 4, '56'],
  ['rejects an empty routing field in the header with 373=4', H + '115=|' + ORDER, 4, '115'],
  ['rejects a value outside the enumeration with 373=5 (HandlInst=4)', H + ORDER.replace('21=1', '21=4'), 5, '21'],
  ['rejects a value outside the enumeration with 373=5 (Side=Z)', H + ORDER.replace('54=1', '54=Z'), 5, '54'],
  ['rejects a quantity with a leading + with 373=6', H + ORDER.replace('38=100', '38=+200.00'), 6, '38'],
  ['rejects a quantity that is not a number with 373=6', H + ORDER.replace('38=100', '38=abc'), 6, '38'],
  ['rejects a date where a timestamp is required with 373=6', H + ORDER + '126=20040415|', 6, '126'],
  ['rejects a header field after the body with 373=14, naming the first misplaced tag', '8=FIX.4.4|35=D|11=id|21=3|40=1|54=1|55=MSFT|60=20240102-03:04:05|34=2|49=TW|52=20240102-03:04:05|56=ISLD|', 14, '34'],
  ['rejects a tag repeated outside a repeating group with 373=13', H + ORDER.replace('40=1', '40=1|40=2'), 13, '40'],
  ['rejects a NumInGroup that does not match the entries with 373=16', H + ORDER + '386=3|336=PRE|336=POST|', 16, '386'],
  ['rejects an unknown MsgType with 373=11 and no RefTagID', '8=FIX.4.4|35=*|34=2|49=TW|52=20240102-03:04:05|56=ISLD|', 11, null],
  ['reports the missing required tag before a bad value elsewhere (required tags are checked first)', H + '21=4|40=1|54=1|55=X|60=20240102-03:04:05|', 1, '11'],
  ['reports the lowest-numbered bad field first', H + ORDER.replace('21=1', '21=4').replace('54=1', '54=Z'), 5, '21'],
  // the byte rule (value-bytes.ts)
  ['rejects a high-bit byte in an identifier (Account) with 373=6', H + ORDER + '1=ACC\x81100=XLON|', 6, '1'],
  ['rejects a ClOrdID with UTF-8 bytes with 373=6', H + ORDER.replace('11=ID', '11=X-\xc3\xa9'), 6, '11'],
  ['rejects a Symbol with a high-bit byte with 373=6', H + ORDER.replace('55=INTC', '55=AAP\xcc'), 6, '55'],
  ['rejects a NUL in a free-text field with 373=6', H + ORDER + '58=a\x00b|', 6, '58'],
  ['rejects DEL in a free-text field with 373=6', H + ORDER + '58=a\x7fb|', 6, '58'],
  ['rejects a control character in a header routing field with 373=6', H.replace('52=', '115=FUND\x02|52=') + ORDER, 6, '115'],
  ['rejects a NUL in MsgSeqNum with 373=6', H.replace('34=2', '34=2\x00') + ORDER, 6, '34'],
  ['accepts high-bit bytes in free text (Text 58, carried byte for byte)', H + ORDER + '58=caf\xc3\xa9 \x81|', null, null],
  ['rejects an identifier longer than 128 bytes with 373=5', H + ORDER.replace('11=ID', `11=${'A'.repeat(129)}`), 5, '11'],
  ['accepts an identifier of 128 bytes', H + ORDER.replace('11=ID', `11=${'A'.repeat(128)}`), null, null],
  ['accepts a space inside an identifier (printable ASCII)', H + ORDER.replace('55=INTC', '55=BRK B'), null, null],
  ['accepts any byte in a DATA field, delimited by its length', '8=FIX.4.4|35=A|34=1|49=TW|52=20240102-03:04:05|56=ISLD|95=3|96=\x00\x01\xff|98=0|108=30|', null, null]
]

describe('session-level validation against FIX44.xml', () => {
  let dict: SessionDictionary
  before(async () => { dict = (await FixCodec.load()).dictionary })

  const msg = (text: string): RawMessage => {
    const r = parseFrame(fix(text), dict.dataLengths)
    if (!r.ok) throw new Error(`test message garbled: ${r.reason}`)
    return r.msg
  }

  for (const [spec, text, reason, refTag] of CASES) {
    it(spec, () => {
      const p = validateMessage(msg(text), dict)
      if (reason == null) {
        expect(p).to.equal(null)
      } else {
        expect(p, 'a problem').to.not.equal(null)
        expect([p?.reason, p?.refTagId ?? null]).to.deep.equal([reason, refTag])
      }
    })
  }

  it('applies the byte rule even with dictionary validation off (checkValueBytes)', () => {
    expect(checkValueBytes(msg(H + ORDER + '1=A\x00|'), dict)).to.deep.include({ reason: 6, refTagId: '1' })
    expect(checkValueBytes(msg(H + ORDER + '58=\xe9|'), dict)).to.equal(null)
  })

  it('byte rule: identifiers take 0x20-0x7E only, other values anything but 0x00-0x1F and 0x7F, DATA anything', () => {
    for (let b = 0; b < 256; b++) {
      const v = `A${String.fromCharCode(b)}B`
      const printable = b >= 0x20 && b <= 0x7e
      const control = b < 0x20 || b === 0x7f
      expect(valueBytesProblem(11, 'STRING', v) == null, `ClOrdID byte ${b}`).to.equal(printable)
      expect(valueBytesProblem(58, 'STRING', v) == null, `Text byte ${b}`).to.equal(!control)
      expect(valueBytesProblem(96, 'DATA', v), `RawData byte ${b}`).to.equal(null)
    }
    expect(valueBytesProblem(55, 'STRING', 'AAP\xcc')).to.equal('byte 0xCC at offset 3: only printable ASCII is allowed')
    expect([...IDENTIFIER_TAGS]).to.include.members([1, 11, 41, 55, 100, 167, 49, 56])
  })

  it('lets user-defined tags pass when userDefinedFields is off', () => {
    expect(validateMessage(msg(H + ORDER + '5000=HI|'), dict, { ...DEFAULT_VALIDATION, userDefinedFields: false })).to.equal(null)
  })

  it('lets header fields out of place pass when fieldsOutOfOrder is off', () => {
    const text = '8=FIX.4.4|35=D|11=id|21=3|40=1|54=1|55=MSFT|60=20240102-03:04:05|34=2|49=TW|52=20240102-03:04:05|56=ISLD|'
    expect(validateMessage(msg(text), dict, { ...DEFAULT_VALIDATION, fieldsOutOfOrder: false })).to.equal(null)
  })

  it('lets enumeration values pass unchecked when fieldValues is off (formats are still checked)', () => {
    expect(validateMessage(msg(H + ORDER.replace('54=1', '54=Z')), dict, { ...DEFAULT_VALIDATION, fieldValues: false })).to.equal(null)
    expect(validateMessage(msg(H + ORDER.replace('38=100', '38=abc')), dict, { ...DEFAULT_VALIDATION, fieldValues: false })?.reason).to.equal(6)
  })
})
