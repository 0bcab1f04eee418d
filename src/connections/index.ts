export { assertEgressAllowed, isNonPublicAddress, type EgressPolicy } from './egress.ts';
export { createProviderHttp, type CallLimiter, type ProviderHttpOptions, type TokenSource } from './provider-http.ts';
