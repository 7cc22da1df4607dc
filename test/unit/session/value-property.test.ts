/**
 * Property: any byte string in any field of a NewOrderSingle ends in one of three ways,
 * each of which can be stored and sent: the frame is garbled (ignored), the session
 * rejects it (a Reject we can encode), or the order is validated — and then accepted
 * (the client's ER and the broker's NewOrderSingle encode, carry the client's values
 * byte for byte, and parse back to the same fields) or rejected (an ER Rejected we can
 * encode). Nothing we would write contains a NUL (Postgres text refuses it) or fails
 * to encode after its state was committed.
 *
 * This follows the path of a client message without the database: framing
 * (parseFrame), the session's checks (validateMessage), the application's reading
 * (MessageView → readNewOrderSingle), the domain's validation, the order as stored,
 * and the messages built from it (messages.ts → FixCodec.encodeBody → encodeMessage).
 */
import { expect } from 'chai'
import fc from 'fast-check'
import { FixCodec } from '../../../src/fix/session/codec'
import { validateMessage } from '../../../src/fix/session/validate/validate'
import { parseFrame } from '../../../src/fix/session/wire/raw-message'
import { encodeMessage, type TagValue } from '../../../src/fix/session/wire/encoder'
import { messageView } from '../../../src/fix/session/message-view'
import * as admin from '../../../src/fix/session/admin-messages'
import { brokerNewOrderSingle, clientExecutionReport, readNewOrderSingle } from '../../../src/fix/app/messages'
import { validateNewOrder } from '../../../src/domain/new-order'
import { receiveOrder } from '../../../src/domain/order-apply'
import { asOrderId } from '../../../src/domain/ids'
import { orderShell } from '../../../src/oms/order-ops'
import type { Order } from '../../../src/domain/order'

const HEADER: TagValue[] = [[34, '2'], [49, 'CLIENT1'], [52, '20240102-03:04:05.000'], [56, 'FIXGW']]
const BODY: TagValue[] = [[11, 'ORD-1'], [1, 'ACC'], [21, '1'], [55, 'AAPL'], [167, 'CS'], [100, 'XNAS'], [54, '1'], [60, '20240102-03:04:05'],
  [38, '100'], [40, '2'], [44, '10.5'], [59, '0'], [58, 'note']]
/** the fields a hostile value goes into: every one the order path reads, and Text */
const TARGETS = [11, 1, 21, 55, 167, 100, 54, 38, 40, 44, 59, 58, 99, 126]

const latin1 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('latin1')

/** bytes a fuzzer would try: anything, weighted toward the interesting ones */
const hostileByte = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: 0x20, max: 0x7e }) },
  { weight: 1, arbitrary: fc.integer({ min: 0x00, max: 0x1f }) },
  { weight: 1, arbitrary: fc.constantFrom(0x7f, 0x80, 0x81, 0xa9, 0xc3, 0xcc, 0xff) },
  { weight: 1, arbitrary: fc.integer({ min: 0x80, max: 0xff }) },
  { weight: 1, arbitrary: fc.constantFrom(0x3d, 0x7c, 0x30, 0x39, 0x2e, 0x2d) } // = | 0 9 . -
)
const hostileValue = fc.oneof(
  fc.uint8Array({ minLength: 0, maxLength: 24 }).map(latin1),
  fc.array(hostileByte, { minLength: 0, maxLength: 24 }).map((a) => latin1(Uint8Array.from(a))),
  fc.constantFrom('ACC\x81100=XLON', 'X-\xc3\xa9', 'AAP\xcc', 'AAPL\x81', '2\x00', 'a\x00b', '1e5', '+5', '-5', '0', '.5', '5.', ' 5')
)

describe('property: any bytes in any order field end in a message we can store and send', function () {
  this.timeout(60000)
  let codec: FixCodec
  before(async () => { codec = await FixCodec.load() })

  /** Encode, check it is storable (no NUL) and that it parses back; return the fields. */
  const wire = (msgType: string, header: TagValue[], body: TagValue[]): Map<number, string> => {
    const bytes = encodeMessage({ beginString: 'FIX.4.4', msgType, fields: header }, body)
    expect(bytes.includes(0), `a NUL in our ${msgType}`).to.equal(false)
    const parsed = parseFrame(bytes, codec.dataLengths)
    if (!parsed.ok) throw new Error(`our own ${msgType} does not parse: ${parsed.reason}`)
    return new Map(parsed.msg.fields.map((f) => [f.tag, f.value]))
  }

  it('holds for 3,000 random messages', () => {
    const outcomes = { garbled: 0, sessionReject: 0, rejected: 0, accepted: 0 }
    fc.assert(fc.property(fc.constantFrom(...TARGETS), hostileValue, (tag, value) => {
      const body: TagValue[] = BODY.filter(([t]) => t !== tag)
      body.push([tag, value])
      const parsed = parseFrame(encodeMessage({ beginString: 'FIX.4.4', msgType: 'D', fields: HEADER }, body), codec.dataLengths)
      if (!parsed.ok) { outcomes.garbled++; return }
      const m = parsed.msg
      const problem = validateMessage(m, codec.dictionary)
      if (problem != null) {
        outcomes.sessionReject++
        const out = admin.reject(m, problem)
        wire('3', [...HEADER, ...(out.header ?? [])], [...out.body])
        return
      }
      const req = readNewOrderSingle(messageView(m))
      const v = validateNewOrder(req)
      if (!v.ok) {
        outcomes.rejected++
        const order = { ...orderShell('client1', req.clOrdId, req), ordType: (req.ordType ?? '2') as Order['ordType'] }
        const er = clientExecutionReport({ order, execId: 'E-1', execType: '8', ordStatus: '8', ordRejReason: v.ordRejReason, text: v.text, clOrdId: req.clOrdId })
        wire('8', HEADER, codec.encodeBody('8', er))
        return
      }
      outcomes.accepted++
      const order = receiveOrder(asOrderId('O-1'), 'client1', v.order)
      const er = wire('8', HEADER, codec.encodeBody('8', clientExecutionReport({ order, execId: 'E-1', execType: '0', ordStatus: '0' })))
      const nos = wire('D', HEADER, codec.encodeBody('D', brokerNewOrderSingle('B-1', order)))
      // the client's identifiers, byte for byte, where they go
      expect([er.get(11), er.get(55), er.get(1)]).to.deep.equal([m.get(11), m.get(55), m.get(1)])
      for (const t of [1, 55, 167, 100]) expect(nos.get(t), `tag ${t} toward the broker`).to.equal(m.get(t))
      // and nothing more than the order's own fields toward the broker
      expect([...nos.keys()].filter((t) => ![8, 9, 10, 34, 35, 49, 52, 56, 60].includes(t)).sort((a, b) => a - b))
        .to.deep.equal([1, 11, 21, 38, 40, 44, 54, 55, 59, 100, 167, ...(order.stopPx != null ? [99] : []), ...(order.expireTime != null ? [126] : [])].sort((a, b) => a - b))
    }), { numRuns: 3000, seed: 20261203 })
    // every way out was taken, so the property was not vacuous
    for (const [k, n] of Object.entries(outcomes)) expect(n, k).to.be.greaterThan(0)
  })
})
