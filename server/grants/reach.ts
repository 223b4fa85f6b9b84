import { TRPCError } from "@trpc/server";
import { and, inArray, isNotNull, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { roleAssignment } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";

/**
 * Who a grant concerns, and so who may see and revoke it: a domain's administrators manage the
 * grants to the clients their domain owns and the grants held by the people who belong to it. A
 * grant has two sides, so no single row domain decides (rowProcedure does not fit it).
 */
export interface GrantReach {
  /** The domain owning the client; null for an installation-wide client. */
  clientDomainId: string | null;
  /** Every domain the grant's user holds a role in. */
  userDomainIds: readonly string[];
}

export const GRANT_NOT_FOUND = "Grant not found.";

function within(scope: PermissionScope, grant: GrantReach): boolean {
  if (scope.all) return true;
  return (
    (grant.clientDomainId !== null && scope.domainIds.includes(grant.clientDomainId)) ||
    grant.userDomainIds.some((domainId) => scope.domainIds.includes(domainId))
  );
}

/**
 * Revoking a grant needs tokens:delete where the grant reaches; a grant the caller cannot even read
 * is NOT_FOUND, like one that does not exist (`undefined`).
 */
export function assertMayRevokeGrant(authority: Authority, grant: GrantReach | undefined): void {
  if (!grant || !within(authority.scopeOf("tokens:read"), grant)) throw new TRPCError({ code: "NOT_FOUND", message: GRANT_NOT_FOUND });
  if (!within(authority.scopeOf("tokens:delete"), grant)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "You need the tokens:delete permission for this grant." });
  }
}

/**
 * The same reach as SQL, for scoping a list in its query: `reg` is the client's registration and
 * `g` the grant's (user_id, client_id) pair.
 */
export function grantInScope(scope: PermissionScope): SQL {
  if (scope.all) return sql`1`;
  if (scope.domainIds.length === 0) return sql`0`;
  const ids = sql.join(
    scope.domainIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`(reg.domain_id in (${ids}) or exists (select 1 from ${roleAssignment} ra where ra.user_id = g.user_id and ra.domain_id in (${ids})))`;
}

/** The domains of many users in one query, for the reach of a page of grants. */
export async function domainsOfUsers(db: Executor, userIds: readonly string[]): Promise<Map<string, string[]>> {
  const byUser = new Map<string, string[]>(userIds.map((id) => [id, []]));
  if (userIds.length === 0) return byUser;
  const rows = await db
    .selectDistinct({ userId: roleAssignment.userId, domainId: roleAssignment.domainId })
    .from(roleAssignment)
    .where(and(inArray(roleAssignment.userId, [...new Set(userIds)]), isNotNull(roleAssignment.domainId)));
  for (const { userId, domainId } of rows) if (domainId !== null) byUser.get(userId)?.push(domainId);
  return byUser;
}
