/**
 * The one door to jspurefix. Its DI container (tsyringe) needs the reflect-metadata
 * polyfill loaded before any jspurefix module, so every import of jspurefix in our code
 * goes through this file.
 *
 * What we use it for (see docs/session-layer.md): the FIX dictionary and the encoding
 * of application message bodies given as objects. Sockets, framing, validation, what
 * applications read (session/message-view.ts) and the session protocol are ours.
 */
import 'reflect-metadata'
export * from 'jspurefix'
// Not re-exported by jspurefix's root index.
export { AsciiEncoder, TimeFormatter } from 'jspurefix/dist/buffer/ascii'
// jspurefix's DI container type (tsyringe is jspurefix's dependency, not ours).
export type { DependencyContainer } from 'tsyringe'
