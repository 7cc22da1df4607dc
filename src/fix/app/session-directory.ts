/** Live FIX sessions by our session name: how the OMS's outbound ports find a session. */
import type { FixgwSession } from '../session/fixgw-session'

export class SessionDirectory {
  private readonly byName = new Map<string, FixgwSession>()

  add (s: FixgwSession): void { this.byName.set(s.name, s) }
  remove (s: FixgwSession): void {
    if (this.byName.get(s.name) === s) this.byName.delete(s.name)
  }

  get (name: string): FixgwSession | null {
    const s = this.byName.get(name)
    return s != null && s.isReady ? s : null
  }

  names (): string[] { return [...this.byName.keys()] }
}
