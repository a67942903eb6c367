/**
 * Where an app's outbound fetch may go: http(s) only, and (unless the policy allows it) never to a
 * loopback, private, link-local or otherwise non-public address — the way out of a tenant's isolate
 * into the operator's network or a cloud metadata service. IP-literal hosts are checked before
 * connecting; names are checked on the addresses DNS gave, inside the connection's own lookup, so a
 * name that resolves differently at connect time (DNS rebinding) is still caught.
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import type { OutboundPolicy } from "../contract.js";

/** Ranges no app may reach by default (IANA special-purpose registries, RFC 6890 and successors). */
const DENIED: [string, number, "ipv4" | "ipv6"][] = [
  ["0.0.0.0", 8, "ipv4"], // "this network", incl. the unspecified 0.0.0.0
  ["10.0.0.0", 8, "ipv4"], // private
  ["100.64.0.0", 10, "ipv4"], // carrier-grade NAT
  ["127.0.0.0", 8, "ipv4"], // loopback
  ["169.254.0.0", 16, "ipv4"], // link-local, incl. the metadata service 169.254.169.254
  ["172.16.0.0", 12, "ipv4"], // private
  ["192.0.0.0", 24, "ipv4"], // IETF protocol assignments
  ["192.168.0.0", 16, "ipv4"], // private
  ["198.18.0.0", 15, "ipv4"], // benchmarking
  ["224.0.0.0", 4, "ipv4"], // multicast
  ["240.0.0.0", 4, "ipv4"], // reserved, incl. broadcast
  ["::", 96, "ipv6"], // unspecified, loopback and IPv4-compatible forms
  ["100::", 64, "ipv6"], // discard-only
  ["fc00::", 7, "ipv6"], // unique local
  ["fe80::", 10, "ipv6"], // link-local
  ["ff00::", 8, "ipv6"], // multicast
];

/** A BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1, ::ffff:7f00:1) against IPv4 rules. */
const denied = new BlockList();
for (const [net, prefix, type] of DENIED) denied.addSubnet(net, prefix, type);

export const REFUSED_REASON = "private/loopback addresses are not allowed";

/** A fetch the policy refuses; its message is what the app's TypeError says. */
export class OutboundRefusedError extends Error {
  override name = "OutboundRefusedError";
}

/** The policy compiled once: `allows(address)` for resolved or literal addresses. */
export class AddressPolicy {
  readonly #allowPrivate: boolean;
  readonly #allowed = new BlockList();

  constructor(policy: OutboundPolicy) {
    this.#allowPrivate = policy.allowPrivate;
    for (const entry of policy.allowAddresses ?? []) {
      const [net = "", bits] = entry.split("/");
      const type = isIP(net) === 6 ? "ipv6" : "ipv4";
      if (isIP(net) === 0) throw new TypeError(`outbound policy: "${entry}" is not an address or CIDR range`);
      if (bits === undefined) this.#allowed.addAddress(net, type);
      else this.#allowed.addSubnet(net, Number(bits), type);
    }
  }

  /** Whether the (unbracketed) IP address may be reached. */
  allows(address: string): boolean {
    if (this.#allowPrivate) return true;
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 6 ? "ipv6" : "ipv4";
    return !denied.check(address, type) || this.#allowed.check(address, type);
  }

  /**
   * The synchronous checks on a URL (each hop's): the scheme, and the host when it is an IP literal.
   * `url.hostname` is already normalized by the URL parser (0x7f.1 and 2130706433 are 127.0.0.1).
   */
  check(url: URL): void {
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      throw new TypeError(`fetch: the URL scheme "${url.protocol.slice(0, -1)}" is not supported`);
    }
    const host = url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname;
    if (isIP(host) !== 0 && !this.allows(host)) {
      throw new OutboundRefusedError(`fetch to ${host} refused: ${REFUSED_REASON}`);
    }
  }
}

/** `dns.lookup`'s all-addresses form, injectable so tests can resolve names without DNS. */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for net/tls.connect that resolves every address of the name and refuses the connection
 * if any of them is not allowed (a name that mixes public and private addresses is not trusted).
 */
export function guardedLookup(policy: AddressPolicy, resolve: Resolver = dnsLookup) {
  return (hostname: string, options: { family?: number | string; all?: boolean }, callback: LookupCallback): void => {
    const family = options.family === "IPv6" ? 6 : options.family === "IPv4" ? 4 : Number(options.family ?? 0);
    resolve(hostname, { all: true, family: family === 4 || family === 6 ? family : 0 }, (err, addresses) => {
      if (err) return callback(err, []);
      const refused = addresses.find((a) => !policy.allows(a.address));
      if (refused) {
        const error = new OutboundRefusedError(`fetch to ${hostname} (${refused.address}) refused: ${REFUSED_REASON}`);
        return callback(error as NodeJS.ErrnoException, []);
      }
      const first = addresses[0];
      if (options.all) callback(null, addresses);
      else if (first) callback(null, first.address, first.family);
      else callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" }), []);
    });
  };
}
