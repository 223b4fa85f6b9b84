/**
 * The permission vocabulary. Actions per resource:
 * - `read`: see the resource; `write`: create and edit it; `delete`: remove it;
 * - `admin`: the privileged operations on it — ban/unban users, assign/unassign roles, change a
 *   domain's security settings (MFA policy, joining email domains), rotate/disable clients, revoke
 *   tokens in bulk, and the owner-only settings. Reading the audit log includes exporting it.
 * Every permission stands alone: `admin` does not imply `read`.
 */
export const RESOURCES = ["users", "roles", "domains", "clients", "tokens", "audit", "settings"] as const;
export const ACTIONS = ["read", "write", "delete", "admin"] as const;

export type Resource = (typeof RESOURCES)[number];
export type Action = (typeof ACTIONS)[number];
export type Permission = `${Resource}:${Action}`;

export const ALL_PERMISSIONS: readonly Permission[] = RESOURCES.flatMap((resource) =>
  ACTIONS.map((action) => `${resource}:${action}` as const),
);

const KNOWN = new Set<string>(ALL_PERMISSIONS);

export function isPermission(value: string): value is Permission {
  return KNOWN.has(value);
}

/** The permissions in `required` that `held` lacks, in vocabulary order. */
export function missingPermissions(held: ReadonlySet<Permission>, required: Iterable<Permission>): Permission[] {
  const missing = new Set<Permission>();
  for (const permission of required) if (!held.has(permission)) missing.add(permission);
  return ALL_PERMISSIONS.filter((permission) => missing.has(permission));
}

/** Vocabulary order, without duplicates: the canonical form stored and shown. */
export function sortPermissions(permissions: Iterable<Permission>): Permission[] {
  const set = new Set(permissions);
  return ALL_PERMISSIONS.filter((permission) => set.has(permission));
}

const READ_ALL = RESOURCES.map((resource) => `${resource}:read` as const);

/**
 * What the built-in roles hold. The migration seeds exactly these; a test keeps the two in step.
 * Owner-only settings (`settings:admin`) are what separates `owner` from `admin`.
 */
export const BUILT_IN_ROLE_PERMISSIONS: Readonly<Record<string, readonly Permission[]>> = {
  role_owner: ALL_PERMISSIONS,
  role_admin: ALL_PERMISSIONS.filter((permission) => permission !== "settings:admin"),
  role_domain_admin: [
    "users:read",
    "users:write",
    "users:delete",
    "users:admin",
    "roles:read",
    "roles:admin",
    "domains:read",
    "clients:read",
    "clients:write",
    "clients:delete",
    "clients:admin",
    "tokens:read",
    "tokens:write",
    "tokens:delete",
    "tokens:admin",
    "audit:read",
  ],
  role_auditor: READ_ALL,
  role_member: [],
  role_guest: [],
};
