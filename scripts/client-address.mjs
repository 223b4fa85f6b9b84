/**
 * Installed in the Next.js server process by scripts/start.mjs (`node --import` for `next dev`), before Next.js
 * creates its HTTP server. Rate limits, MFA lockouts and the audit log key on the client address,
 * which better-auth reads from `X-Forwarded-For`. `next start` passes a client's own header through
 * untouched (it fills the header in only when it is absent), so any client could pick its address.
 * Here every request's header is replaced by the one address the server trusts:
 *
 * - from a trusted proxy (`GATEHOUSE_TRUSTED_PROXIES`, loopback by default), the right-most address
 *   of the chain that is not itself a trusted proxy, or the proxy's own address without a header;
 * - from anyone else, the address of the connection, whatever the header said.
 *
 * Plain JavaScript, so that it loads without a TypeScript loader in the production server.
 */
import http from "node:http";
import net from "node:net";

const DEFAULT_TRUSTED_PROXIES = "127.0.0.1,::1";

/** `::ffff:10.0.0.1` is how Node reports an IPv4 peer on a dual-stack socket. */
export function normaliseAddress(address) {
  const trimmed = String(address ?? "").trim();
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(trimmed);
  return mapped ? mapped[1] : trimmed;
}

/** Comma-separated addresses and CIDR ranges, IPv4 or IPv6; an empty value trusts no proxy. */
export function parseTrustedProxies(value = DEFAULT_TRUSTED_PROXIES) {
  const list = new net.BlockList();
  for (const entry of value.split(",").map((part) => part.trim()).filter(Boolean)) {
    const [address, prefix] = entry.split("/");
    const family = net.isIP(address);
    if (family === 0) throw new Error(`GATEHOUSE_TRUSTED_PROXIES: "${entry}" is not an IP address or CIDR range.`);
    const type = family === 6 ? "ipv6" : "ipv4";
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

function isTrusted(list, address) {
  const family = net.isIP(address);
  return family !== 0 && list.check(address, family === 6 ? "ipv6" : "ipv4");
}

/** The client's address for a request that arrived from `peer` carrying `forwardedFor`. */
export function clientAddress(peer, forwardedFor, trusted) {
  const connection = normaliseAddress(peer);
  if (!isTrusted(trusted, connection)) return connection;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(",") : (forwardedFor ?? "");
  const chain = header.split(",").map(normaliseAddress).filter(Boolean);
  for (let index = chain.length - 1; index >= 0; index -= 1) {
    const hop = chain[index];
    // Garbage in the header ends the trust: the hop before it (a trusted proxy) is the answer.
    if (net.isIP(hop) === 0) return index === chain.length - 1 ? connection : chain[index + 1];
    if (!isTrusted(trusted, hop)) return hop;
  }
  return chain[0] ?? connection;
}

export function installClientAddressRewrite(trustedValue = process.env.GATEHOUSE_TRUSTED_PROXIES) {
  const trusted = parseTrustedProxies(trustedValue);
  const emit = http.Server.prototype.emit;
  http.Server.prototype.emit = function emitWithClientAddress(event, ...args) {
    if (event === "request") {
      const [request] = args;
      request.headers["x-forwarded-for"] = clientAddress(request.socket?.remoteAddress, request.headers["x-forwarded-for"], trusted);
    }
    return emit.call(this, event, ...args);
  };
}

if (process.env.GATEHOUSE_CLIENT_ADDRESS_PRELOAD === "1") installClientAddressRewrite();
