import net from "node:net";

/** `::ffff:10.0.0.1` is how an IPv4 client of a dual-stack socket is written; people know it as `10.0.0.1`. */
const IPV4_MAPPED = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i;

/** One way of writing each address (lower case, zeros compressed), so equal addresses compare equal. */
function canonicalAddress(address: string): string | null {
  const mapped = IPV4_MAPPED.exec(address);
  if (mapped) return mapped[1]!;
  const family = net.isIP(address);
  if (family === 4) return address;
  if (family !== 6) return null;
  try {
    // The URL parser writes an IPv6 host in its canonical (RFC 5952) form.
    return new URL(`http://[${address}]/`).hostname.slice(1, -1);
  } catch {
    // A zone index (`fe80::1%eth0`) is valid to net.isIP but not in a URL: keep it as written.
    return address.toLowerCase();
  }
}

/**
 * The client address of a request, as sessions and the audit log record it. Everything that shows
 * or audits an address derives it here, so the two always agree.
 *
 * In the server `npm start` runs, X-Forwarded-For holds exactly one address: the preload
 * (`scripts/client-address.mjs`) replaces whatever the client sent with the connection's address, or
 * with the one a trusted proxy (`GATEHOUSE_TRUSTED_PROXIES`) reported. A header with several
 * addresses never comes from it: it is a client's own header reaching a server run without the
 * preload, and its left-most entry is whatever that client chose, so it is not believed. That is
 * better-auth's rule too (without `trustedProxies` it trusts a single-value header only); unlike
 * better-auth's, the address is kept whole: better-auth collapses IPv6 to its /64, which is right for
 * counting requests against a rate limit and wrong for telling people where a session is.
 * X-Real-IP is not read: nothing in front of Gatehouse is known to set it, so a client could.
 */
export function clientAddress(headers: Headers): string | null {
  const forwarded = headers.get("x-forwarded-for");
  if (!forwarded) return null;
  const hops = forwarded
    .split(",")
    .map((hop) => hop.trim())
    .filter(Boolean);
  if (hops.length !== 1) return null;
  return canonicalAddress(hops[0]!);
}
