import { and, eq, isNull } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { OWNER_ROLE_ID, roleAssignment } from "@/db/schema";

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
