import { isIPv4, isIPv6 } from 'node:net';

/**
 * What an IP address reaches. Only `public` is reachable by default; every other class needs the host
 * or the address on EGRESS_ALLOW_LIST.
 */
export type AddressClass =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'metadata'
  | 'unique-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved';

interface ParsedAddress {
  readonly family: 4 | 6;
  readonly bytes: Uint8Array;
}

class Network {
  constructor(
    readonly family: 4 | 6,
    private readonly prefix: Uint8Array,
    readonly prefixLength: number,
  ) {}

  static parse(cidr: string): Network {
    const [address, length] = cidr.split('/');
    const parsed = parseAddress(address);
    if (!parsed) throw new TypeError(`Not an IP network: ${cidr}`);
    return new Network(parsed.family, parsed.bytes, length === undefined ? parsed.bytes.length * 8 : Number(length));
  }

  contains(address: ParsedAddress): boolean {
    if (address.family !== this.family) return false;
    const fullBytes = this.prefixLength >> 3;
    for (let index = 0; index < fullBytes; index++) {
      if (address.bytes[index] !== this.prefix[index]) return false;
    }
    const remainingBits = this.prefixLength & 7;
    if (remainingBits === 0) return true;
    const mask = (0xff << (8 - remainingBits)) & 0xff;
    return (address.bytes[fullBytes] & mask) === (this.prefix[fullBytes] & mask);
  }
}

type Ranges = ReadonlyArray<readonly [Network, AddressClass]>;

const ranges = (table: ReadonlyArray<readonly [string, AddressClass]>): Ranges => table.map(([cidr, addressClass]) => [Network.parse(cidr), addressClass]);

/** IANA special-purpose registry, most specific first. */
const IPV4_RANGES = ranges([
  ['169.254.169.254/32', 'metadata'], // AWS, GCP, Azure, OpenStack, Oracle instance metadata
  ['169.254.170.2/32', 'metadata'], // AWS ECS task credentials
  ['100.100.100.200/32', 'metadata'], // Alibaba Cloud
  ['168.63.129.16/32', 'metadata'], // Azure wireserver (a public address, answering only inside Azure)
  ['192.0.0.192/32', 'metadata'], // Oracle Cloud (legacy)
  ['0.0.0.0/8', 'unspecified'], // Linux connects 0.0.0.0 to the local host
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'shared'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'reserved'],
  ['192.0.2.0/24', 'documentation'],
  ['192.88.99.0/24', 'reserved'],
  ['192.168.0.0/16', 'private'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['255.255.255.255/32', 'broadcast'],
  ['240.0.0.0/4', 'reserved'],
]);

const IPV6_RANGES = ranges([
  ['fd00:ec2::254/128', 'metadata'], // AWS instance metadata over IPv6
  ['::/128', 'unspecified'],
  ['::1/128', 'loopback'],
  ['::/96', 'reserved'], // deprecated IPv4-compatible addresses
  ['64:ff9b:1::/48', 'private'], // local-use NAT64
  ['100::/64', 'reserved'], // discard-only
  ['2001:db8::/32', 'documentation'],
  ['2001::/23', 'reserved'], // IETF protocol assignments, Teredo among them
  ['3fff::/20', 'documentation'],
  ['fc00::/7', 'unique-local'],
  ['fe80::/10', 'link-local'],
  ['fec0::/10', 'reserved'], // deprecated site-local
  ['ff00::/8', 'multicast'],
]);

const GLOBAL_UNICAST = Network.parse('2000::/3');
const IPV4_MAPPED = Network.parse('::ffff:0:0/96');
const NAT64 = Network.parse('64:ff9b::/96');
const SIX_TO_FOUR = Network.parse('2002::/16');

/** Throws on anything that is not an IPv4 or IPv6 address (brackets and a zone id are accepted). */
export function classifyAddress(ip: string): AddressClass {
  const address = parseAddress(ip);
  if (!address) throw new TypeError('Not an IP address');
  return classifyParsed(address);
}

