/** OAuth scopes clients may ask for: OpenID Connect's, and one per MCP tool tier. No server imports, so client components can use this file. */
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
