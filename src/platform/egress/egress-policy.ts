import { promises as dns } from 'node:dns';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { classifyError, IntegrationError } from '../resilience/failure-classifier';
import { AddressClass, classifyAddress, EgressAllowList } from './address-policy';
import { EgressOptions } from './egress.options';

export interface ResolvedDestination {
  readonly address: string;
  readonly family: 4 | 6;
}

const ADDRESS_DESCRIPTIONS: Readonly<Record<Exclude<AddressClass, 'public'>, string>> = {
  unspecified: 'an unspecified (0.0.0.0 or ::) address',
  loopback: 'a loopback address',
  private: 'a private address',
  shared: 'a shared (carrier-grade NAT) address',
  'link-local': 'a link-local address',
  metadata: 'a cloud metadata address',
  'unique-local': 'a unique local (fc00::/7) address',
  multicast: 'a multicast address',
  broadcast: 'the broadcast address',
  documentation: 'a documentation-only address',
  benchmarking: 'a benchmarking address',
  reserved: 'a reserved address',
};

/** The destination (or an address it resolves to) is not public and not on EGRESS_ALLOW_LIST. */
export class EgressRefusedError extends IntegrationError {
  constructor(
    readonly host: string,
    readonly addressClass: Exclude<AddressClass, 'public'>,
    ipLiteral: boolean,
  ) {
    super(
      'Validation',
      'egress_refused',
      `Egress to ${host} refused: it ${ipLiteral ? 'is' : 'resolves to'} ${ADDRESS_DESCRIPTIONS[addressClass]}, which is not on EGRESS_ALLOW_LIST`,
    );
  }
}

/** Not an http(s) URL, or one carrying credentials. The message never repeats the URL. */
export class InvalidEgressUrlError extends IntegrationError {
  constructor(reason: string) {
    super('Validation', 'invalid_url', `Egress URL refused: ${reason}`);
  }
}

const MAX_REMEMBERED_LITERALS = 4096;
const IPV6_ZONE_ID = /^[a-z][a-z0-9+.-]*:\/\/(?:[^/?#@]*@)?\[[^\]]*%/i;

const unbracketed = (host: string): string => (host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host);

/**
 * Decides which destinations outbound HTTP may reach: only public addresses, unless the host or the
 * address is on EGRESS_ALLOW_LIST. Every address a name resolves to must pass, so a name answering with
 * one public and one private address is refused whichever the connection would have used.
 */
@Injectable()
export class EgressPolicy {
  private readonly allowList: EgressAllowList;
  private readonly literalVerdicts = new Map<string, ResolvedDestination | EgressRefusedError | null>();

  constructor(options: EgressOptions) {
    this.allowList = new EgressAllowList(options.allowList);
  }

  /** Checks the URL's form (http or https, no user-info, no IPv6 zone id) before anything is resolved. */
  parseUrl(url: string | URL): URL {
    // WHATWG URLs have no zone ids (`[fe80::1%25eth0]`) and refuse them: say why, not just "not a URL".
    if (typeof url === 'string' && IPV6_ZONE_ID.test(url)) throw new InvalidEgressUrlError('IPv6 zone ids (%25…) are not allowed in the host');
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      throw new InvalidEgressUrlError('not an absolute URL');
    }
    if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new InvalidEgressUrlError('only http and https URLs are allowed');
    if (parsed.username !== '' || parsed.password !== '') {
      throw new InvalidEgressUrlError('user-info (user:password@) is not allowed in the URL; send credentials in a header');
    }
    return parsed;
  }

  /**
   * A base URL kept for later calls (a provider's default, an API client's): parseUrl's rules, https
   * unless the host is on EGRESS_ALLOW_LIST, and no IP literal the policy refuses. Names are not resolved
   * here: what they resolve to is checked on every connection.
   */
  checkBaseUrl(url: string): URL {
    const parsed = this.parseUrl(url);
    if (parsed.protocol === 'http:' && !this.allowList.allowsHost(parsed.hostname)) {
      throw new InvalidEgressUrlError('plain http is allowed only to hosts on EGRESS_ALLOW_LIST; use https');
    }
    this.checkIpLiteral(parsed.hostname);
    return parsed;
  }

  /** IP-literal hosts are checked without any lookup; returns undefined for a name, which needs `resolve`. */
  checkIpLiteral(hostname: string): ResolvedDestination | undefined {
    // The verdict on a literal never changes (the allow list is fixed per process): remember it.
    let verdict = this.literalVerdicts.get(hostname);
    if (verdict === undefined) {
      verdict = this.judgeLiteral(hostname);
      if (this.literalVerdicts.size >= MAX_REMEMBERED_LITERALS) this.literalVerdicts.clear();
      this.literalVerdicts.set(hostname, verdict);
    }
    // A fresh error each time: callers attach context to what they catch.
    if (verdict instanceof EgressRefusedError) throw new EgressRefusedError(verdict.host, verdict.addressClass, true);
    return verdict ?? undefined;
  }

  private judgeLiteral(hostname: string): ResolvedDestination | EgressRefusedError | null {
    const host = unbracketed(hostname);
    const family = isIP(host);
    if (family === 0) return null;
    try {
      return this.permit(host, [{ address: host, family }], true);
    } catch (error) {
      if (error instanceof EgressRefusedError) return error;
      throw error;
    }
  }

  /** The address to connect to: the first one the name resolves to, once every one of them passed. */
  async resolve(hostname: string): Promise<ResolvedDestination> {
    const literal = this.checkIpLiteral(hostname);
    if (literal) return literal;
    let addresses: Array<{ address: string; family: number }>;
    try {
      addresses = await dns.lookup(hostname, { all: true });
    } catch (error) {
      throw resolutionFailure(hostname, error);
    }
    if (addresses.length === 0) throw resolutionFailure(hostname, undefined);
    return this.permit(hostname, addresses, false);
  }

  private permit(host: string, addresses: ReadonlyArray<{ address: string; family: number }>, ipLiteral: boolean): ResolvedDestination {
    if (!this.allowList.allowsHost(host)) {
      for (const { address } of addresses) {
        const addressClass = classifyAddress(address);
        if (addressClass !== 'public' && !this.allowList.allowsAddress(address)) throw new EgressRefusedError(host, addressClass, ipLiteral);
      }
    }
    const [{ address, family }] = addresses;
    return { address, family: family === 6 ? 6 : 4 };
  }
}

/** NXDOMAIN stays Validation (a wrong host name, as the classifier has it); any other lookup failure is Transient. */
function resolutionFailure(host: string, error: unknown): IntegrationError {
  const { category, code } = classifyError(error);
  if (code === 'dns_not_found') return new IntegrationError(category, code, `Egress to ${host} failed: the name does not resolve`, { cause: error });
  return IntegrationError.transient(code === 'dns_unavailable' ? code : 'dns_failure', `Egress to ${host} failed: the name could not be resolved`, {
    cause: error,
  });
}
