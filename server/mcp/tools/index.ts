import type { GatehouseTool } from "../tool";
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

/** Every tool the MCP endpoint offers, in the catalog's order (the order `tools/list` shows them). */
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

