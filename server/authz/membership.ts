import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { MEMBER_ROLE_ID, domainEmailDomain, roleAssignment } from "@/db/schema";

export function emailDomainOf(email: string): string {
  return email.slice(email.lastIndexOf("@") + 1).toLowerCase();
}

/**
 * Every account holds `member` globally (it grants nothing but marks the account as known), and
 * joins, as a member, the domain that claims its email domain. Returns the joined domain, if any.
 */
export async function assignDefaultMemberships(
  tx: Executor,
  user: { id: string; email: string },
): Promise<{ joinedDomainId: string | null }> {
  const [claim] = await tx
    .select({ domainId: domainEmailDomain.domainId })
    .from(domainEmailDomain)
    .where(eq(domainEmailDomain.emailDomain, emailDomainOf(user.email)))
    .limit(1);
  const rows = [{ id: randomUUID(), userId: user.id, roleId: MEMBER_ROLE_ID, domainId: null as string | null }];
  if (claim) rows.push({ id: randomUUID(), userId: user.id, roleId: MEMBER_ROLE_ID, domainId: claim.domainId });
  await tx.insert(roleAssignment).values(rows).onConflictDoNothing();
  return { joinedDomainId: claim?.domainId ?? null };
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
