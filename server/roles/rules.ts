import { TRPCError } from "@trpc/server";
import { OWNER_ROLE_ID } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { assertHoldsAll, authorizeIn, requireGlobally } from "@/server/authz/guard";
import type { Permission } from "@/server/shared/permissions";

/*
 * The authorization rules of roles.*: the commands enforce them, and the queries compute their `can`
 * flags by calling the same functions, so a flag cannot drift from what the mutation allows. They
 * take what they decide on as arguments and read nothing, so both sides can load it their own way
 * (one row in a command, a whole page in a query).
 */

export const ROLE_NOT_FOUND = "Role not found.";
const OWNER_ONLY_GLOBAL = "The owner role can only be held globally.";
export const DOMAIN_NOT_FOUND = "Domain not found.";

/** Role definitions are global objects: creating or editing one needs roles:write globally. */
export function assertMayDefineRoles(authority: Authority): void {
  requireGlobally(authority, "roles:write");
}

/** Nobody puts into a role a permission they do not hold globally. */
export function assertMayGrantPermissions(authority: Authority, permissions: readonly Permission[]): void {
  assertHoldsAll(authority, permissions, null, "grant");
}

/** Replacing a role's permissions takes the old ones away and hands the new ones out: both need holding. */
export function assertMayChangePermissions(
  authority: Authority,
  current: readonly Permission[],
  next: readonly Permission[],
): void {
  assertHoldsAll(authority, [...current, ...next], null, "change");
}

/**
 * Lifting a role's MFA requirement weakens every holder's account: only someone who could hand the
 * role out (roles:admin and all of its permissions) may do that.
 */
export function assertMayRelaxMfa(authority: Authority, permissions: readonly Permission[]): void {
  requireGlobally(authority, "roles:admin");
  assertHoldsAll(authority, permissions, null, "change");
}

/** Built-in roles keep their name and permissions; their description and MFA requirement may change. */
export function assertBuiltInKeepsDefinition(current: { builtIn: boolean }, changes: { name?: string; permissions?: readonly Permission[] }): void {
  if (current.builtIn && (changes.name !== undefined || changes.permissions !== undefined)) {
    throw new TRPCError({ code: "FORBIDDEN", message: "Built-in roles cannot be renamed or have their permissions changed." });
  }
}

/** Deleting role definitions needs roles:delete globally. */
export function assertMayDeleteRoles(authority: Authority): void {
  requireGlobally(authority, "roles:delete");
}

/**
 * One role may be deleted when it is custom and the caller holds every permission it carries:
 * deleting it takes them away from a definition, as an update to nothing would.
 */
export function assertMayDeleteRole(authority: Authority, target: { builtIn: boolean }, permissions: readonly Permission[]): void {
  if (target.builtIn) throw new TRPCError({ code: "FORBIDDEN", message: "Built-in roles cannot be deleted." });
  assertHoldsAll(authority, permissions, null, "remove");
}

/** Moving a deleted role's holders to another role is granting that role: roles:admin globally. */
export function assertMayReassignHolders(authority: Authority): void {
  requireGlobally(authority, "roles:admin");
}

/**
 * Moving holders to `permissions` in each of `scopes`: the caller must be able to grant them in
 * every scope an assignment moves into.
 */
export function assertMayGrantIn(authority: Authority, permissions: readonly Permission[], scopes: readonly (string | null)[]): void {
  for (const scope of scopes) assertHoldsAll(authority, permissions, scope, "grant");
}

/**
 * Assigning and unassigning need roles:admin where the assignment lives. A domain the caller cannot
 * see roles in is NOT_FOUND; the global scope exists for everyone, so lacking it there is FORBIDDEN.
 */
export function assertMayAdministerAssignments(authority: Authority, domainId: string | null): void {
  if (domainId === null) {
    requireGlobally(authority, "roles:admin");
    return;
  }
  authorizeIn(authority, { permission: "roles:admin", domainId, visibleWith: "roles:read", notFound: DOMAIN_NOT_FOUND });
}

/** Nobody changes their own roles, not even an owner: someone else has to. */
export function assertNotSelf(callerId: string, userId: string): void {
  if (callerId === userId) throw new TRPCError({ code: "FORBIDDEN", message: "You cannot change your own roles." });
}

/** The owner role means the whole installation; it cannot be confined to a domain. */
export function assertOwnerOnlyGlobal(roleId: string, domainIds: readonly (string | null)[]): void {
  if (roleId === OWNER_ROLE_ID && domainIds.some((domainId) => domainId !== null)) {
    throw new TRPCError({ code: "BAD_REQUEST", message: OWNER_ONLY_GLOBAL });
  }
}

/** Giving a role in a scope needs every permission it carries there. */
export function assertMayGiveRole(authority: Authority, permissions: readonly Permission[], domainId: string | null): void {
  assertHoldsAll(authority, permissions, domainId, "grant");
}

/** Taking a role away in a scope needs every permission it carries there. */
export function assertMayTakeRole(authority: Authority, permissions: readonly Permission[], domainId: string | null): void {
  assertHoldsAll(authority, permissions, domainId, "remove");
}

/** Whether taking the role away in that scope can leave the installation without an owner. */
export function removesOwnership(roleId: string, domainId: string | null): boolean {
  return roleId === OWNER_ROLE_ID && domainId === null;
}
