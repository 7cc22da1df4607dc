/**
 * What a FIX 4.4 session does once logged on, the same in both roles (Artio-style: one
 * behaviour suite, run for the acceptor and for the initiator). Real sockets on
 * loopback, an in-memory store; the counterparty writes raw FIX.
 */
import { expect } from 'chai'
import { startHarness, waitUntil, type Harness, type Role } from '../../support/session-harness'

const ORDER = '11=ID|21=1|38=100|40=1|54=1|55=INTC|60=<NOW>|'

function sessionBehaviour (role: Role): void {
  let h: Harness
  afterEach(async () => { await h?.stop() })

  it('answers a TestRequest with a Heartbeat carrying its TestReqID', async () => {
    h = await startHarness(role)
    h.send('1', 2, '112=PING|')
    const hb = await h.peer.next()
    expect([hb.msgType, hb.get(34), hb.get(112)]).to.deep.equal(['0', '2', 'PING'])
  })

  it('passes application messages to the application in sequence, each once', async () => {
    h = await startHarness(role)
    h.send('D', 2, ORDER.replace('ID', 'A'))
    h.send('D', 3, ORDER.replace('ID', 'B'))
    await waitUntil(() => h.app.messages.length === 2, 2000, 'two orders')
    expect(h.app.messages.map((m) => m.seq)).to.deep.equal([2, 3])
    expect(h.session.nextTargetSeqNum).to.equal(4)
  })

  it('asks for the missing messages when MsgSeqNum is too high, and processes the queued ones in order once the gap is filled', async () => {
    h = await startHarness(role)
    h.send('D', 4, ORDER.replace('ID', 'C'))
    const rr = await h.peer.next()
    expect([rr.msgType, rr.get(7), rr.get(16)]).to.deep.equal(['2', '2', '0'])
    h.send('D', 5, ORDER.replace('ID', 'D')) // still queued: no second ResendRequest
    await h.peer.quiet(200)
    expect(h.app.messages).to.have.length(0)
    h.send('D', 2, ORDER.replace('ID', 'A'), `43=Y|122=<NOW-1>|`)
    h.send('D', 3, ORDER.replace('ID', 'B'), `43=Y|122=<NOW-1>|`)
    await waitUntil(() => h.app.messages.length === 4, 2000, 'four orders')
    expect(h.app.messages.map((m) => m.seq)).to.deep.equal([2, 3, 4, 5])
  })

  it('moves the expected number on a SequenceReset-GapFill, then processes the queued messages', async () => {
    h = await startHarness(role)
    h.send('D', 5, ORDER)
    expect((await h.peer.next()).msgType).to.equal('2')
    h.send('4', 2, '36=5|123=Y|', '43=Y|122=<NOW>|')
    await waitUntil(() => h.app.messages.length === 1, 2000, 'the queued order')
    expect(h.app.messages[0].seq).to.equal(5)
    expect(h.session.nextTargetSeqNum).to.equal(6)
  })

  it('accepts a SequenceReset-Reset whatever its MsgSeqNum, and rejects one that would lower the expected number (373=5)', async () => {
    h = await startHarness(role)
    h.send('4', 0, '36=10|')
    await waitUntil(() => h.session.nextTargetSeqNum === 10, 2000, 'reset to 10')
    h.send('4', 0, '36=3|')
    const rej = await h.peer.next()
    expect([rej.msgType, rej.get(45), rej.get(372), rej.get(373), rej.get(371)]).to.deep.equal(['3', '0', '4', '5', undefined])
    expect(h.session.nextTargetSeqNum).to.equal(10)
  })

  it('logs out when MsgSeqNum is too low and PossDupFlag is not set, saying what it expected, then disconnects', async () => {
    h = await startHarness(role)
    h.send('0', 2)
    h.send('0', 2)
    const lo = await h.peer.next()
    expect([lo.msgType, lo.get(58)]).to.deep.equal(['5', 'MsgSeqNum too low, expecting 3 but received 2'])
    await h.peer.closedByPeer()
  })

  it('ignores a possible duplicate of a message already received', async () => {
    h = await startHarness(role)
    h.send('D', 2, ORDER)
    h.send('D', 2, ORDER, '43=Y|122=<NOW-1>|')
    h.send('1', 3, '112=AFTER|')
    expect((await h.peer.next()).get(112)).to.equal('AFTER')
    expect(h.app.messages).to.have.length(1)
  })

  it('rejects a possible duplicate without OrigSendingTime (373=1, 371=122)', async () => {
    h = await startHarness(role)
    h.send('D', 2, ORDER, '43=Y|')
    const rej = await h.peer.next()
    expect([rej.msgType, rej.get(371), rej.get(373)]).to.deep.equal(['3', '122', '1'])
    expect(h.app.messages).to.have.length(0)
  })

  it('ignores a message with a bad CheckSum without consuming its sequence number', async () => {
    h = await startHarness(role)
    h.send('0', 2, '', '') // fine
    h.peer.send(`8=FIX.4.4|35=0|34=3|49=TW|52=<NOW>|56=ISLD|10=256|`)
    h.send('1', 3, '112=STILL3|')
    expect((await h.peer.next()).get(112)).to.equal('STILL3')
  })

  it('rejects a NewOrderSingle with Side=Z (373=5) and never passes it to the application', async () => {
    h = await startHarness(role)
    h.send('D', 2, ORDER.replace('54=1', '54=Z'))
    const rej = await h.peer.next()
    expect([rej.msgType, rej.get(45), rej.get(371), rej.get(372), rej.get(373)]).to.deep.equal(['3', '2', '54', 'D', '5'])
    h.send('1', 3, '112=NEXT|')
    expect((await h.peer.next()).get(112)).to.equal('NEXT')
    expect(h.app.messages).to.have.length(0)
  })

  it('answers a message type the application does not support with BusinessMessageReject 380=3', async () => {
    h = await startHarness(role)
    h.app.supported = (t) => t === 'D'
    h.send('8', 2, '37=O|17=E|150=0|39=0|55=X|54=1|151=1|14=0|6=0|')
    const bmr = await h.peer.next()
    expect([bmr.msgType, bmr.get(45), bmr.get(372), bmr.get(380)]).to.deep.equal(['j', '2', '8', '3'])
  })

  it('replays stored application messages with PossDupFlag=Y and OrigSendingTime, and gap-fills session messages', async () => {
    h = await startHarness(role)
    h.session.sendTags('D', [[11, 'X1'], [21, '1'], [40, '1'], [54, '1'], [55, 'A'], [60, '20240102-03:04:05']]) // 2
    const sent = [await h.peer.next()]
    h.send('1', 2, '112=T|') // our 3: Heartbeat
    sent.push(await h.peer.next())
    h.session.sendTags('D', [[11, 'X2'], [21, '1'], [40, '1'], [54, '1'], [55, 'B'], [60, '20240102-03:04:05']]) // 4
    sent.push(await h.peer.next())
    expect(sent.map((m) => m.msgType)).to.deep.equal(['D', '0', 'D'])
    h.send('2', 3, '7=1|16=0|')
    const replay = [await h.peer.next(), await h.peer.next(), await h.peer.next(), await h.peer.next()]
    expect(replay.map((m) => [m.msgType, m.get(34), m.get(43), m.get(36), m.get(123)])).to.deep.equal([
      ['4', '1', 'Y', '2', 'Y'], ['D', '2', 'Y', undefined, undefined], ['4', '3', 'Y', '4', 'Y'], ['D', '4', 'Y', undefined, undefined]
    ])
    expect(replay[1].get(122)).to.equal(sent[0].get(52))
    expect(replay[1].get(11)).to.equal('X1')
    h.send('1', 4, '112=AFTER|') // our numbering carries on after the replay
    const hb = await h.peer.next()
    expect([hb.get(34), hb.get(112)]).to.deep.equal(['5', 'AFTER'])
  })

  it('rejects a message with a wrong CompID (373=9) and logs out', async () => {
    h = await startHarness(role)
    h.peer.send(`8=FIX.4.4|35=0|34=2|49=WT|52=<NOW>|56=ISLD|`)
    const rej = await h.peer.next()
    expect([rej.msgType, rej.get(373)]).to.deep.equal(['3', '9'])
    expect((await h.peer.next()).msgType).to.equal('5')
  })

  it('sends a TestRequest after 1.2 HeartBtInt of silence and disconnects after 2.4 HeartBtInt without an answer', async function () {
    this.timeout(8000)
    h = await startHarness(role, { settings: { heartBtInt: 1 }, logon: '98=0|108=1|' })
    const t0 = Date.now()
    let m = await h.peer.next()
    while (m.msgType === '0') m = await h.peer.next() // our heartbeats
    expect([m.msgType, m.get(112)]).to.deep.equal(['1', 'TEST'])
    expect(Date.now() - t0).to.be.within(1000, 2000)
    while (!h.peer.isClosed) await h.peer.next(3000).catch(() => undefined)
    expect(Date.now() - t0).to.be.within(2200, 3600)
  })

  it('logs out politely: answers the peer\'s Logout and closes the connection', async () => {
    h = await startHarness(role)
    h.send('5', 2)
    expect((await h.peer.next()).msgType).to.equal('5')
    await h.peer.closedByPeer()
    expect(h.session.isReady).to.equal(false)
  })
}

describe('FIX session behaviour', () => {
  for (const role of ['acceptor', 'initiator'] as const) {
    describe(`${role} session`, () => sessionBehaviour(role))
  }
})
