import { createHash } from "node:crypto";

import type { OAuthScope } from "@/server/shared/scopes";


/**
 * What a dynamically registered client that names no `scope` may ask for: the read tools, and a
 * refresh token. One that names a scope may later ask for any the server offers, since MCP clients
 * step up (mcp:read, then mcp:admin) on the same registration; people consent to each scope once.
 */
export const REGISTRATION_DEFAULT_SCOPES = ["mcp:read", "offline_access"] as const satisfies readonly OAuthScope[];

/**
 * Signing keys rotate monthly; a retired key keeps verifying for a week, far longer than any token
 * signed with it lives (access tokens: minutes, ID tokens: hours).
 */
export const SIGNING_KEY_ROTATION_SECONDS = 30 * 24 * 60 * 60;
export const SIGNING_KEY_GRACE_SECONDS = 7 * 24 * 60 * 60;

/**
 * Who may register a client at the RFC 7591 endpoint without signing in: `open` admits public and
 * confidential clients with safe redirect URIs (what Claude, ChatGPT, Cursor, VS Code and the CLI
 * agents send), `public-only` only clients that use PKCE without a secret, `off` nobody.
 */
export const REGISTRATION_POLICIES = ["open", "public-only", "off"] as const;
export type RegistrationPolicy = (typeof REGISTRATION_POLICIES)[number];

/**
 * How many registrations the endpoint takes. Hosted clients (Claude, ChatGPT) register one client per
 * person from a few addresses of theirs, so the per-address limit is generous; the installation-wide
 * cap per hour bounds what anyone can add from many addresses.
 */
export interface RegistrationLimits {
  perIpPerMinute: number;
  totalPerHour: number;
}

export interface OAuthSettings {
  registration: RegistrationPolicy;
  registrationLimits: RegistrationLimits;
  /** A self-registered client with no grant for this many days is removed (and may register again). */
  unusedClientDays: number;
  accessTokenTtlSeconds: number;
  /**
   * For how long a rotated refresh token still answers with the tokens its rotation issued, for
   * clients that refresh in parallel (several tabs, several tool calls); 0 turns the window off, so
   * any second use is taken for theft. After the window, a second use ends the grant.
   */
  refreshReuseWindowSeconds: number;
}

export const DEFAULT_REFRESH_REUSE_WINDOW_SECONDS = 30;

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = {
  registration: "open",
  registrationLimits: { perIpPerMinute: 60, totalPerHour: 1000 },
  unusedClientDays: 30,
  accessTokenTtlSeconds: 15 * 60,
  refreshReuseWindowSeconds: DEFAULT_REFRESH_REUSE_WINDOW_SECONDS,
};

/** better-auth serves the authorization server under its base path, so that is the issuer. */
export function authIssuer(publicUrl: string): string {
  return `${publicUrl}/api/auth`;
}

/** The canonical URL of the hosted MCP endpoint: the `resource` (RFC 8707) its tokens are bound to. */
export function mcpResourceUrl(publicUrl: string): string {
  return `${publicUrl}/mcp`;
}

/** RFC 9728 §3: the resource's metadata URL inserts the well-known segment before the resource path. */
export function protectedResourceMetadataUrl(publicUrl: string): string {
  const resource = new URL(mcpResourceUrl(publicUrl));
  return `${resource.origin}/.well-known/oauth-protected-resource${resource.pathname}`;
}

/**
 * How codes, refresh tokens, opaque access tokens and client secrets are stored. They are long random
 * strings, so one SHA-256 is enough; it is configured here, not left to the plugin's default, because
 * Gatehouse looks rows up by the same value (replayed codes, reused refresh tokens).
 */
export function storedSecretHash(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}
