/**
 * Logon, logout and store failures, per role: FIX 4.4 Vol 2 test cases 1a-1e (logon),
 * 13 (logout) and our own rule that a failed store write stops the session.
 */
import { expect } from 'chai'
import { header, startHarness, waitUntil, type Harness, US, THEM } from '../../support/session-harness'
import { RawFixPeer } from '../../support/raw-fix-peer'
import { MemorySessionStore } from '../../../src/fix/store/memory-session-store'
import type { StoredMessage } from '../../../src/fix/store/session-store'
import { FixCodec } from '../../../src/fix/session/codec'
import { FixgwSession } from '../../../src/fix/session/fixgw-session'
import { sessionSettings } from '../../../src/fix/session/session-settings'
import { Listener } from '../../../src/fix/transport/acceptor'
import { IpAllowList } from '../../../src/fix/transport/ip-allow-list'
import { createLogger } from '../../../src/log/logger'
import { findFreePort } from '../../../src/db/embedded-postgres'
import { RecordingApp } from '../../support/session-harness'

const ID = { beginString: 'FIX.4.4', senderCompId: US, targetCompId: THEM, name: 't' }

/** A memory store whose writes can be made to fail. */
class FlakyStore extends MemorySessionStore {
  failAppends = 0
  override async appendOutbound (m: readonly StoredMessage[]): Promise<void> {
    if (this.failAppends > 0) { this.failAppends--; throw new Error('disk on fire') }
    await super.appendOutbound(m)
  }
}

describe('FIX session logon (acceptor)', () => {
  let h: Harness
  afterEach(async () => { await h?.stop() })

  it('answers a valid Logon with its own, adopting the peer\'s HeartBtInt', async () => {
    h = await startHarness('acceptor', { logOn: false })
    h.send('A', 1, '98=0|108=7|')
    const reply = await h.peer.next()
    expect([reply.msgType, reply.get(34), reply.get(98), reply.get(108), reply.get(141)]).to.deep.equal(['A', '1', '0', '7', undefined])
  })

  it('answers the Logon, then asks for a resend, when the Logon\'s MsgSeqNum is too high', async () => {
    h = await startHarness('acceptor', { logOn: false })
    h.send('A', 5, '98=0|108=30|')
    expect((await h.peer.next()).msgType).to.equal('A')
    const rr = await h.peer.next()
    expect([rr.msgType, rr.get(7), rr.get(16)]).to.deep.equal(['2', '1', '0'])
  })

  it('closes a connection whose first message is not a Logon, without a word', async () => {
    h = await startHarness('acceptor', { logOn: false })
    h.send('0', 1)
    await h.peer.closedByPeer()
  })

  it('closes a connection that sends no Logon within the logon timeout', async () => {
    h = await startHarness('acceptor', { logOn: false, settings: { logonTimeoutSeconds: 1 } })
    const t0 = Date.now()
    await h.peer.closedByPeer(3000)
    expect(Date.now() - t0).to.be.within(800, 2000)
  })

  it('closes the connection on a Logon with a SendingTime more than 120 s off, without a word', async () => {
    h = await startHarness('acceptor', { logOn: false })
    h.peer.send('8=FIX.4.4|35=A|34=1|49=TW|52=<NOW-200>|56=ISLD|98=0|108=30|')
    await h.peer.closedByPeer()
  })

  it('refuses a Logon with a wrong password: Logout with the reason, then disconnect', async () => {
    h = await startHarness('acceptor', { logOn: false, settings: { username: 'u1', password: 's3cret' } })
    h.send('A', 1, '98=0|108=30|553=u1|554=guess|')
    const lo = await h.peer.next()
    expect([lo.msgType, lo.get(58)]).to.deep.equal(['5', 'Logon rejected: invalid username or password'])
    await h.peer.closedByPeer()
  })

  it('accepts a Logon with the configured username and password', async () => {
    h = await startHarness('acceptor', { settings: { username: 'u1', password: 's3cret' }, logon: '98=0|108=30|553=u1|554=s3cret|' })
    expect(h.session.isReady).to.equal(true)
  })

  it('refuses a second connection for a session already logged on, leaving the first alone', async () => {
    h = await startHarness('acceptor')
    const first = h.peer
    const second = await h.reconnect()
    second.send(header('A', 1) + '98=0|108=30|')
    await second.closedByPeer()
    expect(h.session.isReady).to.equal(true)
    h.peer = first
    h.send('1', 2, '112=STILL|')
    expect((await first.next()).get(112)).to.equal('STILL')
  })

  it('resets both sequence numbers on ResetSeqNumFlag=Y and answers with ResetSeqNumFlag=Y', async () => {
    h = await startHarness('acceptor')
    h.send('0', 2)
    h.send('1', 3, '112=X|')
    await h.peer.next()
    h.send('A', 1, '98=0|108=30|141=Y|')
    const reply = await h.peer.next()
    expect([reply.msgType, reply.get(34), reply.get(141)]).to.deep.equal(['A', '1', 'Y'])
    h.send('1', 2, '112=Y|')
    expect((await h.peer.next()).get(34)).to.equal('2')
  })

  it('logs out with "MsgSeqNum too low" when a Logon comes in below the expected number', async () => {
    const store = new MemorySessionStore(ID)
    await store.setNextTargetSeqNum(10)
    h = await startHarness('acceptor', { logOn: false, store })
    h.send('A', 3, '98=0|108=30|')
    const lo = await h.peer.next()
    expect([lo.msgType, lo.get(58)]).to.deep.equal(['5', 'MsgSeqNum too low, expecting 10 but received 3'])
    await h.peer.closedByPeer()
  })

  it('closes connections from addresses outside the IP allow-list before reading anything', async () => {
    const codec = await FixCodec.load()
    const logger = createLogger({ level: 'silent', pretty: false })
    const session = new FixgwSession({ name: 't', role: 'acceptor', settings: sessionSettings({ senderCompId: US, targetCompId: THEM }), store: new MemorySessionStore(ID), codec, app: new RecordingApp(), logger })
    const port = await findFreePort()
    const listener = new Listener({ name: 't', host: '127.0.0.1', port, logger }, [{ session, allowList: new IpAllowList(['10.0.0.0/8', '::1']) }])
    await listener.start()
    try {
      const peer = await RawFixPeer.connect(port)
      await peer.closedByPeer()
    } finally {
      await listener.stop()
      await session.stop(100)
    }
  })
})

