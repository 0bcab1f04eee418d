export { assertEgressAllowed, isNonPublicAddress, type EgressPolicy } from './egress.ts';
export { createProviderHttp, type CallLimiter, type ProviderHttpOptions, type TokenSource } from './provider-http.ts';
export {
  ConnectionService,
  type CallbackResult,
  type ConnectInput,
  type ConnectResult,
  type ConnectionActionContext,
  type ConnectionServiceOptions,
} from './connection-service.ts';
export type { ConnectionProfile, ConnectionView, CredentialSummary } from './connection-view.ts';
export { connectionLimiter } from './rate-limited.ts';
