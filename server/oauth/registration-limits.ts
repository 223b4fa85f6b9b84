import { isPublicHttpsUrl } from "./public-url";

/** An RFC 7591 §3.2.2 refusal; its description names the field and the rule, never the value sent. */
export interface RegistrationProblem {
  error: "invalid_client_metadata" | "invalid_redirect_uri";
  description: string;
}

export const MAX_REGISTERED_REDIRECT_URIS = 10;
export const MAX_URI_LENGTH = 2000;

const TEXT_LIMITS: Record<string, number> = {
  client_name: 100,
  scope: 500,
  software_id: 200,
  software_version: 100,
  software_statement: 8000,
};

/** Pages the consent screen links to or loads for every visitor: https on a public host only. */
const PUBLIC_PAGE_URIS = ["logo_uri", "client_uri", "policy_uri", "tos_uri"] as const;

const OTHER_URIS = ["jwks_uri", "backchannel_logout_uri"] as const;

const MAX_CONTACTS = 5;
const MAX_CONTACT_LENGTH = 320;

const metadata = (description: string): RegistrationProblem => ({ error: "invalid_client_metadata", description });

/**
 * Gatehouse's limits on what anyone may register without signing in, checked before the provider's
 * own validation: sizes, the number of redirect URIs, where the consent page's links may point, and
 * that no registration makes itself trusted.
 */
export function registrationProblem(body: Record<string, unknown>): RegistrationProblem | null {
  if ("skip_consent" in body || "skipConsent" in body) {
    return metadata("A client cannot register itself as trusted: leave out skip_consent. Only an administrator can trust a client, in the console.");
  }
  const redirects = body.redirect_uris;
  if (Array.isArray(redirects)) {
    if (redirects.length > MAX_REGISTERED_REDIRECT_URIS) {
      return { error: "invalid_redirect_uri", description: `Register at most ${MAX_REGISTERED_REDIRECT_URIS} redirect URIs.` };
    }
    if (redirects.some((uri) => typeof uri === "string" && uri.length > MAX_URI_LENGTH)) {
      return { error: "invalid_redirect_uri", description: `A redirect URI is at most ${MAX_URI_LENGTH} characters.` };
    }
  }
  const logoutRedirects = body.post_logout_redirect_uris;
  if (Array.isArray(logoutRedirects)) {
    if (logoutRedirects.length > MAX_REGISTERED_REDIRECT_URIS) {
      return metadata(`Register at most ${MAX_REGISTERED_REDIRECT_URIS} post_logout_redirect_uris.`);
    }
    if (logoutRedirects.some((uri) => typeof uri === "string" && uri.length > MAX_URI_LENGTH)) {
      return metadata(`A post_logout_redirect_uri is at most ${MAX_URI_LENGTH} characters.`);
    }
  }
  for (const [name, limit] of Object.entries(TEXT_LIMITS)) {
    const value = body[name];
    if (typeof value === "string" && value.length > limit) return metadata(`${name} is at most ${limit} characters.`);
  }
  for (const name of [...PUBLIC_PAGE_URIS, ...OTHER_URIS]) {
    const value = body[name];
    if (typeof value === "string" && value.length > MAX_URI_LENGTH) return metadata(`${name} is at most ${MAX_URI_LENGTH} characters.`);
  }
  for (const name of PUBLIC_PAGE_URIS) {
    const value = body[name];
    if (typeof value === "string" && !isPublicHttpsUrl(value)) {
      return metadata(`${name} must be an https URL on a public host name, not an IP address or an internal name such as localhost.`);
    }
  }
  const contacts = body.contacts;
  if (Array.isArray(contacts)) {
    if (contacts.length > MAX_CONTACTS) return metadata(`Give at most ${MAX_CONTACTS} contacts.`);
    if (contacts.some((contact) => typeof contact === "string" && contact.length > MAX_CONTACT_LENGTH)) {
      return metadata(`A contact is at most ${MAX_CONTACT_LENGTH} characters.`);
    }
  }
  return null;
}
