/**
 * Our FIX sessions by name and by session key: how the engine's outbox finds the session
 * a message is for (logged on or not: a message for a peer that is away is stored and
 * goes out by resend), and how routing asks whether a broker is logged on.
 */
import type { FixgwSession } from '../session/fixgw-session'

export class SessionDirectory {
  private readonly byName = new Map<string, FixgwSession>()
  private readonly byKey = new Map<string, FixgwSession>()

  /** A configured session, from the moment it starts. */
  register (s: FixgwSession): void {
    this.byName.set(s.name, s)
    this.byKey.set(s.sessionKey, s)
  }

  /** The session of that name, whatever its state. */
  named (name: string): FixgwSession | null { return this.byName.get(name) ?? null }

  /** The session with that key (FIX.4.4:SENDER->TARGET). */
  keyed (key: string): FixgwSession | null { return this.byKey.get(key) ?? null }

  /** The session of that name if it is logged on. */
  get (name: string): FixgwSession | null {
    const s = this.byName.get(name)
    return s != null && s.isReady ? s : null
  }

  names (): string[] { return [...this.byName.keys()] }
}
