import type { useRouter } from "next/navigation";
import { authFormErrors, type FormErrors } from "./auth-errors";

/**
 * The OAuth provider sends the browser to the sign-in and consent pages with a signed copy of the
 * authorization request in the query string. Those pages hand it back as `oauth_query` so the
 * provider can carry on where it stopped. No server imports: client components use this file.
 */

/** better-auth's own parameter listing which names the signature covers. */
const SIGNED_NAMES_PARAM = "ba_param";

/**
 * The signed part of a query string (with or without the leading "?"), or undefined when there is no
 * pending authorization request. Parameters the signature does not cover (a `next` someone added)
 * are dropped, as the plugin's own client does, since any extra one would fail verification.
 */
export function signedOAuthQuery(search: string): string | undefined {
  const params = new URLSearchParams(search);
  const signedNames = new Set(params.getAll(SIGNED_NAMES_PARAM));
  if (!params.has("sig") || signedNames.size === 0) return undefined;
  const signed = new URLSearchParams();
  for (const [name, value] of params) {
    if (name === "sig" || name === SIGNED_NAMES_PARAM || signedNames.has(name)) signed.append(name, value);
  }
  return signed.toString();
}

/** A page's `searchParams` as a query string, keeping repeated parameters in order. */
export function toQueryString(searchParams: Record<string, string | string[] | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(searchParams)) {
    for (const item of Array.isArray(value) ? value : value === undefined ? [] : [value]) params.append(name, item);
  }
  return params.toString();
}

/** What the signed query says about the request, for showing it; the provider re-checks it all on submit. */
export interface OAuthRequestSummary {
  clientId: string | null;
  redirectUri: string | null;
  scopes: string[];
  /** When the signature stops being accepted. */
  expiresAt: Date | null;
}

export function summarizeOAuthQuery(query: string): OAuthRequestSummary {
  const params = new URLSearchParams(query);
  const exp = Number(params.get("exp"));
  return {
    clientId: params.get("client_id") || null,
    redirectUri: params.get("redirect_uri") || null,
    scopes: (params.get("scope") ?? "").split(" ").filter(Boolean),
    expiresAt: Number.isFinite(exp) && exp > 0 ? new Date(exp * 1000) : null,
  };
}

/**
 * Where a redirect URI sends the user, in a form people can check: the host with its port, or the
 * scheme of a native app's private-use URI (com.example.app:/callback). Null when it is not a URL.
 */
export function redirectHost(redirectUri: string | null): string | null {
  if (!redirectUri) return null;
  try {
    const url = new URL(redirectUri);
    return url.host || url.protocol.slice(0, -1) || null;
  } catch {
    return null;
  }
}

/** The provider answers with where to send the browser next; never follow a URL that would run code. */
export function isNavigableUrl(url: string): boolean {
  try {
    return !/^(javascript|data|vbscript):$/i.test(new URL(url, "http://relative.invalid").protocol);
  } catch {
    return false;
  }
}

/** What a sign-in or sign-up form says when the provider refuses the query it sent back. */
export const EXPIRED_OAUTH_REQUEST_MESSAGE =
  "The application's request has expired. Go back to the application and connect again.";

/** The provider's refusal of an expired or altered `oauth_query`, as better-auth's client reports it. */
export function isExpiredOAuthRequest(error: object): boolean {
  return "error" in error && error.error === "invalid_signature";
}

/** What a form that carries an application's request shows for a refusal: an expired request says so. */
export function oauthFormErrors(error: { code?: string; message?: string; status?: number; error?: string }): FormErrors {
  return isExpiredOAuthRequest(error) ? { form: EXPIRED_OAUTH_REQUEST_MESSAGE, fields: {} } : authFormErrors(error);
}

/**
 * Where a successful sign-in step goes. When it carried an application's request, the provider
 * answered with the consent page or the application's callback, and better-auth's client follows
 * such a `{ redirect: true, url }` answer itself (its redirect fetch plugin, which the provider's own
 * client relies on too): navigating here as well would abort that navigation.
 */
export function continueAfterSignIn(router: ReturnType<typeof useRouter>, returnTo: string, oauthQuery: string | undefined, answer: unknown): void {
  const next = answer as { redirect?: boolean; url?: string } | null;
  if (oauthQuery && next?.redirect && next.url) return;
  router.replace(returnTo);
  router.refresh();
}
