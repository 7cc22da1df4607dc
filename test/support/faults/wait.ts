/** Bounded waits: every wait names what did not happen when it gives up. */
export const sleep = async (ms: number): Promise<void> => { await new Promise((resolve) => setTimeout(resolve, ms)) }

export class WaitTimeout extends Error {}

/** Poll `cond` until true; throws WaitTimeout "timed out after N ms waiting for <what>" (plus `detail()`). */
export async function until (cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string, detail?: () => string | Promise<string>): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (!(await cond())) {
    if (Date.now() > deadline) {
      const more = detail == null ? '' : `\n${await detail()}`
      throw new WaitTimeout(`timed out after ${timeoutMs} ms waiting for ${what}${more}`)
    }
    await sleep(50)
  }
}

/** Like until(), but returns false instead of throwing: the assertions after it say what is missing. */
export async function settle (cond: () => boolean | Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    try {
      if (await cond()) return true
    } catch {
      // a query failing while things recover: try again
    }
    if (Date.now() > deadline) return false
    await sleep(100)
  }
}
