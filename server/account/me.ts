import { asc, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { domain } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { sortPermissions, type Permission } from "@/server/shared/permissions";
import { domainsOfUser } from "@/server/users/visibility";

/** What the caller holds globally and per domain, permissions in vocabulary order. */
export function heldPermissions(authority: Authority): { global: Permission[]; byDomain: Record<string, Permission[]> } {
  return {
    global: sortPermissions(authority.global),
    byDomain: Object.fromEntries([...authority.byDomain].map(([domainId, permissions]) => [domainId, sortPermissions(permissions)])),
  };
}

/** The domains a user belongs to through any role assignment, by name. */
export async function domainsOfMember(db: Executor, userId: string): Promise<{ id: string; name: string; slug: string }[]> {
  const ids = await domainsOfUser(db, userId);
  if (ids.length === 0) return [];
  return db.select({ id: domain.id, name: domain.name, slug: domain.slug }).from(domain).where(inArray(domain.id, ids)).orderBy(asc(domain.name));
}
