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
