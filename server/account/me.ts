import { asc, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { domain } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { sortPermissions, type Permission } from "@/server/shared/permissions";
import { domainsOfUser } from "@/server/users/visibility";

/**
 * The console's sections a caller may open, and the permission each needs somewhere (globally or in
 * some domain). Overview and Account are everyone's. Each section's page shows its own "no access"
 * panel from the same answer, and its procedures check every call on their own.
 */
const SECTION_PERMISSIONS = {
  users: "users:read",
  roles: "roles:read",
  domains: "domains:read",
  clients: "clients:read",
  sessions: "tokens:read",
  audit: "audit:read",
} as const satisfies Record<string, Permission>;

type ConsoleSection = keyof typeof SECTION_PERMISSIONS;

/** Which sections of the console the caller may open: what the shell shows and each page decides on. */
export type ConsoleSections = Record<ConsoleSection, boolean>;

export function consoleSections(authority: Authority): ConsoleSections {
  const entries = Object.entries(SECTION_PERMISSIONS).map(([section, permission]) => [section, authority.hasAnywhere(permission)]);
  return Object.fromEntries(entries) as ConsoleSections;
}

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
