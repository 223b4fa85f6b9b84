const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

/** A URL on this machine: cookies may skip `Secure` there, and native apps may redirect there over http (RFC 8252). */
export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK_HOSTS.has(new URL(url).hostname);
}

/** An `http:` redirect URI on a loopback host; anything unparsable is not one. */
export function isLoopbackRedirectUri(value: unknown): boolean {
  if (typeof value !== "string") return false;
  try {
    return new URL(value).protocol === "http:" && isLoopbackUrl(value);
  } catch {
    return false;
  }
}
