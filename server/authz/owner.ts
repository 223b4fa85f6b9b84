import { TRPCError } from "@trpc/server";
import { and, eq, isNull, ne, notExists } from "drizzle-orm";
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

/**
 * Someone must always be able to administer the installation: the global owner role can be taken
 * from a user only while another owner who is not banned keeps it.
 */
export async function assertAnotherOwnerRemains(db: Executor, target: { id: string; email: string }): Promise<void> {
  const [other] = await db
    .select({ userId: roleAssignment.userId })
    .from(roleAssignment)
    .where(
      and(
        eq(roleAssignment.roleId, OWNER_ROLE_ID),
        isNull(roleAssignment.domainId),
        ne(roleAssignment.userId, target.id),
        notExists(db.select({ userId: userBan.userId }).from(userBan).where(eq(userBan.userId, roleAssignment.userId))),
      ),
    )
    .limit(1);
  if (!other) {
    throw new TRPCError({
      code: "FORBIDDEN",
      message: `${target.email} is the last owner. Make someone else an owner first.`,
    });
  }
}

/** For account-wide actions (ban, delete): refused when the target is the last owner who is not banned. */
export async function assertNotLastOwner(db: Executor, target: { id: string; email: string }): Promise<void> {
  if (await isOwner(db, target.id)) await assertAnotherOwnerRemains(db, target);
}
