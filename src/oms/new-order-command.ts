/**
 * NewOrderSingle: dedupe, validation, pre-trade risk, route, then one transaction for
 * the order row, the dedupe row, our broker ClOrdID and the audit trail.
 */
import { validateNewOrder, ORD_REJ, DEFAULT_RULES, type NewOrderRequest, type ValidNewOrder } from '../domain/new-order'
import type { Order } from '../domain/order'
import { ORD_STATUS } from '../domain/order-state'
import { evaluateRisk, renderDenial, referencePrice, riskNeeds, ORD_REJ_REASON } from '../domain/risk/risk-checks'
import { limitsFor } from '../domain/risk/risk-limits'
import { asOrderId } from '../domain/ids'
import { mustApply, receiveOrder } from '../domain/order-apply'
import type { OmsContext } from './context'
import type { Effects } from './effects'
import type { OmsTx } from './ports'
import { orderShell } from './order-ops'

export type NewOrderOutcome =
  | { readonly kind: 'accepted', readonly order: Order }
  | { readonly kind: 'rejected', readonly ordRejReason: number, readonly text: string }
  | { readonly kind: 'status', readonly order: Order }

class DuplicateClOrdId extends Error {}

export async function newOrder (ctx: OmsContext, clientSession: string, req: NewOrderRequest, fixMessage: string, possResend: boolean): Promise<NewOrderOutcome> {
  const { deps } = ctx
  const cfg = deps.riskConfig?.(clientSession)
  return await ctx.run(async (tx, fx) => {
    // PossResend(97)=Y: the client may be re-sending an order we already have; if so
    // it gets that order's status, never a second order.
    if (possResend) {
      const known = await tx.findClientOrder(clientSession, { clOrdId: req.clOrdId, orderId: null })
      if (known != null) {
        await tx.audit({ actor: clientSession, kind: 'possresend_known', orderId: known.orderId, fixMessage })
        await fx.er({ order: known, execId: await tx.nextClientExecId(), execType: 'I', ordStatus: ORD_STATUS[known.state] })
        return { kind: 'status', order: known }
      }
    }
    const v = validateNewOrder(req, cfg?.rules ?? DEFAULT_RULES)
    if (!v.ok) return await reject(tx, fx, clientSession, req, v.ordRejReason, v.text, fixMessage)
    const o = v.order
    if (cfg?.symbols != null && !cfg.symbols.includes(o.symbol)) {
      return await reject(tx, fx, clientSession, req, ORD_REJ.UNKNOWN_SYMBOL, `unknown Symbol(55)=${o.symbol}`, fixMessage)
    }
    const riskText = await runRisk(ctx, tx, clientSession, o, null, fixMessage)
    if (riskText != null) return await reject(tx, fx, clientSession, req, riskText.ordRejReason, riskText.text, fixMessage)

    const route = deps.router.route({ clientSession, account: o.account, symbol: o.symbol, securityType: o.securityType, exDestination: o.exDestination })
    if (route == null) return await reject(tx, fx, clientSession, req, ORD_REJ.OTHER, `no route for Symbol(55)=${o.symbol}`, fixMessage)
    const up = deps.brokers.isUp(route.broker)
    if (!up && route.whenDown === 'reject') return await reject(tx, fx, clientSession, req, ORD_REJ.EXCHANGE_CLOSED, `route ${route.broker} is not logged on`, fixMessage)

    // A savepoint, so a duplicate ClOrdID rolls back the order row but not the reject we audit.
    let order: Order
    let brokerClOrdId: string
    try {
      ({ order, brokerClOrdId } = await tx.savepoint(async () => await insertOrder(tx, clientSession, o, route.broker, route.rule, up, fixMessage)))
    } catch (e) {
      if (!(e instanceof DuplicateClOrdId)) throw e
      return await reject(tx, fx, clientSession, req, ORD_REJ.DUPLICATE_ORDER, `duplicate ClOrdID(11)=${o.clOrdId}: the existing order is unchanged`, fixMessage)
    }
    if (up) {
      await fx.broker({ kind: 'brokerNew', broker: route.broker, brokerClOrdId, order })
    } else {
      // Held until the broker session logs on: the client hears PendingNew now.
      await fx.er({ order, execId: await tx.nextClientExecId(), execType: 'A', ordStatus: 'A', text: `held: route ${route.broker} is not logged on` })
    }
    return { kind: 'accepted', order }
  })
}

