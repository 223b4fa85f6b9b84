import type { Permission } from "@/server/shared/permissions";

/** The shape of me.permissions: what a user holds globally and per domain. */
export interface HeldPermissions {
  global: readonly Permission[];
  byDomain: Readonly<Record<string, readonly Permission[] | undefined>>;
}

/** Held in some scope; for server pages, which decide between the page and a "no access" panel. */
export function holdsAnywhere(held: HeldPermissions, permission: Permission): boolean {
  return held.global.includes(permission) || Object.values(held.byDomain).some((list) => list?.includes(permission) ?? false);
}

/** Held in that domain (global ∪ domain), like usePermissions().can. */
export function holdsIn(held: HeldPermissions, permission: Permission, domainId: string): boolean {
  return held.global.includes(permission) || (held.byDomain[domainId]?.includes(permission) ?? false);
}
