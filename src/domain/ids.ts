/** The identifiers we juggle are distinct types so they cannot be swapped by accident. */
type Id<B extends string> = string & { readonly __brand: B }

export type ClOrdId = Id<'ClOrdId'> // the client's tag 11, unique per client session
export type OrderId = Id<'OrderId'> // our OrderID(37) toward the client
export type BrokerClOrdId = Id<'BrokerClOrdId'> // our tag 11 toward a broker
export type BrokerExecId = Id<'BrokerExecId'> // the broker's tag 17: the fill dedupe key
export type ExecId = Id<'ExecId'> // our tag 17 toward the client

export const asClOrdId = (s: string): ClOrdId => s as ClOrdId
export const asOrderId = (s: string): OrderId => s as OrderId
export const asBrokerClOrdId = (s: string): BrokerClOrdId => s as BrokerClOrdId
export const asBrokerExecId = (s: string): BrokerExecId => s as BrokerExecId
export const asExecId = (s: string): ExecId => s as ExecId
