import { loadOptions } from '../config/options';
import { AddressClass, classifyAddress, EgressAllowList, normalizeAllowListEntry } from './address-policy';
import { EgressOptions } from './egress.options';

describe('classifyAddress', () => {
  it.each<[string, AddressClass]>([
    ['8.8.8.8', 'public'],
    ['1.1.1.1', 'public'],
    ['0.0.0.0', 'unspecified'],
    ['0.1.2.3', 'unspecified'],
    ['127.0.0.1', 'loopback'],
    ['127.255.255.254', 'loopback'],
    ['10.0.0.1', 'private'],
    ['172.16.0.1', 'private'],
    ['172.31.255.255', 'private'],
    ['172.32.0.1', 'public'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'shared'],
    ['100.127.255.255', 'shared'],
    ['100.128.0.1', 'public'],
    ['169.254.0.1', 'link-local'],
    ['169.254.169.254', 'metadata'],
    ['169.254.170.2', 'metadata'],
    ['100.100.100.200', 'metadata'],
    ['168.63.129.16', 'metadata'],
    ['192.0.2.1', 'documentation'],
    ['198.51.100.7', 'documentation'],
    ['203.0.113.9', 'documentation'],
    ['198.18.0.1', 'benchmarking'],
    ['192.0.0.8', 'reserved'],
    ['224.0.0.1', 'multicast'],
    ['239.255.255.250', 'multicast'],
    ['240.0.0.1', 'reserved'],
    ['255.255.255.255', 'broadcast'],
  ])('IPv4 %s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each<[string, AddressClass]>([
    ['2606:4700:4700::1111', 'public'],
    ['2001:4860:4860::8888', 'public'],
    ['::', 'unspecified'],
    ['::1', 'loopback'],
    ['[::1]', 'loopback'],
    ['0:0:0:0:0:0:0:1', 'loopback'],
    ['fe80::1', 'link-local'],
    ['fe80::1%eth0', 'link-local'],
    ['febf:ffff::1', 'link-local'],
    ['fc00::1', 'unique-local'],
    ['fd12:3456:789a::1', 'unique-local'],
    ['fd00:ec2::254', 'metadata'],
    ['ff02::1', 'multicast'],
    ['2001:db8::1', 'documentation'],
    ['3fff::1', 'documentation'],
    ['2001::1', 'reserved'], // Teredo
    ['100::1', 'reserved'],
    ['fec0::1', 'reserved'],
    ['::7f00:1', 'reserved'], // deprecated IPv4-compatible
    ['::ffff:0:7f00:1', 'reserved'], // IPv4-translated, outside global unicast
    ['4000::1', 'reserved'], // unallocated
    ['64:ff9b:1::a00:1', 'private'],
  ])('IPv6 %s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each<[string, AddressClass]>([
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:7f00:1', 'loopback'],
    ['0:0:0:0:0:ffff:7f00:0001', 'loopback'],
    ['::FFFF:10.0.0.1', 'private'],
    ['::ffff:a9fe:a9fe', 'metadata'],
    ['::ffff:8.8.8.8', 'public'],
    ['64:ff9b::10.0.0.1', 'private'], // NAT64 of a private address
    ['64:ff9b::a9fe:a9fe', 'metadata'],
    ['64:ff9b::808:808', 'public'],
    ['2002:7f00:1::1', 'loopback'], // 6to4 of 127.0.0.1
    ['2002:c0a8:101::1', 'private'],
    ['2002:808:808::1', 'public'],
  ])('IPv4 embedded in IPv6: %s is %s', (ip, expected) => {
    expect(classifyAddress(ip)).toBe(expected);
  });

  it.each(['example.com', '127.1', '1.2.3.4.5', '::g', ''])('refuses %p, which is not an IP address', (text) => {
    expect(() => classifyAddress(text)).toThrow(TypeError);
  });
});

