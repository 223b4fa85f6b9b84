import { TRPCError } from "@trpc/server";
import type { Authority } from "./authority";
import { missingPermissions, type Permission } from "@/server/shared/permissions";

function scopeWords(domainId: string | null): string {
  return domainId === null ? "globally" : "in this domain";
}

/**
 * The domain-aware half of a permission check, for resolvers that know which domain a row is in.
 * A caller who cannot even see the domain's rows of that kind gets NOT_FOUND, so ids in other
 * tenants are indistinguishable from ids that do not exist.
 */
export function authorizeIn(
  authority: Authority,
  options: { permission: Permission; domainId: string | null; visibleWith: Permission; notFound: string },
): void {
  const { permission, domainId, visibleWith, notFound } = options;
  if (!authority.has(visibleWith, domainId)) throw new TRPCError({ code: "NOT_FOUND", message: notFound });
  if (!authority.has(permission, domainId)) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You need the ${permission} permission ${scopeWords(domainId)}.`,
    });
  }
}

/** Nobody hands out, or takes away, a permission they do not hold themselves in that scope. */
export function assertHoldsAll(
  authority: Authority,
  permissions: Iterable<Permission>,
  domainId: string | null,
  verb: "grant" | "remove" | "change",
): void {
  const missing = missingPermissions(authority.in(domainId), permissions);
  if (missing.length > 0) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `You cannot ${verb} permissions you do not hold ${scopeWords(domainId)}: ${missing.join(", ")}.`,
    });
  }
}

/** For global objects (role definitions, creating a domain, global assignments): the permission must be held globally. */
export function requireGlobally(authority: Authority, permission: Permission): void {
  if (!authority.has(permission, null)) {
    throw new TRPCError({ code: "FORBIDDEN", message: `You need the ${permission} permission globally.` });
  }
}
