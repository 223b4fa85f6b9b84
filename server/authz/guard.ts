import { TRPCError } from "@trpc/server";
import type { Grants } from "./grants";
import { missingPermissions, type Permission } from "./permissions";

function scopeWords(domainId: string | null): string {
  return domainId === null ? "globally" : "in this domain";
}

/**
 * The domain-aware half of a permission check, for resolvers that know which domain a row is in.
 * A caller who cannot even see the domain's rows of that kind gets NOT_FOUND, so ids in other
 * tenants are indistinguishable from ids that do not exist.
 */
export function authorizeIn(
  grants: Grants,
  options: { permission: Permission; domainId: string | null; visibleWith: Permission; notFound: string },
): void {
  const { permission, domainId, visibleWith, notFound } = options;
  if (!grants.has(visibleWith, domainId)) throw new TRPCError({ code: "NOT_FOUND", message: notFound });
  if (!grants.has(permission, domainId)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You need the ${permission} permission ${scopeWords(domainId)}.`,
    });
  }
}

/** Nobody hands out, or takes away, a permission they do not hold themselves in that scope. */
export function assertHoldsAll(
  grants: Grants,
  permissions: Iterable<Permission>,
  domainId: string | null,
  verb: "grant" | "remove" | "change",
): void {
  const missing = missingPermissions(grants.in(domainId), permissions);
  if (missing.length > 0) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You cannot ${verb} permissions you do not hold ${scopeWords(domainId)}: ${missing.join(", ")}.`,
    });
  }
}

/** For global objects (role definitions, creating a domain, global assignments): the permission must be held globally. */
export function requireGlobally(grants: Grants, permission: Permission): void {
  if (!grants.has(permission, null)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `You need the ${permission} permission globally.` });
  }
}
