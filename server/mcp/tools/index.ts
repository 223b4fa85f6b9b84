import type { Authority } from "@/server/authz/authority";
import { MCP_SCOPES, toolAllowed, type GatehouseTool, type McpScope } from "../tool";
import { assignRole } from "./assign-role";
import { banUser } from "./ban-user";
import { createClient } from "./create-client";
import { createDomain } from "./create-domain";
import { disableClient } from "./disable-client";
import { getUser } from "./get-user";
import { listClients } from "./list-clients";
import { listDomains } from "./list-domains";
import { listRoles } from "./list-roles";
import { listSessionsAndGrants } from "./list-sessions-and-grants";
import { listUsers } from "./list-users";
import { revokeAllForUser } from "./revoke-all-for-user";
import { revokeGrant } from "./revoke-grant";
import { searchAuditLog } from "./search-audit-log";
import { unassignRole } from "./unassign-role";
import { updateUserProfile } from "./update-user-profile";
import { whoami } from "./whoami";

/** Every tool the MCP endpoint offers, in the order `tools/list` shows them: reads, then writes, then admin. */
export const MCP_TOOLS: readonly GatehouseTool[] = [
  whoami,
  listUsers,
  getUser,
  listRoles,
  listDomains,
  listClients,
  listSessionsAndGrants,
  searchAuditLog,
  createDomain,
  updateUserProfile,
  createClient,
  assignRole,
  unassignRole,
  revokeGrant,
  revokeAllForUser,
  disableClient,
  banUser,
];

export function findTool(name: string): GatehouseTool | undefined {
  return MCP_TOOLS.find((tool) => tool.name === name);
}

/**
 * The MCP scopes someone holding `authority` can actually use where a client lives (`domainId`, or
 * `null` for an installation-wide client): a tier is usable when they hold there every permission of
 * at least one of its tools. A client may carry no scope above this, so nobody gets through a client
 * they control more than their own roles allow. (whoami needs no permission, so mcp:read is always usable.)
 */
export function usableMcpScopes(authority: Authority, domainId: string | null): McpScope[] {
  return MCP_SCOPES.filter((scope) =>
    MCP_TOOLS.some((tool) => tool.scope === scope && tool.permissions.every((permission) => authority.has(permission, domainId))),
  );
}

/**
 * The MCP scopes a token acting with `authority` can put to use: a tier counts when `tools/list` would
 * show at least one of its tools. `authority` is the token's (`loadTokenAuthority`: the user's, confined
 * to the client's domain for a domain's client, where this is `usableMcpScopes` for that domain). The
 * authorization server grants no tier beyond this, so nobody consents to a tier they could never use.
 */
export function grantableMcpScopes(authority: Authority): McpScope[] {
  return MCP_SCOPES.filter((scope) => MCP_TOOLS.some((tool) => tool.scope === scope && toolAllowed(tool, [scope], authority)));
}
