/**
 * Short (inside `npm test`) or full (`npm run test:faults`, FIXGW_FAULTS=full) fault
 * runs, and the seeded randomness of the kill moments: FIXGW_FAULTS_SEED=<n> replays a
 * run (every summary prints its seed).
 */
export const FULL = process.env.FIXGW_FAULTS === 'full'

/** The short value inside `npm test`, the long one with FIXGW_FAULTS=full. */
export function pick<T> (short: T, full: T): T { return FULL ? full : short }

export function seedFromEnv (): number {
  const given = Number(process.env.FIXGW_FAULTS_SEED)
  return Number.isInteger(given) && given > 0 ? given : 1 + Math.floor(Math.random() * 2 ** 31)
}

/** mulberry32: small, seeded, good enough to pick moments. */
export class Rng {
  private state: number
  constructor (readonly seed: number) { this.state = seed >>> 0 }
  next (): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0
    let t = this.state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }

  /** an integer in [min, max] */
  int (min: number, max: number): number { return min + Math.floor(this.next() * (max - min + 1)) }
}