async function insertOrder (tx: OmsTx, clientSession: string, o: ValidNewOrder, broker: string, rule: string, up: boolean, fixMessage: string): Promise<{ order: Order, brokerClOrdId: string }> {
  const orderId = await tx.nextOrderId()
  // Received → PendingRisk → PendingNew (routed) or Held (its broker is down), each step
  // through the table; validation and risk have passed by now.
  const validated = mustApply(receiveOrder(asOrderId(orderId), clientSession, o), { kind: 'Validated' })
  const accepted = mustApply(validated.order, { kind: up ? 'RiskAccepted' : 'RiskHeld', brokerSession: broker })
  const order = accepted.order
  await tx.insertOrder(order)
  if (!await tx.claimClOrdId(clientSession, o.clOrdId, orderId, 'new')) throw new DuplicateClOrdId()
  const brokerClOrdId = await tx.nextBrokerClOrdId()
  await tx.insertBrokerRoute(broker, brokerClOrdId, orderId, 'new')
  await tx.audit({ actor: clientSession, kind: 'fix_in', orderId, fixMessage })
  await tx.audit({ actor: clientSession, kind: 'transition', orderId, fromState: validated.from, toState: validated.to })
  await tx.audit({ actor: 'oms', kind: 'transition', orderId, fromState: accepted.from, toState: accepted.to, detail: { broker, rule, brokerClOrdId } })
  return { order, brokerClOrdId }
}

/**
 * The risk chain for a new order (replacing = null) or a replace. Audits the whole
 * evaluation; returns the reject to send, or null when every check passed.
 */
export async function runRisk (ctx: OmsContext, tx: OmsTx, clientSession: string,
  o: { account: string | null, symbol: string, side: Order['side'], orderQty: Order['orderQty'], price: Order['price'] },
  replacing: Order | null, fixMessage: string): Promise<{ ordRejReason: number, text: string } | null> {
  const cfg = ctx.deps.riskConfig?.(clientSession)
  const limits = limitsFor(cfg?.limits ?? {}, cfg?.accounts, o.account)
  // The replaced order stays in the open totals: the checks add only the change in
  // quantity (RiskOrder.replacing), so its exposure is counted exactly once.
  const state = { ...await tx.riskState(clientSession, o.account, o.symbol, null, riskNeeds(limits)), now: ctx.deps.now?.() ?? new Date() }
  const price = o.price ?? referencePrice(o.symbol, limits, state)
  const ev = evaluateRisk({ symbol: o.symbol, side: o.side, orderQty: o.orderQty, price, replacing: replacing == null ? undefined : { orderQty: replacing.orderQty } }, limits, state)
  await tx.audit({
    actor: 'risk',
    kind: ev.denial == null ? 'risk_pass' : 'risk_deny',
    orderId: replacing?.orderId ?? null,
    detail: { client: clientSession, symbol: o.symbol, qty: o.orderQty.toFixed(), passed: ev.passed, deniedBy: ev.deniedBy, denial: ev.denial == null ? null : renderDenial(ev.denial) },
    fixMessage
  })
  if (ev.denial == null) return null
  return { ordRejReason: ORD_REJ_REASON[ev.denial.code], text: renderDenial(ev.denial) }
}

/** Reject a NewOrderSingle that does not become an order: audited, answered after commit. */
async function reject (tx: OmsTx, fx: Effects, clientSession: string, req: NewOrderRequest, ordRejReason: number, text: string, fixMessage: string): Promise<NewOrderOutcome> {
  const execId = await tx.nextClientExecId()
  await tx.audit({ actor: clientSession, kind: 'reject', detail: { clOrdId: req.clOrdId, execId, ordRejReason, text }, fixMessage })
  const order = { ...orderShell(clientSession, req.clOrdId, req), ordType: (req.ordType ?? '2') as Order['ordType'] }
  await fx.er({ order, execId, execType: '8', ordStatus: '8', ordRejReason, text, clOrdId: req.clOrdId })
  return { kind: 'rejected', ordRejReason, text }
}
