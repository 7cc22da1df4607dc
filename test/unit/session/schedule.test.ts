import { expect } from 'chai'
import { isNewPeriod, periodAt, type SessionSchedule } from '../../../src/fix/session/schedule'

const utc = (s: string): Date => new Date(s)
const day: SessionSchedule = { startTime: '08:00', endTime: '17:00', days: null, timeZone: 'UTC' }

describe('session schedule', () => {
  it('is open between start and end time and closed outside', () => {
    expect(periodAt(day, utc('2024-03-05T07:59:59Z'))).to.equal(null)
    expect(periodAt(day, utc('2024-03-05T08:00:00Z'))?.start.toISOString()).to.equal('2024-03-05T08:00:00.000Z')
    expect(periodAt(day, utc('2024-03-05T16:59:59Z'))?.end.toISOString()).to.equal('2024-03-05T17:00:00.000Z')
    expect(periodAt(day, utc('2024-03-05T17:00:00Z'))).to.equal(null)
  })

  it('runs through midnight when the end time is before the start time; the period belongs to its start day', () => {
    const fx: SessionSchedule = { startTime: '22:00', endTime: '21:55', days: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu'], timeZone: 'UTC' }
    expect(periodAt(fx, utc('2024-03-06T03:00:00Z'))?.start.toISOString()).to.equal('2024-03-05T22:00:00.000Z') // Tue 22:00 → Wed
    expect(periodAt(fx, utc('2024-03-05T21:57:00Z'))).to.equal(null)
    expect(periodAt(fx, utc('2024-03-08T23:00:00Z'))).to.equal(null) // Friday 22:00 does not start a period
    expect(periodAt(fx, utc('2024-03-08T10:00:00Z'))?.start.toISOString()).to.equal('2024-03-07T22:00:00.000Z') // Thu 22:00 → Fri
  })

  it('reads start and end in the session\'s time zone, daylight saving time included', () => {
    const ny: SessionSchedule = { startTime: '09:30', endTime: '16:00', days: null, timeZone: 'America/New_York' }
    expect(periodAt(ny, utc('2024-01-10T14:30:00Z'))?.start.toISOString()).to.equal('2024-01-10T14:30:00.000Z') // EST
    expect(periodAt(ny, utc('2024-07-10T13:30:00Z'))?.start.toISOString()).to.equal('2024-07-10T13:30:00.000Z') // EDT
    expect(periodAt(ny, utc('2024-07-10T13:29:00Z'))).to.equal(null)
  })

  it('only starts periods on the listed days', () => {
    const weekdays: SessionSchedule = { ...day, days: ['Mon', 'Tue', 'Wed', 'Thu', 'Fri'] }
    expect(periodAt(weekdays, utc('2024-03-09T10:00:00Z'))).to.equal(null) // Saturday
    expect(periodAt(weekdays, utc('2024-03-11T10:00:00Z'))).to.not.equal(null) // Monday
  })

  it('asks for a sequence reset when the session was created before the current period started', () => {
    expect(isNewPeriod(day, utc('2024-03-04T12:00:00Z'), utc('2024-03-05T09:00:00Z'))).to.equal(true)
    expect(isNewPeriod(day, utc('2024-03-05T08:30:00Z'), utc('2024-03-05T09:00:00Z'))).to.equal(false)
    expect(isNewPeriod(null, utc('2020-01-01T00:00:00Z'), utc('2024-03-05T09:00:00Z'))).to.equal(false)
  })
})
