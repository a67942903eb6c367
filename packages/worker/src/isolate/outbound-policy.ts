/**
 * Where an app's outbound fetch may go: http(s) only, and (unless the policy allows it) never to a
 * loopback, private, link-local or otherwise non-public address — the way out of a tenant's isolate
 * into the operator's network or a cloud metadata service. IP-literal hosts are checked before
 * connecting; names are checked on the addresses DNS gave, inside the connection's own lookup, so a
 * name that resolves differently at connect time (DNS rebinding) is still caught.
 *
 * An IPv6 address that carries an IPv4 address (IPv4-mapped and -translated, NAT64, 6to4, Teredo,
 * ISATAP) is refused when the IPv4 address would be, and so is any address of the server's own
 * interfaces (its public address reaches every service listening on all interfaces).
 */
import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions } from "node:dns";
import { BlockList, isIP } from "node:net";
import { networkInterfaces } from "node:os";
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
  ["64:ff9b:1::", 48, "ipv6"], // local-use IPv4/IPv6 translation (RFC 8215): a site's own NAT64
  ["100::", 64, "ipv6"], // discard-only
  ["fc00::", 7, "ipv6"], // unique local
  ["fe80::", 10, "ipv6"], // link-local
  ["ff00::", 8, "ipv6"], // multicast
];

/** A BlockList matches IPv4-mapped IPv6 addresses (::ffff:127.0.0.1, ::ffff:7f00:1) against IPv4 rules. */
const denied = new BlockList();
for (const [net, prefix, type] of DENIED) denied.addSubnet(net, prefix, type);

/** The eight 16-bit groups of an IPv6 address (a zone index is dropped), or null if it is not one. */
function ipv6Groups(address: string): number[] | null {
  let a = address.split("%")[0] ?? "";
  if (isIP(a) !== 6) return null;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(a);
  if (dotted) {
    const [b0, b1, b2, b3] = dotted.slice(1).map(Number) as [number, number, number, number];
    a = `${a.slice(0, dotted.index)}${((b0 << 8) | b1).toString(16)}:${((b2 << 8) | b3).toString(16)}`;
  }
  const [head = "", tail] = a.split("::");
  const parse = (part: string) => (part === "" ? [] : part.split(":").map((g) => Number.parseInt(g, 16)));
  const before = parse(head);
  const after = tail === undefined ? [] : parse(tail);
  const groups = [...before, ...new Array(8 - before.length - after.length).fill(0), ...after];
  return groups.length === 8 && groups.every((g) => g >= 0 && g <= 0xffff) ? groups : null;
}

const ipv4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;

/**
 * The IPv4 addresses an IPv6 address carries, in every form that may deliver to them:
 * IPv4-mapped (::ffff:a.b.c.d), IPv4-translated (::ffff:0:a.b.c.d), IPv4-compatible (::a.b.c.d),
 * NAT64 (64:ff9b::a.b.c.d), 6to4 (2002:AABB:CCDD::, bits 16–48), Teredo (2001:0:SERVER::, the server
 * in bits 32–64 and the client in the last 32 bits, inverted) and ISATAP (…:0:5efe:a.b.c.d).
 */
export function embeddedIPv4(address: string): string[] {
  const g = ipv6Groups(address);
  if (!g) return [];
  const [g0, g1, g2, g3, g4, g5, g6, g7] = g as [number, number, number, number, number, number, number, number];
  const out: string[] = [];
  const zeroTo = (n: number) => g.slice(0, n).every((x) => x === 0);
  if (zeroTo(5) && (g5 === 0xffff || g5 === 0)) out.push(ipv4(g6, g7)); // mapped, compatible
  if (zeroTo(4) && g4 === 0xffff && g5 === 0) out.push(ipv4(g6, g7)); // translated
  if (g0 === 0x64 && g1 === 0xff9b && g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) out.push(ipv4(g6, g7)); // NAT64
  if (g0 === 0x2002) out.push(ipv4(g1, g2)); // 6to4
  if (g0 === 0x2001 && g1 === 0) out.push(ipv4(g2, g3), ipv4(g6 ^ 0xffff, g7 ^ 0xffff)); // Teredo
  if ((g4 & 0xfdff) === 0 && g5 === 0x5efe) out.push(ipv4(g6, g7)); // ISATAP
  return out;
}

/** The addresses of this machine's interfaces, as `os.networkInterfaces()` lists them. */
export function interfaceAddresses(): string[] {
  try {
    return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).map((i) => i.address));
  } catch {
    return [];
  }
}

/** How long the list of the server's own addresses is trusted before it is read again. */
const SELF_TTL_MS = 5_000;

export const REFUSED_REASON = "private/loopback addresses are not allowed";

/** A fetch the policy refuses; its message is what the app's TypeError says. */
export class OutboundRefusedError extends Error {
  override name = "OutboundRefusedError";
}

/** The policy compiled once: `allows(address)` for resolved or literal addresses. */
export class AddressPolicy {
  readonly #allowPrivate: boolean;
  readonly #allowed = new BlockList();
  readonly #interfaces: () => string[];
  #self: { list: BlockList; until: number } | null = null;

  /** `interfaces` lists the server's own addresses (injectable for tests); they are refused too. */
  constructor(policy: OutboundPolicy, opts: { interfaces?: () => string[] } = {}) {
    this.#allowPrivate = policy.allowPrivate;
    this.#interfaces = opts.interfaces ?? interfaceAddresses;
    for (const entry of policy.allowAddresses ?? []) {
      const [net = "", bits] = entry.split("/");
      const type = isIP(net) === 6 ? "ipv6" : "ipv4";
      if (isIP(net) === 0) throw new TypeError(`outbound policy: "${entry}" is not an address or CIDR range`);
      if (bits === undefined) this.#allowed.addAddress(net, type);
      else this.#allowed.addSubnet(net, Number(bits), type);
    }
  }

  /**
   * Whether the (unbracketed) IP address may be reached: a public address, not one of the server's
   * own, and no IPv6 form of an IPv4 address that is neither — unless the policy lists it.
   */
  allows(address: string): boolean {
    if (this.#allowPrivate) return true;
    const family = isIP(address);
    if (family === 0) return false;
    const type = family === 6 ? "ipv6" : "ipv4";
    if (this.#allowed.check(address, type)) return true;
    const self = this.#selfList();
    if (denied.check(address, type) || self.check(address, type)) return false;
    if (type === "ipv4") return true;
    return embeddedIPv4(address).every((v4) => !denied.check(v4, "ipv4") && !self.check(v4, "ipv4"));
  }

  /** The server's own addresses, read again once they are SELF_TTL_MS old (interfaces change). */
  #selfList(): BlockList {
    const now = Date.now();
    if (this.#self && now < this.#self.until) return this.#self.list;
    const list = new BlockList();
    for (const raw of this.#interfaces()) {
      const address = raw.split("%")[0] ?? "";
      const family = isIP(address);
      if (family !== 0) list.addAddress(address, family === 6 ? "ipv6" : "ipv4");
    }
    this.#self = { list, until: now + SELF_TTL_MS };
    return list;
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