describe('FIX session logon (initiator)', () => {
  let h: Harness
  afterEach(async () => { await h?.stop() })

  it('sends a Logon with its HeartBtInt and, with resetOnLogon, ResetSeqNumFlag=Y and MsgSeqNum 1', async () => {
    const store = new MemorySessionStore(ID)
    await store.setNextSenderSeqNum(42)
    h = await startHarness('initiator', { logOn: false, store, settings: { heartBtInt: 17, resetOnLogon: true } })
    const logon = await h.peer.next()
    expect([logon.msgType, logon.get(34), logon.get(108), logon.get(141)]).to.deep.equal(['A', '1', '17', 'Y'])
  })

  it('sends Username and Password on its Logon when configured', async () => {
    h = await startHarness('initiator', { logOn: false, settings: { username: 'me', password: 'pw' } })
    const logon = await h.peer.next()
    expect([logon.get(553), logon.get(554)]).to.deep.equal(['me', 'pw'])
  })

  it('resumes its sequence numbers on the next connection (no reset)', async () => {
    h = await startHarness('initiator')
    h.send('1', 2, '112=A|')
    await h.peer.next() // our 2
    h.peer.close()
    const again = await h.reconnect()
    const logon = await again.next()
    expect([logon.msgType, logon.get(34), logon.get(141)]).to.deep.equal(['A', '3', undefined])
    again.send(header('A', 3) + '98=0|108=30|')
    await waitUntil(() => h.session.isReady, 2000, 'logged on again')
    expect(h.session.nextTargetSeqNum).to.equal(4)
  })

  it('disconnects when no Logon reply arrives within the logon timeout, then tries again', async () => {
    h = await startHarness('initiator', { logOn: false, settings: { logonTimeoutSeconds: 1 } })
    expect((await h.peer.next()).msgType).to.equal('A')
    await h.peer.closedByPeer(3000)
    const again = await h.reconnect()
    expect((await again.next()).msgType).to.equal('A')
  })

  it('follows an acceptor that answers with ResetSeqNumFlag=Y: resets and confirms with its own Logon 141=Y', async () => {
    const store = new MemorySessionStore(ID)
    await store.setNextSenderSeqNum(7)
    await store.setNextTargetSeqNum(7)
    h = await startHarness('initiator', { logOn: false, store })
    expect((await h.peer.next()).get(34)).to.equal('7')
    h.send('A', 1, '98=0|108=30|141=Y|')
    const confirm = await h.peer.next()
    expect([confirm.msgType, confirm.get(34), confirm.get(141)]).to.deep.equal(['A', '1', 'Y'])
    await waitUntil(() => h.session.isReady, 2000, 'logged on')
    expect(h.session.nextTargetSeqNum).to.equal(2)
  })

  it('logs out when the Logon reply\'s MsgSeqNum is too low', async () => {
    const store = new MemorySessionStore(ID)
    await store.setNextTargetSeqNum(9)
    h = await startHarness('initiator', { logOn: false, store })
    await h.peer.next()
    h.send('A', 4, '98=0|108=30|')
    const lo = await h.peer.next()
    expect([lo.msgType, lo.get(58)]).to.deep.equal(['5', 'MsgSeqNum too low, expecting 9 but received 4'])
  })
})

