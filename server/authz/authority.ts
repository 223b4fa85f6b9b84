import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { clientRegistration, roleAssignment, rolePermission } from "@/db/schema";
import { isPermission, type Permission } from "@/server/shared/permissions";

const EMPTY: ReadonlySet<Permission> = new Set();

/** Where a permission holds: everywhere, or only in the listed domains (possibly none). */
export type PermissionScope = { all: true } | { all: false; domainIds: string[] };

/**
 * What one user may do, by scope. A permission held globally holds in every domain; a permission
 * held in a domain holds only there. Personal scope (own sessions, MFA, consents) needs no grant.
 */
export class Authority {
  constructor(
    readonly global: ReadonlySet<Permission>,
    readonly byDomain: ReadonlyMap<string, ReadonlySet<Permission>>,
  ) {}

  static readonly none = new Authority(EMPTY, new Map());

  /** Effective permissions in a domain (global ∪ that domain), or the global ones for `null`. */
  in(domainId: string | null): ReadonlySet<Permission> {
    if (domainId === null) return this.global;
    const local = this.byDomain.get(domainId);
    if (!local || local.size === 0) return this.global;
    return new Set([...this.global, ...local]);
  }

  has(permission: Permission, domainId: string | null): boolean {
    return this.global.has(permission) || (domainId !== null && (this.byDomain.get(domainId)?.has(permission) ?? false));
  }

  hasAnywhere(permission: Permission): boolean {
    if (this.global.has(permission)) return true;
    for (const permissions of this.byDomain.values()) if (permissions.has(permission)) return true;
    return false;
  }

  /** Every permission held somewhere: globally or in at least one domain. */
  everywhere(): ReadonlySet<Permission> {
    const held = new Set(this.global);
    for (const permissions of this.byDomain.values()) for (const permission of permissions) held.add(permission);
    return held;
  }

  /**
   * What this authority allows inside one domain and nowhere else: global and domain permissions both
   * count there only, so nothing is held globally or in another domain.
   */
  confinedTo(domainId: string): Authority {
    const inDomain = this.in(domainId);
    return new Authority(EMPTY, inDomain.size > 0 ? new Map([[domainId, inDomain]]) : new Map());
  }

  scopeOf(permission: Permission): PermissionScope {
    if (this.global.has(permission)) return { all: true };
    const domainIds = [...this.byDomain].filter(([, permissions]) => permissions.has(permission)).map(([id]) => id);
    return { all: false, domainIds };
  }
}

/** Every grant of a user in one query; the request context memoises the result. */
export async function loadAuthority(db: Executor, userId: string): Promise<Authority> {
  const rows = await db
    .select({ domainId: roleAssignment.domainId, permission: rolePermission.permission })
    .from(roleAssignment)
    .innerJoin(rolePermission, eq(rolePermission.roleId, roleAssignment.roleId))
    .where(eq(roleAssignment.userId, userId));
  const global = new Set<Permission>();
  const byDomain = new Map<string, Set<Permission>>();
  for (const { domainId, permission } of rows) {
    // A value outside the vocabulary can only come from a hand-edited database; ignoring it fails closed.
    if (!isPermission(permission)) continue;
    if (domainId === null) {
      global.add(permission);
    } else {
      let set = byDomain.get(domainId);
      if (!set) byDomain.set(domainId, (set = new Set()));
      set.add(permission);
    }
  }
  return new Authority(global, byDomain);
}

/**
 * The authority an access token acts with: its user's, confined to the owning domain when a domain owns
 * the token's client. A domain's app acts for that domain's people, inside that domain only, whatever
 * else its user may do elsewhere.
 */
export async function loadTokenAuthority(db: Executor, userId: string, clientId: string): Promise<Authority> {
  const [authority, [registration]] = await Promise.all([
    loadAuthority(db, userId),
    db.select({ domainId: clientRegistration.domainId }).from(clientRegistration).where(eq(clientRegistration.clientId, clientId)).limit(1),
  ]);
  return registration?.domainId ? authority.confinedTo(registration.domainId) : authority;
}