function classifyParsed(address: ParsedAddress): AddressClass {
  if (address.family === 4) return classifyIn(IPV4_RANGES, address) ?? 'public';
  // These reach the embedded IPv4 address, so it decides: ::ffff:127.0.0.1 is loopback.
  const embedded = embeddedIPv4(address);
  if (embedded) return classifyParsed(embedded);
  return classifyIn(IPV6_RANGES, address) ?? (GLOBAL_UNICAST.contains(address) ? 'public' : 'reserved');
}

function classifyIn(table: Ranges, address: ParsedAddress): AddressClass | undefined {
  for (const [network, addressClass] of table) {
    if (network.contains(address)) return addressClass;
  }
  return undefined;
}

function embeddedIPv4(address: ParsedAddress): ParsedAddress | undefined {
  if (IPV4_MAPPED.contains(address) || NAT64.contains(address)) return { family: 4, bytes: address.bytes.subarray(12, 16) };
  if (SIX_TO_FOUR.contains(address)) return { family: 4, bytes: address.bytes.subarray(2, 6) };
  return undefined;
}

/** `[::1]` → `::1`, `fe80::1%eth0` → `fe80::1`. */
export function stripAddressDecoration(ip: string): string {
  const unbracketed = ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
  const zone = unbracketed.indexOf('%');
  return zone === -1 ? unbracketed : unbracketed.slice(0, zone);
}

function parseAddress(ip: string): ParsedAddress | undefined {
  const text = stripAddressDecoration(ip);
  if (isIPv4(text)) return { family: 4, bytes: parseIPv4(text) };
  if (isIPv6(text)) return { family: 6, bytes: parseIPv6(text) };
  return undefined;
}

function parseIPv4(text: string): Uint8Array {
  return Uint8Array.from(text.split('.'), Number);
}

/** Input already validated by `isIPv6`. */
function parseIPv6(text: string): Uint8Array {
  const lastColon = text.lastIndexOf(':');
  const dottedTail = text.includes('.', lastColon) ? text.slice(lastColon + 1) : undefined;
  const hex = dottedTail === undefined ? text : `${text.slice(0, lastColon + 1)}0:0`;
  const [head, tail] = hex.split('::');
  const headGroups = head ? head.split(':') : [];
  const tailGroups = tail ? tail.split(':') : [];
  const groups = [...headGroups, ...new Array<string>(8 - headGroups.length - tailGroups.length).fill('0'), ...tailGroups];
  const bytes = new Uint8Array(16);
  groups.forEach((group, index) => {
    const value = parseInt(group, 16);
    bytes[index * 2] = value >> 8;
    bytes[index * 2 + 1] = value & 0xff;
  });
  if (dottedTail !== undefined) bytes.set(parseIPv4(dottedTail), 12);
  return bytes;
}

function formatAddress(family: 4 | 6, bytes: Uint8Array): string {
  if (family === 4) return bytes.join('.');
  const groups = Array.from({ length: 8 }, (_, index) => (bytes[index * 2] << 8) | bytes[index * 2 + 1]);
  let zerosStart = -1;
  let zerosLength = 1;
  for (let start = 0; start < 8;) {
    let end = start;
    while (end < 8 && groups[end] === 0) end++;
    if (end - start > zerosLength) [zerosStart, zerosLength] = [start, end - start];
    start = Math.max(end, start + 1);
  }
  const hex = groups.map((group) => group.toString(16));
  if (zerosStart === -1) return hex.join(':');
  return `${hex.slice(0, zerosStart).join(':')}::${hex.slice(zerosStart + zerosLength).join(':')}`;
}

export class InvalidAllowListEntryError extends Error {}

const HOST_LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;

/** An all-numeric last label is refused: `10.0.0.256` is a mistyped address, never a host name. */
function isHostName(text: string): boolean {
  const labels = text.split('.');
  return text.length <= 253 && labels.every((label) => HOST_LABEL.test(label)) && !/^\d+$/.test(labels[labels.length - 1]);
}

type AllowListEntry =
  { readonly kind: 'host'; readonly host: string } | { readonly kind: 'domain'; readonly suffix: string } | { readonly kind: 'network'; readonly network: Network };

const normalizeHost = (host: string): string => host.toLowerCase().replace(/\.$/, '');

/**
 * One EGRESS_ALLOW_LIST entry: `api.example.com` (exact), `*.example.com` (its sub-domains only), an IP
 * address, or a CIDR. Throws InvalidAllowListEntryError with a message that completes "item N …".
 */
