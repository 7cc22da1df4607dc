/**
 * The reproducers of the fuzz run (issue 9), each over a real socket against a running
 * gateway on a real Postgres: a client that sends raw bytes (RawFixPeer), a scripted
 * broker that sees exactly what the gateway routes.
 *
 * What must hold: a value is never rewritten on its way through; a value with bytes its
 * field may not hold is refused with a session Reject 373=6 naming the tag, before any
 * state changes; no input error is reported as "storage unavailable" (380=4); the
 * session stays up; nothing stored is left unsendable.
 */
import { expect } from 'chai'
import { startHarness, type Harness } from '../support/gateway-harness'
import { RawFixPeer, type Received } from '../support/raw-fix-peer'
import type { ReceivedMessage } from '../../src/fix/client/fix-peer'

const HEADER = '8=FIX.4.4|35=%T|34=%S|49=CLIENT1|52=<NOW>|56=FIXGW|'

describe('hostile input from a client (real socket, real Postgres)', function () {
  this.timeout(60000)
  let h: Harness
  let peer: RawFixPeer
  let seq = 1
  let brokerExec = 0

  /** Send a client message with the next MsgSeqNum (or the one given, as is). */
  const send = (msgType: string, body: string, seqText?: string): string => {
    const s = seqText ?? String(seq++)
    peer.send(HEADER.replace('%T', msgType).replace('%S', s) + body)
    return s
  }
  const order = (clOrdId: string, extra = '', symbol = 'AAPL'): string =>
    `11=${clOrdId}|21=1|55=${symbol}|54=1|60=<NOW>|38=100|40=2|44=10|59=0|${extra}`

  /** The next message the client gets that is not a Heartbeat. */
  const nextAnswer = async (timeoutMs = 5000): Promise<Received> => {
    for (;;) {
      const m = await peer.next(timeoutMs)
      if (m.msgType !== '0') return m
    }
  }

  /** The broker acknowledges the gateway's NewOrderSingle. */
  const brokerAck = (nos: ReceivedMessage): void => {
    brokerExec++
    h.broker!.sendTags('8', [[37, `B-${brokerExec}`], [11, nos.get(11) ?? ''], [17, `BX-${brokerExec}`], [150, '0'], [39, '0'],
      [55, nos.get(55) ?? ''], [54, nos.get(54) ?? '1'], [151, nos.get(38) ?? '0'], [14, '0'], [6, '0']])
  }

  const expectReject = async (tag: number, refSeq: string | null): Promise<void> => {
    const r = await nextAnswer()
    expect(r.msgType, r.text).to.equal('3')
    expect([r.get(373), r.get(371), r.get(45) ?? null]).to.deep.equal(['6', String(tag), refSeq])
  }

  /** The session is up and in sequence: a TestRequest is answered with its id, not a ResendRequest or a Logout. */
  const expectSessionUp = async (id: string): Promise<void> => {
    send('1', `112=${id}|`)
    const hb = await peer.next(5000)
    expect([hb.msgType, hb.get(112)], hb.text).to.deep.equal(['0', id])
  }

  const storedOrders = async (clOrdId: string): Promise<number> =>
    Number((await h.gateway.db('client_order_ids').where({ client_session: 'client1', cl_ord_id: clOrdId }).count({ n: '*' }).first())?.n ?? 0)

  before(async () => {
    h = await startHarness({ broker: 'scripted', rawClient: true })
    peer = await RawFixPeer.connect(h.clientPort)
  })
  after(async () => {
    peer?.close()
    await h?.stop()
  })

  it('refuses a Logon asking for a HeartBtInt above the bound with a Logout that says why', async () => {
    peer.send('8=FIX.4.4|35=A|34=1|49=CLIENT1|52=<NOW>|56=FIXGW|98=0|108=99999999999|')
    const out = await peer.next(5000)
    expect(out.msgType, out.text).to.equal('5')
    expect(out.get(58)).to.equal('Logon rejected: HeartBtInt(108)=99999999999 is above the maximum 3600 seconds')
    await peer.closedByPeer(5000)
    peer = await RawFixPeer.connect(h.clientPort)
    peer.send('8=FIX.4.4|35=A|34=1|49=CLIENT1|52=<NOW>|56=FIXGW|98=0|108=30|141=Y|')
    const logon = await peer.next(5000)
    expect(logon.msgType, logon.text).to.equal('A')
    seq = 2
  })

  it('refuses a high-bit byte in Account (0x81 once became SOH: 100=XLON injected toward the broker)', async () => {
    const s = send('D', order('TI-1', '1=ACC\x81100=XLON|'))
    await expectReject(1, s)
    expect(await storedOrders('TI-1')).to.equal(0)
  })

  it('routes the next clean order with exactly the fields the client sent, nothing injected', async () => {
    send('D', order('TI-2', '1=ACC|'))
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    // the whole message as the broker received it, less what is stamped per message
    const fields = nos.fields.filter(([t]) => ![9, 10, 34, 52, 60].includes(t))
    expect(fields).to.deep.equal([[8, 'FIX.4.4'], [35, 'D'], [49, 'FIXGW'], [56, 'BROKER1'],
      [11, nos.get(11)], [1, 'ACC'], [21, '1'], [55, 'AAPL'], [54, '1'], [38, '100'], [40, '2'], [44, '10'], [59, '0']])
    brokerAck(nos)
    const er = await nextAnswer()
    expect([er.msgType, er.get(11), er.get(150), er.get(1)]).to.deep.equal(['8', 'TI-2', '0', 'ACC'])
  })

  it('refuses a ClOrdID with bytes outside printable ASCII, so a later X-C) is a new order, not a duplicate', async () => {
    const s = send('D', order('X-\xc3\xa9'))
    await expectReject(11, s)
    send('D', order('X-C)'))
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    brokerAck(nos)
    const er = await nextAnswer()
    expect([er.get(11), er.get(150), er.get(39)]).to.deep.equal(['X-C)', '0', '0'])
  })

  it('refuses a Symbol with a high-bit byte (AAP\\xcc once traded as AAPL), and nothing is stored', async () => {
    const s = send('D', order('SY-1', '', 'AAP\xcc'))
    await expectReject(55, s)
    expect(await storedOrders('SY-1')).to.equal(0)
  })

  it('refuses AAPL\\x81 without storing the order, so the retry with the same ClOrdID is accepted', async () => {
    const s = send('D', order('SY-2', '', 'AAPL\x81'))
    await expectReject(55, s)
    expect(await storedOrders('SY-2')).to.equal(0)
    send('D', order('SY-2'))
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    expect(nos.get(55)).to.equal('AAPL')
    brokerAck(nos)
    const er = await nextAnswer()
    expect([er.get(11), er.get(150)]).to.deep.equal(['SY-2', '0'])
  })

  for (const [tag, extra, symbol] of [[1, '1=A\x00B|', 'AAPL'], [55, '', 'AA\x00PL'], [58, '58=note\x00|', 'AAPL']] as const) {
    it(`answers a NUL in tag ${tag} with 373=6 (not "storage unavailable") and stays up`, async () => {
      const id = `NUL-${tag}`
      const s = send('D', order(id, extra, symbol))
      await expectReject(tag, s)
      expect(await storedOrders(id)).to.equal(0)
      await expectSessionUp(`UP-${tag}`)
    })
  }

  it('answers a NUL in MsgSeqNum with 373=6 and no RefSeqNum, and the session stays up and in sequence', async () => {
    send('0', '', `${seq}\x00`)
    const r = await nextAnswer()
    expect([r.msgType, r.get(373), r.get(371), r.get(45)], r.text).to.deep.equal(['3', '6', '34', undefined])
    // the garbled number was not counted: the next message with the expected number is in sequence
    await expectSessionUp('AFTER-NUL-SEQ')
  })

  it('answers a non-numeric MsgSeqNum without echoing it into RefSeqNum', async () => {
    send('0', '', 'abc')
    const r = await nextAnswer()
    expect([r.msgType, r.get(373), r.get(371), r.get(45)], r.text).to.deep.equal(['3', '6', '34', undefined])
    await expectSessionUp('AFTER-ABC')
  })

  it('keeps high-bit bytes of free text: the client\'s Text is accepted and the broker\'s Text is relayed byte for byte', async () => {
    send('D', order('TXT-1', '58=caf\xc3\xa9 \x81|'))
    const nos = await h.broker!.next((m) => m.msgType === 'D')
    brokerAck(nos)
    const ack = await nextAnswer()
    expect([ack.get(11), ack.get(150)]).to.deep.equal(['TXT-1', '0'])
    brokerExec++
    h.broker!.sendTags('8', [[37, 'B-TXT'], [11, nos.get(11) ?? ''], [17, `BX-${brokerExec}`], [150, '4'], [39, '4'],
      [55, 'AAPL'], [54, '1'], [151, '0'], [14, '0'], [6, '0'], [58, 'annul\xe9 \xc3\xa9\x81']])
    const canceled = await nextAnswer()
    expect([canceled.get(11), canceled.get(150), canceled.get(58)]).to.deep.equal(['TXT-1', '4', 'annul\xe9 \xc3\xa9\x81'])
  })

  it('refuses a ClOrdID longer than an identifier may be (it once failed the commit: 380=4), and stays up', async () => {
    // random, so Postgres cannot compress it under its index entry limit
    let id = ''
    let x = 20261203
    for (let i = 0; i < 3000; i++) {
      x = (x * 1103515245 + 12345) % 2147483648
      id += String.fromCharCode(0x21 + ((x >>> 16) % 91))
    }
    id = id.replace(/\|/g, 'x')
    const s = send('D', order(id))
    const r = await nextAnswer()
    expect([r.msgType, r.get(373), r.get(371), r.get(45)], r.text.slice(0, 200)).to.deep.equal(['3', '5', '11', s])
    await expectSessionUp('AFTER-LONG-ID')
  })

  it('answers a replace that changes the Symbol with an OrderCancelReject whose Text can be sent (it once held a U+2192 arrow and failed to encode)', async () => {
    send('G', '11=TI-2R|41=TI-2|55=MSFT|54=1|60=<NOW>|38=100|40=2|44=10|')
    const r = await nextAnswer()
    expect([r.msgType, r.get(434), r.get(102), r.get(58)], r.text).to.deep.equal(['9', '2', '99', 'Symbol(55) cannot change on replace (AAPL -> MSFT)'])
  })

  it('leaves no stored order unsendable: nothing is pending, and a mass cancel reaches the broker for every open order', async () => {
    await h.gateway.drain()
    const pending = await h.gateway.db('orders').where({ client_session: 'client1', state: 'PendingNew' }).count({ n: '*' }).first()
    expect(Number(pending?.n)).to.equal(0)
    const open = await h.gateway.db('orders').where({ client_session: 'client1', state: 'New' }).select('order_id')
    expect(open.length).to.equal(3) // TI-2, X-C), SY-2
    send('q', '11=MC-1|530=7|60=<NOW>|')
    const report = await nextAnswer()
    expect([report.msgType, report.get(531), report.get(533)]).to.deep.equal(['r', '7', '3'])
    for (let i = 0; i < open.length; i++) await h.broker!.next((m) => m.msgType === 'F')
  })
})
