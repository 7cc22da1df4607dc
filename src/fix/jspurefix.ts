/**
 * The one door to jspurefix. Its DI container (tsyringe) needs the reflect-metadata
 * polyfill loaded before any jspurefix module, so every import of jspurefix in our code
 * goes through this file.
 */
import 'reflect-metadata'
export * from 'jspurefix'
// Not re-exported by jspurefix's root index.
export { TcpAcceptor } from 'jspurefix/dist/transport/tcp'
// jspurefix's DI container type (tsyringe is jspurefix's dependency, not ours).
export type { DependencyContainer } from 'tsyringe'
