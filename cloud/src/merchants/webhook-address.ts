import ipaddr from 'ipaddr.js';

/**
 * Where a merchant's webhook may point. A webhook makes the cloud send a request on a
 * merchant's behalf, so without this a URL like http://127.0.0.1:8086/query?q=… would let a
 * merchant drive services that trust the cloud's network position. Only public unicast
 * addresses are reachable unless the operator lists a range (ATRIUM_WEBHOOK_ALLOW_PRIVATE);
 * the classification is ipaddr.js's, so 127.1, 2130706433, 0x7f000001 and ::ffff:7f00:1 are all
 * the loopback address they spell.
 */
export interface AddressPolicy {
  /** null when the address may be called; otherwise the reason, in words a merchant can act on */
  refusal(address: string): string | null;
  /** the ranges the operator allowed, canonical (for logs and docs) */
  readonly allowed: readonly string[];
}

/**
 * Addresses that answer with a cloud host's credentials. Refused even inside an allowed range:
 * an operator allowing 169.254.0.0/16 for an appliance means that appliance, not the instance
 * metadata service beside it.
 */
const METADATA: readonly string[] = ['169.254.169.254', '169.254.170.2', '169.254.169.123', '100.100.100.200', '192.0.0.192', 'fd00:ec2::254', 'fd00:ec2::23'];
const metadata = new Set(METADATA.map((a) => ipaddr.parse(a).toString()));

/** Never allowable: no operator means "any host" (0.0.0.0 reaches this machine on Linux) or a group. */
const NEVER = new Set(['unspecified', 'broadcast', 'multicast']);

const REASONS: Record<string, string> = {
  loopback: 'the address is a loopback address (this machine)',
  private: 'the address is in a private range',
  carrierGradeNat: 'the address is in a private range (shared address space, 100.64.0.0/10)',
  uniqueLocal: 'the address is in a private range (IPv6 unique-local, fc00::/7)',
  linkLocal: 'the address is link-local',
  multicast: 'the address is a multicast address',
  broadcast: 'the address is the broadcast address',
  unspecified: 'the address is unspecified (0.0.0.0 or ::)',
  // 6to4, NAT64, Teredo and the like embed another address a gateway would reach on our behalf
  rfc6052: 'the address translates to an IPv4 address through a gateway',
  rfc6145: 'the address translates to an IPv4 address through a gateway',
  '6to4': 'the address translates to an IPv4 address through a gateway',
  teredo: 'the address translates to an IPv4 address through a gateway',
};
const METADATA_REASON = 'the address is a cloud metadata endpoint';
const OTHER_REASON = 'the address is in a reserved range';

export type ParsedAddress = ipaddr.IPv4 | ipaddr.IPv6;

/** An IP literal in any form ipaddr.js reads (IPv4-mapped IPv6 becomes the IPv4 it carries); null for a host name. */
export function parseAddress(text: string): ParsedAddress | null {
  const bare = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (!ipaddr.isValid(bare)) return null;
  return ipaddr.process(bare);
}

/** An allowed range as an operator writes it: a CIDR (10.0.0.0/8, fd00::/8) or one address. Throws with the reason. */
export function parseRange(text: string): [ParsedAddress, number] {
  const t = text.trim();
  if (ipaddr.isValidCIDR(t)) {
    const [addr, bits] = ipaddr.parseCIDR(t);
    // An IPv4-mapped range is the IPv4 range it spells, as addresses are compared after process().
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    return [addr, bits];
  }
  const one = parseAddress(t);
  if (one) return [one, one.kind() === 'ipv4' ? 32 : 128];
  throw new Error(`"${t}" is not an address or CIDR range (e.g. 10.0.0.0/8, fd00::/8, 127.0.0.1)`);
}

export function createAddressPolicy(allowPrivate: readonly string[] = []): AddressPolicy {
  const ranges = allowPrivate.map(parseRange);
  const allowed = ranges.map(([a, bits]) => `${a.toString()}/${bits}`);
  const inAllowed = (a: ParsedAddress) => ranges.some(([r, bits]) => r.kind() === a.kind() && a.match(r, bits));
  return {
    allowed,
    refusal(address) {
      const a = parseAddress(address);
      if (!a) return 'the address could not be read';
      if (metadata.has(a.toString())) return METADATA_REASON;
      const range = a.range();
      if (range === 'unicast') return null;
      if (NEVER.has(range)) return REASONS[range]!;
      if (inAllowed(a)) return null;
      return REASONS[range] ?? OTHER_REASON;
    },
  };
}

/** Host names that mean this machine whatever DNS says (RFC 6761). */
export const isLocalhostName = (host: string) => host === 'localhost' || host.endsWith('.localhost');

/**
 * The checks a webhook URL gets when it is saved: scheme, no credentials, and a literal address
 * (or localhost) outside the blocked ranges. Names are resolved and checked at every delivery
 * attempt instead: what a name resolves to can change after it is saved.
 */
export function webhookUrlRefusal(text: string, policy: AddressPolicy): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'must be an http:// or https:// URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an http:// or https:// URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@); the signature authenticates each delivery';
  const host = hostOf(url);
  if (host === '') return 'must name a host';
  const reason = isLocalhostName(host) ? policy.refusal('127.0.0.1') : parseAddress(host) ? policy.refusal(host) : null;
  return reason === null ? null : `refused: ${reason}`;
}

/** The URL's host as the resolver and the address check want it: no brackets, no trailing dot, lower case. */
export function hostOf(url: URL): string {
  const h = url.hostname.toLowerCase();
  const bare = h.startsWith('[') && h.endsWith(']') ? h.slice(1, -1) : h;
  return bare.endsWith('.') ? bare.slice(0, -1) : bare;
}
