import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { MEMBER_ROLE_ID, domainEmailDomain, roleAssignment } from "@/db/schema";

export function emailDomainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/** The domain that claims the address's email domain, if any. */
export async function claimingDomainOf(tx: Executor, email: string): Promise<string | null> {
  const [claim] = await tx
    .select({ domainId: domainEmailDomain.domainId })
    .from(domainEmailDomain)
    .where(eq(domainEmailDomain.emailDomain, emailDomainOf(email)))
    .limit(1);
  return claim?.domainId ?? null;
}

/**
 * Makes the account a member of the domain that claims its email domain. Only for a verified
 * address: anyone can type any address, and an administrator can create an account for one.
 */
export async function joinClaimingDomain(tx: Executor, user: { id: string; email: string }): Promise<{ joinedDomainId: string | null }> {
  const domainId = await claimingDomainOf(tx, user.email);
  if (domainId === null) return { joinedDomainId: null };
  await tx.insert(roleAssignment).values({ id: randomUUID(), userId: user.id, roleId: MEMBER_ROLE_ID, domainId }).onConflictDoNothing();
  return { joinedDomainId: domainId };
}

/**
 * Every account holds `member` globally (it grants nothing but marks the account as known). An
 * account created with a verified address also joins, as a member, the domain that claims its email
 * domain; any other joins when its address is verified (see `emailVerification` in auth.ts).
 */
export async function assignDefaultMemberships(
  tx: Executor,
  user: { id: string; email: string; emailVerified: boolean },
): Promise<{ joinedDomainId: string | null }> {
  await tx.insert(roleAssignment).values({ id: randomUUID(), userId: user.id, roleId: MEMBER_ROLE_ID, domainId: null }).onConflictDoNothing();
  if (!user.emailVerified) return { joinedDomainId: null };
  return joinClaimingDomain(tx, user);
}

/** Whether the user holds any role in the domain: what makes them one of its people. A global role does not. */
export async function holdsRoleIn(db: Executor, userId: string, domainId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: roleAssignment.id })
    .from(roleAssignment)
    .where(and(eq(roleAssignment.userId, userId), eq(roleAssignment.domainId, domainId)))
    .limit(1);
  return Boolean(row);
}
