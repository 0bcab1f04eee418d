import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import { TributaryError } from '../domain/errors.ts';

/**
 * Which addresses a tenant-supplied URL (a connection's base URL, a webhook or
 * notification target) may reach. By default only public addresses: a connection must
 * not become a way to call the platform's own network (SSRF). The operator allows
 * private ranges for the sandbox, tests and the demo.
 */
export interface EgressPolicy {
  /** Allow loopback, private, link-local and other non-public addresses. */
  readonly allowPrivate: boolean;
  /** Hosts always allowed, whatever they resolve to (exact host names, lower case). */
  readonly allowHosts?: readonly string[];
  /**
   * Origins (`http://127.0.0.1:4010`) always allowed: narrower than a host, for the
   * demo's in-process sandbox, so that other ports on the same host stay refused.
   */
  readonly allowOrigins?: readonly string[];
  /** Only http(s); plain http only when private addresses are allowed or the host is listed. */
  readonly requireHttps?: boolean;
}

/** Address ranges that are never "the public internet" (RFC 6890 special-purpose registries). */
const NON_PUBLIC = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12],
  ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15], ['198.51.100.0', 24],
  ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) NON_PUBLIC.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], ['::1', 128], ['64:ff9b::', 96], ['100::', 64], ['2001:db8::', 32],
  ['fc00::', 7], ['fe80::', 10], ['ff00::', 8],
] as const) NON_PUBLIC.addSubnet(network, prefix, 'ipv6');

/** True when the literal IP address is outside the public unicast ranges. */
export function isNonPublicAddress(address: string): boolean {
  // IPv4-mapped IPv6 (::ffff:127.0.0.1) is the IPv4 address it carries. (Listing
  // ::ffff:0:0/96 in the block list instead would match every IPv4 address.)
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (mapped?.[1]) return isNonPublicAddress(mapped[1]);
  const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (mappedHex?.[1] && mappedHex[2]) {
    const high = parseInt(mappedHex[1], 16);
    const low = parseInt(mappedHex[2], 16);
    return isNonPublicAddress(`${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`);
  }
  const family = isIP(address);
  if (family === 0) return false;
  return NON_PUBLIC.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

type Resolver = (host: string) => Promise<string[]>;

const systemResolver: Resolver = async (host) => (await lookup(host, { all: true, verbatim: true })).map((entry) => entry.address);

/**
 * Checks a URL against the policy and throws VALIDATION_FAILED naming `field` when it
 * is refused. Host names are resolved and every address must pass, so a public name
 * pointing at 127.0.0.1 is refused too. (A name that re-resolves differently between
 * this check and the request is not caught here; the check runs again per origin on
 * every new client, which keeps that window small.)
 */
export async function assertEgressAllowed(rawUrl: string, policy: EgressPolicy, field: string, resolve: Resolver = systemResolver): Promise<URL> {
  let url: URL;
  try {
    url = new URL(rawUrl);
  } catch {
    throw new TributaryError('VALIDATION_FAILED', `${field} is not a valid absolute URL`, { field });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new TributaryError('VALIDATION_FAILED', `${field} must use http or https`, { field });
  }
  if (url.username || url.password) {
    throw new TributaryError('VALIDATION_FAILED', `${field} must not carry credentials in the URL`, { field });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (policy.allowPrivate || policy.allowHosts?.includes(host) || policy.allowOrigins?.includes(url.origin)) return url;
  if (policy.requireHttps && url.protocol !== 'https:') {
    throw new TributaryError('VALIDATION_FAILED', `${field} must use https`, { field });
  }
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : await resolve(host);
  } catch {
    throw new TributaryError('VALIDATION_FAILED', `${field} host ${host} does not resolve`, { field });
  }
  if (addresses.length === 0 || addresses.some(isNonPublicAddress)) {
    throw new TributaryError(
      'VALIDATION_FAILED',
      `${field} points at a private, loopback or link-local address, which this server does not allow (set TRIBUTARY_ALLOW_PRIVATE_EGRESS to permit it)`,
      { field },
    );
  }
  return url;
}
