import { TRPCError } from "@trpc/server";
import { and, eq, isNull, notExists } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { OWNER_ROLE_ID, roleAssignment, userBan } from "@/db/schema";

export async function ownerExists(db: Executor): Promise<boolean> {
  const row = await db
    .select({ id: roleAssignment.id })
    .from(roleAssignment)
    .where(and(eq(roleAssignment.roleId, OWNER_ROLE_ID), isNull(roleAssignment.domainId)))
    .limit(1);
  return row.length > 0;
}

export async function isOwner(db: Executor, userId: string): Promise<boolean> {
  const row = await db
    .select({ id: roleAssignment.id })
    .from(roleAssignment)
    .where(
      and(eq(roleAssignment.userId, userId), eq(roleAssignment.roleId, OWNER_ROLE_ID), isNull(roleAssignment.domainId)),
    )
    .limit(1);
  return row.length > 0;
}

/** The global owners who are not banned: those who can still administer the installation. */
export async function activeOwnerIds(db: Executor): Promise<ReadonlySet<string>> {
  const rows = await db
    .select({ userId: roleAssignment.userId })
    .from(roleAssignment)
    .where(
      and(
        eq(roleAssignment.roleId, OWNER_ROLE_ID),
        isNull(roleAssignment.domainId),
        notExists(db.select({ userId: userBan.userId }).from(userBan).where(eq(userBan.userId, roleAssignment.userId))),
      ),
    );
  return new Set(rows.map(({ userId }) => userId));
}

/**
 * Someone must always be able to administer the installation: the global owner role can be taken
 * from a user only while another owner who is not banned keeps it. `activeOwners` comes from
 * `activeOwnerIds`, loaded once for a whole page of targets.
 */
export function assertAnotherOwnerAmong(activeOwners: ReadonlySet<string>, target: { id: string; email: string }): void {
  for (const id of activeOwners) if (id !== target.id) return;
  throw new TRPCError({
    code: "FORBIDDEN",
    message: `${target.email} is the last owner. Make someone else an owner first.`,
  });
}

export async function assertAnotherOwnerRemains(db: Executor, target: { id: string; email: string }): Promise<void> {
  assertAnotherOwnerAmong(await activeOwnerIds(db), target);
}
