import { isLoopbackUrl } from "@/server/loopback";

/**
 * Schemes a browser runs, reads locally or treats as its own pages: a code sent there is handed to
 * script, a file or nobody at all. Never a redirect target, whoever registers it.
 */
const UNSAFE_SCHEMES = new Set([
  "javascript:",
  "data:",
  "file:",
  "vbscript:",
  "about:",
  "blob:",
  "filesystem:",
  "view-source:",
  "ftp:",
  "mailto:",
  "ws:",
  "wss:",
  "intent:",
]);

/** RFC 8252 §7.1: a private-use scheme named after a domain the app's author controls, reversed. */
const REVERSE_DOMAIN_SCHEME = /^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+:$/i;
/** RFC 3986 §3.1. */
const SCHEME = /^[a-z][a-z0-9+.-]*:$/i;

/**
 * The one rule for redirect URIs, for clients made in the console and clients that register
 * themselves alike (OAuth 2.1 §2.3.1, RFC 8252 §7):
 *
 * - `https` on any host;
 * - plain `http` only on a loopback host (`localhost`, `127.0.0.1`, `[::1]`), where a desktop or CLI
 *   app listens (any port at authorize time);
 * - a desktop app's private-use scheme, either with a host (`cursor://anysphere.cursor-mcp/oauth/callback`)
 *   or in RFC 8252's reverse-domain form without one (`com.example.app:/callback`).
 *
 * Never a fragment, credentials, a wildcard or a script/browser-internal scheme. The answer says
 * which rule was broken and never repeats the value, which may be anything a stranger sent.
 */
export function redirectUriProblem(value: string): string | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return "A redirect URI must be an absolute URL, such as https://app.example/callback.";
  }
  if (value.includes("#")) return "A redirect URI must not contain a fragment (#).";
  if (value.includes("*")) return "A redirect URI must be exact: wildcards (*) are not allowed.";
  if (url.username || url.password) return "A redirect URI must not contain a user name or password.";
  const scheme = url.protocol.toLowerCase();
  if (scheme === "https:") return null;
  if (scheme === "http:") {
    return isLoopbackUrl(value) ? null : "Plain http is allowed only for localhost, 127.0.0.1 or [::1].";
  }
  if (UNSAFE_SCHEMES.has(scheme) || !SCHEME.test(scheme)) {
    return "Script, file and browser-internal schemes (javascript:, data:, file: and the like) are not allowed as redirect URIs.";
  }
  if (url.host !== "") return null;
  const afterScheme = value.slice(url.protocol.length);
  if (REVERSE_DOMAIN_SCHEME.test(scheme) && afterScheme.startsWith("/") && !afterScheme.startsWith("//")) return null;
  return "A custom-scheme redirect URI needs a host (myapp://host/callback) or a reverse-domain scheme with a path (com.example.app:/callback).";
}