function parseAllowListEntry(raw: string): AllowListEntry {
  const text = normalizeHost(raw.trim());
  const cidr = /^([^/]+)\/(\d*)$/.exec(text);
  if (cidr) return { kind: 'network', network: parseCidr(stripAddressDecoration(cidr[1]), cidr[2]) };
  const address = parseAddress(text);
  if (address) return { kind: 'network', network: new Network(address.family, address.bytes, address.bytes.length * 8) };
  if (text.startsWith('*.') && isHostName(text.slice(2))) return { kind: 'domain', suffix: text.slice(1) };
  if (isHostName(text)) return { kind: 'host', host: text };
  throw new InvalidAllowListEntryError('must be a host name (api.example.com), a wildcard (*.example.com), an IP address or a CIDR (10.0.0.0/8), without scheme, port or path');
}

function parseCidr(addressText: string, lengthText: string): Network {
  const address = parseAddress(addressText);
  if (!address) throw new InvalidAllowListEntryError('must be a CIDR whose address is an IPv4 or IPv6 address (10.0.0.0/8, fd00::/8)');
  const maxLength = address.bytes.length * 8;
  const prefixLength = Number(lengthText);
  if (!/^\d{1,3}$/.test(lengthText) || prefixLength > maxLength) {
    throw new InvalidAllowListEntryError(`must be a CIDR with a prefix length from 0 to ${maxLength}`);
  }
  const network = new Network(address.family, address.bytes, prefixLength);
  const networkAddress = maskedBytes(address.bytes, prefixLength);
  if (!networkAddress.every((byte, index) => byte === address.bytes[index])) {
    throw new InvalidAllowListEntryError(`must be a CIDR without host bits: did you mean ${formatAddress(address.family, networkAddress)}/${prefixLength}?`);
  }
  return network;
}

function maskedBytes(bytes: Uint8Array, prefixLength: number): Uint8Array {
  return bytes.map((byte, index) => {
    const bits = Math.min(8, Math.max(0, prefixLength - index * 8));
    return byte & ((0xff << (8 - bits)) & 0xff);
  });
}

/** Checks one EGRESS_ALLOW_LIST entry (boot-time configuration validation) and returns it normalised. */
export function normalizeAllowListEntry(raw: string): string {
  parseAllowListEntry(raw);
  return stripAddressDecoration(normalizeHost(raw.trim()));
}

/** The parsed EGRESS_ALLOW_LIST: destinations reachable although their addresses are not public. */
export class EgressAllowList {
  private readonly hosts = new Set<string>();
  private readonly domainSuffixes: string[] = [];
  private readonly networks: Network[] = [];

  constructor(entries: readonly string[]) {
    for (const entry of entries.map(parseAllowListEntry)) {
      if (entry.kind === 'host') this.hosts.add(entry.host);
      else if (entry.kind === 'domain') this.domainSuffixes.push(entry.suffix);
      else this.networks.push(entry.network);
    }
  }

  get isEmpty(): boolean {
    return this.hosts.size === 0 && this.domainSuffixes.length === 0 && this.networks.length === 0;
  }

  /** A URL's host: by name (exact or wildcard), or by address when the host is an IP literal. */
  allowsHost(host: string): boolean {
    const address = parseAddress(host);
    if (address) return this.allowsParsed(address);
    const name = normalizeHost(host);
    return this.hosts.has(name) || this.domainSuffixes.some((suffix) => name.endsWith(suffix));
  }

  allowsAddress(ip: string): boolean {
    const address = parseAddress(ip);
    return address !== undefined && this.allowsParsed(address);
  }

  private allowsParsed(address: ParsedAddress): boolean {
    if (this.networks.length === 0) return false;
    // ::ffff:10.1.2.3 is 10.1.2.3 on the wire, so an IPv4 entry covers it.
    const mapped = address.family === 6 && IPV4_MAPPED.contains(address) ? { family: 4 as const, bytes: address.bytes.subarray(12, 16) } : undefined;
    return this.networks.some((network) => network.contains(address) || (mapped !== undefined && network.contains(mapped)));
  }
}