describe('EgressAllowList', () => {
  it('matches host names exactly and case-insensitively', () => {
    const allowList = new EgressAllowList(['Api.Internal.example', 'localhost']);
    expect(allowList.allowsHost('api.internal.example')).toBe(true);
    expect(allowList.allowsHost('API.INTERNAL.EXAMPLE.')).toBe(true);
    expect(allowList.allowsHost('localhost')).toBe(true);
    expect(allowList.allowsHost('internal.example')).toBe(false);
    expect(allowList.allowsHost('x.api.internal.example')).toBe(false);
    expect(allowList.allowsHost('api.internal.example.evil.com')).toBe(false);
  });

  it('matches a wildcard against sub-domains only', () => {
    const allowList = new EgressAllowList(['*.corp.example']);
    expect(allowList.allowsHost('a.corp.example')).toBe(true);
    expect(allowList.allowsHost('a.b.Corp.Example')).toBe(true);
    expect(allowList.allowsHost('corp.example')).toBe(false);
    expect(allowList.allowsHost('evilcorp.example')).toBe(false);
    expect(allowList.allowsHost('corp.example.evil.com')).toBe(false);
  });

  it('matches addresses and CIDRs, IPv4 and IPv6', () => {
    const allowList = new EgressAllowList(['10.0.0.0/8', '192.168.1.10', 'fd00::/8', '[::1]', '172.16.0.0/12']);
    expect(allowList.allowsAddress('10.255.0.1')).toBe(true);
    expect(allowList.allowsAddress('11.0.0.1')).toBe(false);
    expect(allowList.allowsAddress('192.168.1.10')).toBe(true);
    expect(allowList.allowsAddress('192.168.1.11')).toBe(false);
    expect(allowList.allowsAddress('172.31.255.255')).toBe(true);
    expect(allowList.allowsAddress('172.32.0.0')).toBe(false);
    expect(allowList.allowsAddress('fd12::1')).toBe(true);
    expect(allowList.allowsAddress('fc00::1')).toBe(false);
    expect(allowList.allowsAddress('::1')).toBe(true);
    expect(allowList.allowsAddress('::2')).toBe(false);
    expect(allowList.allowsAddress('not-an-address')).toBe(false);
  });

  it('lets an IPv4 entry cover the IPv4-mapped form, and IP-literal hosts match address entries', () => {
    const allowList = new EgressAllowList(['127.0.0.0/8']);
    expect(allowList.allowsAddress('::ffff:127.0.0.1')).toBe(true);
    expect(allowList.allowsAddress('::ffff:7f00:2')).toBe(true);
    expect(allowList.allowsHost('127.0.0.1')).toBe(true);
    expect(allowList.allowsHost('[::ffff:127.0.0.1]')).toBe(true);
    expect(allowList.allowsHost('localhost')).toBe(false);
  });

  it('handles prefix lengths that do not fall on a byte boundary', () => {
    const allowList = new EgressAllowList(['100.64.0.0/10', '2001:db8:8000::/33']);
    expect(allowList.allowsAddress('100.127.255.255')).toBe(true);
    expect(allowList.allowsAddress('100.128.0.0')).toBe(false);
    expect(allowList.allowsAddress('2001:db8:ffff::1')).toBe(true);
    expect(allowList.allowsAddress('2001:db8:7fff::1')).toBe(false);
  });

  it('allows nothing when empty', () => {
    const allowList = new EgressAllowList([]);
    expect(allowList.isEmpty).toBe(true);
    expect(allowList.allowsHost('localhost')).toBe(false);
    expect(allowList.allowsAddress('127.0.0.1')).toBe(false);
  });
});

describe('EGRESS_ALLOW_LIST validation', () => {
  it('normalises entries', () => {
    expect(normalizeAllowListEntry(' API.Example.com. ')).toBe('api.example.com');
    expect(normalizeAllowListEntry('[::1]')).toBe('::1');
    expect(normalizeAllowListEntry('FD00::/8')).toBe('fd00::/8');
  });

  it('binds a valid list', () => {
    const options = loadOptions(EgressOptions, { EGRESS_ALLOW_LIST: 'localhost, *.corp.example, 10.0.0.0/8, fd00::/8, 192.168.1.5' });
    expect(options.allowList).toEqual(['localhost', '*.corp.example', '10.0.0.0/8', 'fd00::/8', '192.168.1.5']);
    expect(loadOptions(EgressOptions, {})).toMatchObject({
      allowList: [],
      connectTimeoutMs: 5_000,
      requestTimeoutMs: 30_000,
      maxResponseBytes: 10 * 1024 * 1024,
      maxConnectionsPerOrigin: 64,
    });
  });

  it.each([
    ['https://api.example.com', /item 1 must be a host name/],
    ['api.example.com:443', /item 1 must be a host name/],
    ['*', /item 1 must be a host name/],
    ['*.*.example.com', /item 1 must be a host name/],
    ['10.0.0.256', /item 1 must be a host name/],
    ['10.0.0.0/33', /item 1 must be a CIDR with a prefix length from 0 to 32/],
    ['fd00::/129', /from 0 to 128/],
    ['10.0.0.0/', /prefix length/],
    ['example.com/8', /must be a CIDR whose address is an IPv4 or IPv6 address/],
    ['10.0.0.1/8', /item 1 must be a CIDR without host bits: did you mean 10\.0\.0\.0\/8\?/],
    ['fd00::1/8', /did you mean fd00::\/8\?/],
  ])('refuses %p at boot with a clear message', (entry, message) => {
    expect(() => loadOptions(EgressOptions, { EGRESS_ALLOW_LIST: entry })).toThrow(message);
    expect(() => loadOptions(EgressOptions, { EGRESS_ALLOW_LIST: entry })).toThrow(/EGRESS_ALLOW_LIST/);
  });
});
