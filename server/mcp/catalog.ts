import type { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";

/*
 * What the MCP endpoint offers and what each offer needs, without how a tool runs. The console
 * (mcp.previewTools), client registration (usable scopes) and the authorization server (grantable
 * scopes) read this file; the tools in tools/ run over the tRPC caller and take their offer from
 * here by name. Keeping the two apart is what keeps tRPC and better-auth from importing the tools,
 * whose types are the tRPC router's: MCP depends on tRPC, never the other way round.
 */

/** The three MCP scopes, one per tool tier; a token's scope must include a tool's tier for it to run. */
export const MCP_SCOPES = ["mcp:read", "mcp:write", "mcp:admin"] as const;
export type McpScope = (typeof MCP_SCOPES)[number];

export function isMcpScope(scope: string): scope is McpScope {
  return (MCP_SCOPES as readonly string[]).includes(scope);
}

/** Anything the MCP server offers behind a scope tier and role permissions: a tool, a resource, a prompt. */
export interface Gated {
  scope: McpScope;
  permissions: readonly Permission[];
}

/** Whether a token with `scopes`, used by someone holding `authority`, may see and use it. */
export function gateAllowed(gated: Gated, scopes: readonly string[], authority: Authority): boolean {
  return scopes.includes(gated.scope) && gated.permissions.every((permission) => authority.hasAnywhere(permission));
}

/**
 * A tool as `tools/list` shows it. `permissions` are the role permissions the underlying procedures
 * need somewhere (any domain or globally); `tools/list` shows a tool only when the token has `scope`
 * and the user holds every one of them, and the procedures still check the exact domain when it runs.
 */
export interface ToolOffer extends Gated {
  name: string;
  title: string;
  description: string;
}

/** Every tool, in the order `tools/list` shows them: reads, then writes, then admin. */
const OFFERS = {
  whoami: {
    title: "Who am I",
    description:
      "Tells who this connection acts for: the Gatehouse user, the OAuth client, the token's scopes, the domains the user belongs to and the user's effective permissions (globally and per domain). Call it first to learn what the other tools will allow.",
    scope: "mcp:read",
    permissions: [],
  },
  list_users: {
    title: "List users",
    description:
      "Lists the users you can read, ordered by email, with their roles; filter by a search text, a domainId (from list_domains) or a roleId (from list_roles). Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the ids with get_user and the other user tools.",
    scope: "mcp:read",
    permissions: ["users:read"],
  },
  get_user: {
    title: "Get a user",
    description:
      "Shows one user in full: roles you can see, number of active sessions, MFA, ban, password and invitation state. Pass the user's id from list_users.",
    scope: "mcp:read",
    permissions: ["users:read"],
  },
  list_roles: {
    title: "List roles",
    description:
      "Lists every role, built-in first and then by name, with its permissions and how many assignments it has in the scopes you can read; filter by a search text. All roles come in one answer (no pagination). Use the ids with assign_role, unassign_role and list_users.",
    scope: "mcp:read",
    permissions: ["roles:read"],
  },
  list_domains: {
    title: "List domains",
    description:
      "Lists the domains (tenants) you can read, ordered by slug, with their email domains, MFA policy and member count; filter by a search text. Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the ids as domainId in the other tools.",
    scope: "mcp:read",
    permissions: ["domains:read"],
  },
  list_clients: {
    title: "List OAuth clients",
    description:
      "Lists the OAuth clients you can read, newest first; filter by owning domainId, type (public or confidential), status (active or disabled) or a search on name and client_id. Results come a page at a time: pass the returned nextCursor as cursor for the next page. Use the clientId values with disable_client, revoke_grant and list_sessions_and_grants.",
    scope: "mcp:read",
    permissions: ["clients:read"],
  },
  list_sessions_and_grants: {
    title: "List sessions and grants",
    description:
      "Lists live OAuth grants (a user's consent and tokens for one client, newest activity first) and unexpired browser sessions (most recently seen first) that you can read; filter by userId (from list_users) and clientId (from list_clients). Both lists come a page at a time: pass grantsNextCursor as grantsCursor, or sessionsNextCursor as sessionsCursor, to continue that list only. Use the results with revoke_grant and revoke_all_for_user.",
    scope: "mcp:read",
    permissions: ["tokens:read"],
  },
  search_audit_log: {
    title: "Search the audit log",
    description:
      'Lists audit events newest first, filtered by actor user id, action or action prefix ("role."), target, domainId and time range; readers limited to some domains see only those domains\' events. Results come a page at a time: pass the returned nextCursor as cursor for the next page.',
    scope: "mcp:read",
    permissions: ["audit:read"],
  },
  create_domain: {
    title: "Create a domain",
    description:
      "Creates a domain (tenant) with a unique slug; needs domains:write globally, and claiming email domains or an MFA policy other than optional also needs domains:admin. Returns the new domain, whose id other tools take as domainId.",
    scope: "mcp:write",
    permissions: ["domains:write"],
  },
  update_user_profile: {
    title: "Update a user's profile",
    description:
      "Changes a user's display name. Pass the user's id from list_users.",
    scope: "mcp:write",
    permissions: ["users:write"],
  },
  create_client: {
    title: "Register an OAuth client",
    description:
      "Registers an OAuth client (public with PKCE, or confidential with a secret) with exact redirect URIs and allowed scopes, owned by a domain (domainId from list_domains) or installation-wide (domainId null). Its MCP scopes cannot go beyond the tools your roles let you use there, and people are always asked for consent. A confidential client's secret is returned in this answer only: hand it to the person at once.",
    scope: "mcp:write",
    permissions: ["clients:write"],
  },
  assign_role: {
    title: "Assign a role",
    description:
      "Gives a user (id from list_users) a role (id from list_roles) in one domain (id from list_domains), or globally with domainId null. You need roles:admin there and every permission of the role, and cannot change your own roles.",
    scope: "mcp:admin",
    permissions: ["roles:admin"],
  },
  unassign_role: {
    title: "Unassign a role",
    description:
      "Takes a role (id from list_roles) away from a user (id from list_users) in one domain, or globally with domainId null. You need roles:admin there and every permission of the role; the last owner keeps the owner role.",
    scope: "mcp:admin",
    permissions: ["roles:admin"],
  },
  revoke_grant: {
    title: "Revoke a grant",
    description:
      "Revokes one user's grant to one OAuth client: forgets the consent and revokes its refresh and access tokens at once, so the client must send the user through consent again. Take userId and clientId from list_sessions_and_grants.",
    scope: "mcp:admin",
    permissions: ["tokens:delete"],
  },
  revoke_all_for_user: {
    title: "Revoke all access of a user",
    description:
      "Revokes everything a user holds: every OAuth grant and token and every browser session, at once. Use it when an account may be compromised; pass the user's id from list_users. The account itself stays usable (ban_user also blocks new sign-ins).",
    scope: "mcp:admin",
    permissions: ["tokens:admin"],
  },
  disable_client: {
    title: "Disable an OAuth client",
    description:
      "Disables an OAuth client (clientId from list_clients): it gets invalid_client at the token endpoint and every token it holds stops working at once. Disabling a disabled client changes nothing; re-enabling is done in the console and does not bring revoked tokens back.",
    scope: "mcp:admin",
    permissions: ["clients:admin"],
  },
  ban_user: {
    title: "Ban a user",
    description:
      "Suspends an account (id from list_users): signs it out everywhere, revokes its OAuth grants and tokens at once, and refuses new sign-ins until an administrator unbans it in the console. You cannot ban yourself or the last owner.",
    scope: "mcp:admin",
    permissions: ["users:admin"],
  },
} as const satisfies Record<string, Omit<ToolOffer, "name">>;

export type ToolName = keyof typeof OFFERS;

export const TOOL_OFFERS: readonly ToolOffer[] = Object.entries(OFFERS).map(([name, offer]) => ({ name, ...offer }));

export function toolOffer(name: ToolName): ToolOffer {
  return { name, ...OFFERS[name] };
}

/**
 * The MCP scopes someone holding `authority` can actually use where a client lives (`domainId`, or
 * `null` for an installation-wide client): a tier is usable when they hold there every permission of
 * at least one of its tools. A client may carry no scope above this, so nobody gets through a client
 * they control more than their own roles allow. (whoami needs no permission, so mcp:read is always usable.)
 */
export function usableMcpScopes(authority: Authority, domainId: string | null): McpScope[] {
  return MCP_SCOPES.filter((scope) =>
    TOOL_OFFERS.some((tool) => tool.scope === scope && tool.permissions.every((permission) => authority.has(permission, domainId))),
  );
}

/**
 * The MCP scopes a token acting with `authority` can put to use: a tier counts when `tools/list` would
 * show at least one of its tools. `authority` is the token's (`loadTokenAuthority`: the user's, confined
 * to the client's domain for a domain's client, where this is `usableMcpScopes` for that domain). The
 * authorization server grants no tier beyond this, so nobody consents to a tier they could never use.
 */
export function grantableMcpScopes(authority: Authority): McpScope[] {
  return MCP_SCOPES.filter((scope) => TOOL_OFFERS.some((tool) => tool.scope === scope && gateAllowed(tool, [scope], authority)));
}
