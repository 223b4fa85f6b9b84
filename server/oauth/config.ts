import { createHash } from "node:crypto";

/** OAuth scopes clients may ask for: OpenID Connect's, and one per MCP tool tier. */
export const OAUTH_SCOPES = ["openid", "profile", "email", "offline_access", "mcp:read", "mcp:write", "mcp:admin"] as const;
export type OAuthScope = (typeof OAUTH_SCOPES)[number];

/** What each scope lets an application do, in the words the consent page and the console use. */
export const SCOPE_DESCRIPTIONS: Record<OAuthScope, string> = {
  openid: "Confirm who you are",
  profile: "See your name and profile picture",
  email: "See your email address",
  offline_access: "Stay connected when you are not using it",
  "mcp:read": "Read users, roles, domains, clients, sessions and the audit log through MCP",
  "mcp:write": "Create domains and clients and edit user profiles through MCP",
  "mcp:admin": "Change role assignments, revoke access, disable clients and suspend users through MCP",
};

/** Who may register a client at the RFC 7591 endpoint without signing in. */
export type RegistrationPolicy = "off" | "public" | "all";

export interface OAuthSettings {
  registration: RegistrationPolicy;
  accessTokenTtlSeconds: number;
}

export const DEFAULT_OAUTH_SETTINGS: OAuthSettings = { registration: "public", accessTokenTtlSeconds: 15 * 60 };

/** better-auth serves the authorization server under its base path, so that is the issuer. */
export function authIssuer(publicUrl: string): string {
  return `${publicUrl}/api/auth`;
}

/** The canonical URL of the hosted MCP endpoint: the `resource` (RFC 8707) its tokens are bound to. */
export function mcpResourceUrl(publicUrl: string): string {
  return `${publicUrl}/mcp`;
}

/**
 * How codes, refresh tokens, opaque access tokens and client secrets are stored. They are long random
 * strings, so one SHA-256 is enough; it is configured here, not left to the plugin's default, because
 * Gatehouse looks rows up by the same value (replayed codes, reused refresh tokens).
 */
export function storedSecretHash(value: string): string {
  return createHash("sha256").update(value).digest("base64url");
}
