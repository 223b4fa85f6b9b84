import { BlockList, isIP } from "node:net";

/**
 * Host names that only make sense inside a network: a URL a client registers for people's browsers
 * (its logo, home page, policy, terms) must not point there, or the consent page would make every
 * visitor's browser reach into their own network for it.
 */
const INTERNAL_SUFFIXES = [".localhost", ".local", ".internal", ".lan", ".home.arpa", ".intranet", ".corp"];

const IPV4_LITERAL = /^\d{1,3}(\.\d{1,3}){3}$/;

/**
 * An IP literal, `localhost`, a single-label name or a name under a suffix reserved for private
 * networks. The WHATWG URL parser has already turned numeric forms (`2130706433`, `0x7f.1`) into
 * dotted IPv4, and IPv6 arrives in brackets.
 */
export function isInternalHostname(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.+$/, "");
  if (host === "" || host.startsWith("[") || IPV4_LITERAL.test(host)) return true;
  if (host === "localhost" || !host.includes(".")) return true;
  return INTERNAL_SUFFIXES.some((suffix) => host.endsWith(suffix));
}

/** Whether `value` is an absolute https URL, without credentials, on a public host name. */
export function isPublicHttpsUrl(value: string): boolean {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return false;
  }
  return url.protocol === "https:" && !url.username && !url.password && !isInternalHostname(url.hostname);
}

/**
 * Address ranges a server-side fetch must never reach on behalf of someone outside: this machine,
 * private and carrier-grade NAT networks, link-local (cloud metadata services at 169.254.169.254),
 * unique-local IPv6, multicast, unspecified, documentation and reserved ranges, and the IPv6 forms
 * that carry an IPv4 address (mapped, NAT64, 6to4, Teredo), which could carry any of the above.
 */
const NON_PUBLIC_ADDRESSES = (() => {
  const list = new BlockList();
  const ipv4: [string, number][] = [
    ["0.0.0.0", 8],
    ["10.0.0.0", 8],
    ["100.64.0.0", 10],
    ["127.0.0.0", 8],
    ["169.254.0.0", 16],
    ["172.16.0.0", 12],
    ["192.0.0.0", 24],
    ["192.0.2.0", 24],
    ["192.88.99.0", 24],
    ["192.168.0.0", 16],
    ["198.18.0.0", 15],
    ["198.51.100.0", 24],
    ["203.0.113.0", 24],
    ["224.0.0.0", 4],
    ["240.0.0.0", 4],
  ];
  const ipv6: [string, number][] = [
    ["::", 96],
    ["64:ff9b::", 96],
    ["64:ff9b:1::", 48],
    ["100::", 64],
    ["2001::", 32],
    ["2001:2::", 48],
    ["2001:db8::", 32],
    ["2002::", 16],
    ["fc00::", 7],
    ["fe80::", 10],
    ["fec0::", 10],
    ["ff00::", 8],
  ];
  for (const [network, prefix] of ipv4) list.addSubnet(network, prefix, "ipv4");
  for (const [network, prefix] of ipv6) list.addSubnet(network, prefix, "ipv6");
  return list;
})();

/**
 * IPv4-mapped IPv6 (::ffff:0:0/96), kept apart: a BlockList checks IPv4 addresses against IPv6 rules
 * through this very mapping, so in the list above it would match every IPv4 address.
 */
const IPV4_MAPPED = (() => {
  const list = new BlockList();
  list.addSubnet("::ffff:0:0", 96, "ipv6");
  return list;
})();

const LOOPBACK_ADDRESSES = (() => {
  const list = new BlockList();
  list.addSubnet("127.0.0.0", 8, "ipv4");
  list.addAddress("::1", "ipv6");
  return list;
})();

/** The bare address of an IP literal: `[::1]` and `fe80::1%eth0` become `::1` and `fe80::1`. */
function bareAddress(address: string): string {
  return address.replace(/^\[(.*)\]$/, "$1").replace(/%.*$/, "");
}

/** Whether `address` (an IPv4 or IPv6 literal) is on the public internet; anything that is not an IP address is not. */
export function isPublicAddress(address: string): boolean {
  const bare = bareAddress(address);
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6 && IPV4_MAPPED.check(bare, "ipv6")) return false;
  return !NON_PUBLIC_ADDRESSES.check(bare, family === 4 ? "ipv4" : "ipv6");
}

/** Whether `address` is this machine's loopback (127.0.0.0/8 or ::1, also in its IPv4-mapped form). */
export function isLoopbackAddress(address: string): boolean {
  const bare = bareAddress(address);
  const family = isIP(bare);
  if (family === 0) return false;
  return LOOPBACK_ADDRESSES.check(bare, family === 4 ? "ipv4" : "ipv6");
}
