import "server-only";
import { findClientOrNull, type ClientItem } from "@/server/pages";
import { safeReturnPath } from "@/server/shared/return-path";
import { redirectHost, signedOAuthQuery, summarizeOAuthQuery, toQueryString } from "./oauth-query";

/**
 * The authorization request a sign-in, sign-up or consent page was opened for. Only for showing it:
 * the signature is checked by the provider when the page posts the query back, so a hand-made URL
 * can change what is shown here but not what is granted.
 */
export interface PendingOAuthRequest {
  /** The signed query, to post back as `oauth_query` and to carry between sign-in and sign-up. */
  query: string;
  /** Null when no client has the requested id. */
  client: ClientItem | null;
  redirectHost: string | null;
  scopes: string[];
  /** The provider refuses a signed query after its `exp`; the page says so up front. */
  expired: boolean;
}

export async function pendingOAuthRequest(
  searchParams: Record<string, string | string[] | undefined>,
  now = new Date(),
): Promise<PendingOAuthRequest | null> {
  const query = signedOAuthQuery(toQueryString(searchParams));
  if (!query) return null;
  const summary = summarizeOAuthQuery(query);
  return {
    query,
    client: summary.clientId ? await findClientOrNull(summary.clientId) : null,
    redirectHost: redirectHost(summary.redirectUri),
    scopes: summary.scopes,
    expired: !summary.expiresAt || summary.expiresAt <= now,
  };
}

/**
 * What the sign-in pages (password, second factor) read from their query: where to go once signed
 * in, and the application request they continue while it is still live.
 */
export async function signInPageRequest(params: Record<string, string | string[] | undefined>) {
  const returnTo = safeReturnPath(typeof params.next === "string" ? params.next : undefined);
  const oauth = await pendingOAuthRequest(params);
  return { returnTo, oauth, continuing: oauth && !oauth.expired ? oauth : null };
}
