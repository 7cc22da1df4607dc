/**
 * Mocha root hooks (loaded through .mocharc.json `require: dist/test/support/hooks.js`):
 * stop the embedded PostgreSQL shared by all integration tests once the whole run is done.
 */
import { stopSharedTestServer } from './test-db'

export const mochaHooks = {
  async afterAll (): Promise<void> {
    await stopSharedTestServer()
  }
}
