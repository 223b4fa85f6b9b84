import { isLoopbackRedirectUri } from "@/server/loopback";

/** Loopback redirect URIs may use any port (RFC 8252 §7.3); everything else must match character for character. */
const withoutLoopbackPort = (uri: string) => (isLoopbackRedirectUri(uri) ? uri.replace(/^(http:\/\/[^/?#]*?)(:\d+)?(?=[/?#]|$)/i, "$1") : uri);

export function isRegisteredRedirect(registered: readonly string[], requested: string): boolean {
  if (requested.includes("#")) return false;
  return registered.some((uri) => uri === requested || withoutLoopbackPort(uri) === withoutLoopbackPort(requested));
}

/** The parts of a better-auth middleware context a refusal is answered through. */
interface AuthorizeContext {
  request?: Request;
  headers?: Headers;
  redirect(url: string): unknown;
}

/**
 * Ends an authorization request with `access_denied` at the client's redirect URI (which the caller
 * has checked is registered), as the provider answers its own refusals: JSON for a script (fetch, or a
 * resumed request), a 302 for a navigation.
 */
export function denyAuthorization(
  ctx: AuthorizeContext,
  refusal: { redirectUri: string; state: string | undefined; issuer: string; description: string },
): { redirect: true; url: string } {
  const target = new URL(refusal.redirectUri);
  target.searchParams.set("error", "access_denied");
  target.searchParams.set("error_description", refusal.description);
  if (refusal.state) target.searchParams.set("state", refusal.state);
  target.searchParams.set("iss", refusal.issuer);
  const wantsJson = ctx.request?.headers.get("sec-fetch-mode") === "cors" || (ctx.headers?.get("accept")?.includes("application/json") ?? false);
  if (wantsJson) return { redirect: true, url: target.toString() };
  throw ctx.redirect(target.toString());
}
