import { TRPCError } from "@trpc/server";
import type { Executor } from "@/db/client";
import { loadAuthority, type Authority } from "@/server/authz/authority";
import { missingPermissions, sortPermissions, type Permission } from "@/server/shared/permissions";
import { domainsOfUser, findVisibleUser, type UserRow } from "./visibility";

function forbidden(message: string): TRPCError {
  return new TRPCError({ code: "FORBIDDEN", message });
}

/**
 * Ban, unban, delete and profile edits change the whole account, not one tenant's view of it. A
 * caller without `permission` globally may only act on accounts that live entirely inside domains
 * where they hold it. Either way, nobody acts on an account that holds permissions they lack.
 */
export async function assertAccountWideAuthority(
  db: Executor,
  authority: Authority,
  permission: Permission,
  target: { id: string; email: string },
): Promise<void> {
  const targetGrants = await loadAuthority(db, target.id);
  const targetDomainIds = await domainsOfUser(db, target.id);

  if (!authority.has(permission, null)) {
    // The global member role grants nothing, so only global grants that carry permissions count.
    const confined =
      targetGrants.global.size === 0 &&
      targetDomainIds.length > 0 &&
      targetDomainIds.every((domainId) => authority.has(permission, domainId));
    if (!confined) throw forbidden(`${target.email} also belongs outside your domains; ask a global administrator.`);
  }

  const missing = new Set<Permission>(missingPermissions(authority.global, targetGrants.global));
  for (const domainId of targetGrants.byDomain.keys()) {
    for (const held of missingPermissions(authority.in(domainId), targetGrants.in(domainId))) missing.add(held);
  }
  if (missing.size > 0) {
    throw forbidden(
      `You cannot act on ${target.email}: they hold permissions you do not (${sortPermissions(missing).join(", ")}).`,
    );
  }
}

/** Loads a visible user and checks account-wide authority over them, for ban/unban/delete/update/reinvite. */
export async function loadAccountTarget(
  db: Executor,
  authority: Authority,
  permission: Permission,
  id: string,
): Promise<UserRow> {
  const target = await findVisibleUser(db, authority, "users:read", id);
  await assertAccountWideAuthority(db, authority, permission, target);
  return target;
}

const SELF_REFUSALS = {
  ban: "You cannot ban your own account.",
  delete: "You cannot delete your own account; ask another administrator.",
  resetMfa: "Change your own second factors on Account > Security, where your password is asked for.",
} as const;

export function assertNotSelf(callerId: string, target: { id: string }, doing: keyof typeof SELF_REFUSALS): void {
  if (callerId === target.id) throw forbidden(SELF_REFUSALS[doing]);
}

/**
 * Someone must always be able to administer the installation: an owner can be banned or deleted
 * only while another owner who is not banned remains.
 */
/**
 * The domain an account-wide event is filed under: the account's only domain when it has exactly
 * one, so that tenant's administrators see it in their audit log; otherwise none.
 */
export async function auditDomainOf(db: Executor, userId: string): Promise<string | null> {
  const domainIds = await domainsOfUser(db, userId);
  return domainIds.length === 1 ? (domainIds[0] ?? null) : null;
}