describe('FIX session store failures', () => {
  let h: Harness
  afterEach(async () => { await h?.stop() })

  for (const role of ['acceptor', 'initiator'] as const) {
    it(`${role}: a failed store write stops the session: nothing unstored is sent, a Logout goes out if the store takes it, then disconnect`, async () => {
      const store = new FlakyStore(ID)
      h = await startHarness(role, { store })
      store.failAppends = 1
      h.send('1', 2, '112=X|') // our Heartbeat cannot be stored
      const lo = await h.peer.next()
      expect([lo.msgType, lo.get(34), lo.get(58)]).to.deep.equal(['5', '2', 'session store failure'])
      await h.peer.closedByPeer()
      expect(store.nextSenderMsgSeqNum).to.equal(3)
      expect(h.session.isReady).to.equal(false)
    })
  }
})

describe('FIX session schedule', () => {
  let h: Harness
  afterEach(async () => { await h?.stop() })
  const hhmmss = (d: Date): string => d.toISOString().slice(11, 19)
  const at = (secondsFromNow: number): string => hhmmss(new Date(Date.now() + secondsFromNow * 1000))

  it('closes connections outside the session\'s schedule without a word', async () => {
    h = await startHarness('acceptor', { logOn: false, settings: { schedule: { startTime: at(3600), endTime: at(7200), days: null, timeZone: 'UTC' } } })
    h.send('A', 1, '98=0|108=30|')
    await h.peer.closedByPeer()
  })

  it('resets both sequence numbers at the first logon of a new session period', async () => {
    const store = new MemorySessionStore(ID)
    await store.setNextSenderSeqNum(40)
    await store.setNextTargetSeqNum(30);
    (store as unknown as { created: Date }).created = new Date(Date.now() - 2 * 86400_000)
    h = await startHarness('acceptor', { logOn: false, store, settings: { schedule: { startTime: at(-3600), endTime: at(3600), days: null, timeZone: 'UTC' } } })
    h.send('A', 1, '98=0|108=30|')
    const reply = await h.peer.next()
    expect([reply.msgType, reply.get(34)]).to.deep.equal(['A', '1'])
    expect(store.creationTime.getTime()).to.be.greaterThan(Date.now() - 60_000)
  })

  it('logs out when the session period ends', async function () {
    this.timeout(8000)
    h = await startHarness('acceptor', { settings: { schedule: { startTime: at(-3600), endTime: at(2), days: null, timeZone: 'UTC' } } })
    const lo = await h.peer.next(5000)
    expect([lo.msgType, lo.get(58)]).to.deep.equal(['5', 'Session time ended'])
  })
})
