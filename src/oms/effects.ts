/**
 * Outbound intents. A command collects what it will say to clients and brokers while
 * its transaction runs (each intent is audited in that transaction), and the intents
 * are sent only after the commit: nothing is acknowledged before it is committed.
 */
import type { Order } from '../domain/order'
import type { AuditEntry, ClientCancelReject, ClientExecReport, ClientMassCancelReport, OmsTx } from './ports'

export type Effect =
  | { readonly kind: 'er', readonly session: string, readonly er: ClientExecReport }
  | { readonly kind: 'cancelReject', readonly session: string, readonly rej: ClientCancelReject }
  | { readonly kind: 'massReport', readonly session: string, readonly report: ClientMassCancelReport }
  | { readonly kind: 'brokerNew', readonly broker: string, readonly brokerClOrdId: string, readonly order: Order }
  | { readonly kind: 'brokerCancel' | 'brokerReplace', readonly broker: string, readonly brokerClOrdId: string, readonly orig: string, readonly order: Order }
  | { readonly kind: 'brokerStatus', readonly broker: string, readonly brokerClOrdId: string, readonly order: Order }

export class Effects {
  readonly list: Effect[] = []

  constructor (private readonly tx: OmsTx) {}

  async er (er: ClientExecReport): Promise<void> {
    const o = er.order
    await this.tx.audit({
      actor: 'oms',
      kind: 'er_out',
      orderId: o.orderId === 'NONE' ? null : o.orderId,
      detail: {
        client: o.clientSession, clOrdId: er.clOrdId ?? o.clOrdId, origClOrdId: er.origClOrdId, execId: er.execId, execType: er.execType,
        ordStatus: er.ordStatus, lastQty: er.lastQty?.toFixed(), lastPx: er.lastPx?.toFixed(), cumQty: o.cumQty.toFixed(),
        leavesQty: o.leavesQty.toFixed(), avgPx: o.avgPx.toFixed(), ordRejReason: er.ordRejReason, text: er.text
      }
    })
    this.list.push({ kind: 'er', session: o.clientSession, er })
  }

  async cancelReject (session: string, rej: ClientCancelReject): Promise<void> {
    await this.tx.audit({ actor: 'oms', kind: 'cancel_reject_out', orderId: rej.orderId === 'NONE' ? null : rej.orderId, detail: { client: session, ...rej } })
    this.list.push({ kind: 'cancelReject', session, rej })
  }

  async massReport (session: string, report: ClientMassCancelReport): Promise<void> {
    await this.tx.audit({ actor: 'oms', kind: 'mass_cancel_report_out', detail: { client: session, ...report } })
    this.list.push({ kind: 'massReport', session, report })
  }

  async broker (e: Effect & { kind: 'brokerNew' | 'brokerCancel' | 'brokerReplace' | 'brokerStatus' }): Promise<void> {
    const entry: AuditEntry = { actor: 'oms', kind: 'broker_out', orderId: e.order.orderId, detail: { broker: e.broker, msg: e.kind, brokerClOrdId: e.brokerClOrdId, orig: 'orig' in e ? e.orig : undefined } }
    await this.tx.audit(entry)
    this.list.push(e)
  }
}
