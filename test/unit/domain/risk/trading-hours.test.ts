import { expect } from 'chai'
import { tradingHours, withinTradingHours } from '../../../../src/domain/risk/risk-checks'
import type { TradingHours } from '../../../../src/domain/risk/risk-limits'
import { order, state } from './fixtures'

const open = (h: TradingHours, iso: string): boolean => withinTradingHours(h, new Date(iso))

const WEEKDAYS = [1, 2, 3, 4, 5]

// Calendar used below (2024): Sat 13 Jan, Sun 14 Jan, Mon 15 Jan, Fri 19 Jan, Sat 20 Jan; Mon 15 Jul.
// New York: EST (UTC-5) until Sun 10 Mar 02:00, EDT (UTC-4) until Sun 3 Nov 02:00.
// London: GMT until Sun 31 Mar, BST (UTC+1) until Sun 27 Oct.

describe('domain/risk trading hours', () => {
  describe('a day window (09:00-17:00 UTC)', () => {
    const h: TradingHours = { start: '09:00', end: '17:00', timeZone: 'UTC' }

    it('is open from the start minute inclusive', () => {
      expect(open(h, '2024-01-15T09:00:00Z')).to.equal(true)
    })

    it('is closed the minute before the start', () => {
      expect(open(h, '2024-01-15T08:59:59Z')).to.equal(false)
    })

    it('is open during the last minute before the end', () => {
      expect(open(h, '2024-01-15T16:59:59Z')).to.equal(true)
    })

    it('is closed from the end minute (exclusive end)', () => {
      expect(open(h, '2024-01-15T17:00:00Z')).to.equal(false)
    })

    it('is closed at midnight', () => {
      expect(open(h, '2024-01-15T00:00:00Z')).to.equal(false)
    })
  })

  describe('a window spanning midnight (22:00-06:00 UTC)', () => {
    const h: TradingHours = { start: '22:00', end: '06:00', timeZone: 'UTC' }

    it('is open from its start in the evening', () => {
      expect(open(h, '2024-01-15T22:00:00Z')).to.equal(true)
      expect(open(h, '2024-01-15T23:59:00Z')).to.equal(true)
    })

    it('is open at midnight and through the early morning', () => {
      expect(open(h, '2024-01-16T00:00:00Z')).to.equal(true)
      expect(open(h, '2024-01-16T05:59:00Z')).to.equal(true)
    })

    it('is closed from its end in the morning', () => {
      expect(open(h, '2024-01-16T06:00:00Z')).to.equal(false)
    })

    it('is closed during the day, up to the minute before its start', () => {
      expect(open(h, '2024-01-16T12:00:00Z')).to.equal(false)
      expect(open(h, '2024-01-16T21:59:00Z')).to.equal(false)
    })

    it('keeps a one-hour daily break in a nearly all-day session (18:00-17:00 New York)', () => {
      const globex: TradingHours = { start: '18:00', end: '17:00', timeZone: 'America/New_York' }
      expect(open(globex, '2024-01-16T22:30:00Z')).to.equal(false) // 17:30 EST
      expect(open(globex, '2024-01-16T23:00:00Z')).to.equal(true) // 18:00 EST
      expect(open(globex, '2024-01-17T05:00:00Z')).to.equal(true) // 00:00 EST
      expect(open(globex, '2024-01-17T21:59:00Z')).to.equal(true) // 16:59 EST
    })

    it('keeps a weekday night session open on both sides of midnight and closed on Sunday night', () => {
      const weekdays: TradingHours = { ...h, days: WEEKDAYS }
      expect(open(weekdays, '2024-01-16T23:00:00Z')).to.equal(true) // Tue
      expect(open(weekdays, '2024-01-17T01:00:00Z')).to.equal(true) // Wed
      expect(open(weekdays, '2024-01-14T23:00:00Z')).to.equal(false) // Sun
    })
  })

  describe('the day-of-week filter (ISO weekdays 1 Mon .. 7 Sun)', () => {
    const h: TradingHours = { start: '09:00', end: '17:00', timeZone: 'UTC', days: WEEKDAYS }

    it('is open on Monday and Friday within the window', () => {
      expect(open(h, '2024-01-15T12:00:00Z')).to.equal(true)
      expect(open(h, '2024-01-19T12:00:00Z')).to.equal(true)
    })

    it('is closed on Saturday and Sunday even within the window', () => {
      expect(open(h, '2024-01-13T12:00:00Z')).to.equal(false)
      expect(open(h, '2024-01-14T12:00:00Z')).to.equal(false)
    })

    it('is still closed outside the window on an allowed day', () => {
      expect(open(h, '2024-01-15T18:00:00Z')).to.equal(false)
    })

    it('numbers Sunday 7, not 0', () => {
      const sunday: TradingHours = { ...h, days: [7] }
      expect(open(sunday, '2024-01-14T12:00:00Z')).to.equal(true)
      expect(open(sunday, '2024-01-15T12:00:00Z')).to.equal(false)
      expect(open({ ...h, days: [0] }, '2024-01-14T12:00:00Z')).to.equal(false)
    })

    it('is open every day when no days are given', () => {
      const everyDay: TradingHours = { start: '09:00', end: '17:00', timeZone: 'UTC' }
      for (const day of ['13', '14', '15', '16', '17', '18', '19']) expect(open(everyDay, `2024-01-${day}T12:00:00Z`), day).to.equal(true)
    })

    it('takes the weekday in the window\'s time zone: Sunday 23:30 UTC is Monday in Tokyo, Friday 23:30 UTC is Saturday', () => {
      const tokyo: TradingHours = { start: '08:00', end: '15:00', timeZone: 'Asia/Tokyo', days: WEEKDAYS }
      expect(open(tokyo, '2024-01-14T23:30:00Z')).to.equal(true) // Sun 23:30 UTC = Mon 08:30 JST
      expect(open(tokyo, '2024-01-19T23:30:00Z')).to.equal(false) // Fri 23:30 UTC = Sat 08:30 JST
    })

    it('takes the weekday in the window\'s time zone: Saturday 02:00 UTC is still Friday evening in New York', () => {
      const ny: TradingHours = { start: '18:00', end: '23:00', timeZone: 'America/New_York', days: WEEKDAYS }
      expect(open(ny, '2024-01-20T02:00:00Z')).to.equal(true) // Fri 21:00 EST
      expect(open(ny, '2024-01-15T03:00:00Z')).to.equal(false) // Mon 03:00 UTC = Sun 22:00 EST
    })
  })

  describe('time zones and daylight saving time', () => {
    const ny: TradingHours = { start: '09:30', end: '16:00', timeZone: 'America/New_York', days: WEEKDAYS }

    it('opens New York at 14:30 UTC and closes it at 21:00 UTC in winter (EST)', () => {
      expect(open(ny, '2024-01-15T14:29:00Z')).to.equal(false)
      expect(open(ny, '2024-01-15T14:30:00Z')).to.equal(true)
      expect(open(ny, '2024-01-15T20:59:00Z')).to.equal(true)
      expect(open(ny, '2024-01-15T21:00:00Z')).to.equal(false)
    })

    it('opens New York at 13:30 UTC and closes it at 20:00 UTC in summer (EDT)', () => {
      expect(open(ny, '2024-07-15T13:29:00Z')).to.equal(false)
      expect(open(ny, '2024-07-15T13:30:00Z')).to.equal(true)
      expect(open(ny, '2024-07-15T19:59:00Z')).to.equal(true)
      expect(open(ny, '2024-07-15T20:00:00Z')).to.equal(false)
    })

    it('follows the spring change: 13:45 UTC is 08:45 on Friday 8 March and 09:45 on Monday 11 March', () => {
      expect(open(ny, '2024-03-08T13:45:00Z')).to.equal(false)
      expect(open(ny, '2024-03-11T13:45:00Z')).to.equal(true)
    })

    it('follows the autumn change: 13:45 UTC is 09:45 on Friday 1 November and 08:45 on Monday 4 November', () => {
      expect(open(ny, '2024-11-01T13:45:00Z')).to.equal(true)
      expect(open(ny, '2024-11-04T13:45:00Z')).to.equal(false)
    })

    it('reads the local clock on the night of the change itself (01:59 EST is followed by 03:00 EDT)', () => {
      const night: TradingHours = { start: '01:00', end: '02:30', timeZone: 'America/New_York' }
      expect(open(night, '2024-03-10T06:59:00Z')).to.equal(true) // 01:59 EST
      expect(open(night, '2024-03-10T07:00:00Z')).to.equal(false) // 03:00 EDT
    })

    it('opens London at 08:00 local in winter (08:00 UTC) and in summer (07:00 UTC)', () => {
      const london: TradingHours = { start: '08:00', end: '16:30', timeZone: 'Europe/London' }
      expect(open(london, '2024-01-15T07:59:00Z')).to.equal(false)
      expect(open(london, '2024-01-15T08:00:00Z')).to.equal(true)
      expect(open(london, '2024-07-15T07:00:00Z')).to.equal(true)
      expect(open(london, '2024-07-15T15:30:00Z')).to.equal(false) // 16:30 BST
    })

    it('handles a half-hour offset zone to the minute (Asia/Kolkata, UTC+5:30)', () => {
      const india: TradingHours = { start: '09:15', end: '15:30', timeZone: 'Asia/Kolkata' }
      expect(open(india, '2024-01-15T03:44:00Z')).to.equal(false)
      expect(open(india, '2024-01-15T03:45:00Z')).to.equal(true)
      expect(open(india, '2024-01-15T09:59:00Z')).to.equal(true)
      expect(open(india, '2024-01-15T10:00:00Z')).to.equal(false)
    })
  })

  describe('the tradingHours check', () => {
    const ny: TradingHours = { start: '09:30', end: '16:00', timeZone: 'America/New_York', days: WEEKDAYS }

    it('passes when no trading hours are configured, at any time', () => {
      expect(tradingHours(order(), {}, state({ now: new Date('2024-01-14T03:00:00Z') }))).to.equal(null)
    })

    it('passes inside the trading hours', () => {
      expect(tradingHours(order(), { tradingHours: ny }, state({ now: new Date('2024-01-15T15:00:00Z') }))).to.equal(null)
    })

    it('denies outside the hours with the moment in ISO form and the window with its days', () => {
      expect(tradingHours(order(), { tradingHours: ny }, state({ now: new Date('2024-01-15T21:00:00Z') }))).to.deep.equal({
        code: 'TRADING_HOURS', now: '2024-01-15T21:00:00.000Z', window: '09:30-16:00 America/New_York days 1,2,3,4,5'
      })
    })

    it('denies on a day not in the filter, inside the window', () => {
      expect(tradingHours(order(), { tradingHours: ny }, state({ now: new Date('2024-01-13T15:00:00Z') }))?.code).to.equal('TRADING_HOURS')
    })

    it('describes a window without a day filter without any days', () => {
      const h: TradingHours = { start: '22:00', end: '06:00', timeZone: 'UTC' }
      expect(tradingHours(order(), { tradingHours: h }, state({ now: new Date('2024-01-15T12:00:00Z') }))).to.deep.equal({
        code: 'TRADING_HOURS', now: '2024-01-15T12:00:00.000Z', window: '22:00-06:00 UTC'
      })
    })
  })
})
