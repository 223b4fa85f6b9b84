const PROBE_ORIGIN = "https://gatehouse.invalid";

/**
 * Only same-origin paths may be returned to after sign-in; anything else goes home. The answer is
 * what the URL parser makes of the candidate, not the candidate itself: browsers drop tabs and
 * newlines and read `\` as `/`, so `/\t/evil.example` would otherwise leave the site.
 */
export function safeReturnPath(candidate: string | null | undefined): string {
  if (!candidate || !candidate.startsWith("/")) return "/";
  let url: URL;
  try {
    url = new URL(candidate, PROBE_ORIGIN);
  } catch {
    return "/";
  }
  if (url.origin !== PROBE_ORIGIN) return "/";
  const path = url.pathname + url.search + url.hash;
  // A path that still starts with `//` (from `/.//x` and the like) is protocol-relative wherever it is used.
  return path.startsWith("//") ? "/" : path;
}

/** Where a user who must enrol a second factor is sent, coming back to `returnTo` once enrolled. */
export function enrolmentPath(returnTo: string): string {
  return `/enrol-mfa?next=${encodeURIComponent(safeReturnPath(returnTo))}`;
}
