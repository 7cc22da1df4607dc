/** sessions/*.json (validated) → what an Endpoint runs. */
import type { BrokerSessionConfig, SessionConfig } from '../../config/session-config'
import type { EndpointSpec } from './endpoint'

export function endpointSpecOf (s: SessionConfig): EndpointSpec {
  const f = s.fixSession
  const v = f.validation
  return {
    name: s.name,
    role: s.role === 'client' ? 'acceptor' : 'initiator',
    senderCompId: s.senderCompId,
    targetCompId: s.targetCompId,
    host: s.host,
    port: s.port,
    heartBtInt: s.heartBtInt,
    resetSeqNumOnLogon: s.resetSeqNumOnLogon,
    resetSeqNumOnLogout: f.resetSeqNumOnLogout,
    resetSeqNumOnDisconnect: f.resetSeqNumOnDisconnect,
    reconnect: s.role === 'broker' ? s.reconnect : undefined,
    backupHosts: s.role === 'broker' ? s.backupHosts : undefined,
    logonTimeoutSeconds: f.logonTimeoutSeconds,
    logoutTimeoutSeconds: f.logoutTimeoutSeconds,
    maxLatencySeconds: v.sendingTimeAccuracySeconds,
    maxHeartBtInt: v.maxHeartBtInt,
    checkCompIds: v.checkCompIds,
    validation: v.enabled
      ? { fieldsOutOfOrder: v.fieldsOutOfOrder, fieldsHaveValues: v.fieldsHaveValues, userDefinedFields: v.userDefinedFields, unknownFields: v.unknownFields, fieldValues: v.fieldValues }
      : false,
    username: f.username,
    password: f.password,
    schedule: f.schedule,
    ipAllowList: f.ipAllowList,
    tls: f.tls,
    staleOrderSeconds: s.role === 'broker' ? s.routing.staleOrderSeconds : null
  }
}

/** Our simulated broker's side of a broker session: an acceptor with the CompIDs mirrored. */
export function simulatorSpecOf (b: BrokerSessionConfig): EndpointSpec {
  return {
    name: `${b.name}-sim`,
    role: 'acceptor',
    senderCompId: b.targetCompId,
    targetCompId: b.senderCompId,
    host: b.host,
    port: b.port,
    heartBtInt: b.heartBtInt,
    resetSeqNumOnLogon: b.resetSeqNumOnLogon,
    // the simulator expects what the session sends: no credentials check, same schedule
    schedule: b.fixSession.schedule
  }
}
