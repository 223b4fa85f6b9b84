import { and, count, eq, inArray, sql, type SQL, type SQLWrapper } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { domain, passkey, role, roleAssignment, twoFactor, user, verification } from "@/db/schema";

export type MfaMethod = "totp" | "passkey";

export interface MfaStatus {
  enrolled: boolean;
  /** Enrolled second factors, in a fixed order. */
  methods: MfaMethod[];
  passkeys: number;
}

export const NOT_ENROLLED: MfaStatus = { enrolled: false, methods: [], passkeys: 0 };

/** Which second factors each user has enrolled, in two queries for all of `userIds`. */
export async function mfaStatus(db: Executor, userIds: readonly string[]): Promise<Map<string, MfaStatus>> {
  const byUser = new Map<string, MfaStatus>();
  if (userIds.length === 0) return byUser;
  const ids = [...userIds];
  const [users, passkeyCounts] = await Promise.all([
    db.select({ id: user.id, totp: user.twoFactorEnabled }).from(user).where(inArray(user.id, ids)),
    db
      .select({ userId: passkey.userId, total: count() })
      .from(passkey)
      .where(inArray(passkey.userId, ids))
      .groupBy(passkey.userId),
  ]);
  const passkeysOf = new Map(passkeyCounts.map((row) => [row.userId, row.total]));
  for (const row of users) {
    const passkeys = passkeysOf.get(row.id) ?? 0;
    const methods: MfaMethod[] = [];
    if (row.totp) methods.push("totp");
    if (passkeys > 0) methods.push("passkey");
    byUser.set(row.id, { enrolled: methods.length > 0, methods, passkeys });
  }
  for (const id of userIds) if (!byUser.has(id)) byUser.set(id, NOT_ENROLLED);
  return byUser;
}

export interface MfaRequirement {
  /** Some role or domain of the user requires a second factor. */
  required: boolean;
  /** Human-readable sources, such as `role "admin"` or `domain "Acme"`, for telling the user why. */
  requiredBy: string[];
  status: MfaStatus;
}

/**
 * Whether the user must have a second factor, and whether they do. A role requires it wherever it
 * is held; a domain with the `required` policy requires it of everyone holding a role there.
 */
export async function mfaRequirement(db: Executor, userId: string): Promise<MfaRequirement> {
  const [roles, domains, statuses] = await Promise.all([
    db
      .selectDistinct({ name: role.name })
      .from(roleAssignment)
      .innerJoin(role, eq(role.id, roleAssignment.roleId))
      .where(and(eq(roleAssignment.userId, userId), eq(role.requiresMfa, true))),
    db
      .selectDistinct({ name: domain.name })
      .from(roleAssignment)
      .innerJoin(domain, eq(domain.id, roleAssignment.domainId))
      .where(and(eq(roleAssignment.userId, userId), eq(domain.mfaPolicy, "required"))),
    mfaStatus(db, [userId]),
  ]);
  const requiredBy = [...roles.map((row) => `role "${row.name}"`), ...domains.map((row) => `domain "${row.name}"`)];
  return { required: requiredBy.length > 0, requiredBy, status: statuses.get(userId) ?? NOT_ENROLLED };
}

/**
 * SQL that is true when the user `userId` (a value, or a column of the surrounding query) must enrol a
 * second factor and has none. Written once, so that every entry point asks the same question: tRPC
 * and pages through `mfaEnrolmentMissing`, the access-token ledger and the token endpoint inside their
 * own lookups, each still one round trip.
 */
export function enrolmentMissingCondition(userId: SQLWrapper | string): SQL {
  return sql`(
    (
      exists (select 1 from role_assignment ra join role r on r.id = ra.role_id where ra.user_id = ${userId} and r.requires_mfa = 1)
      or exists (select 1 from role_assignment ra join domain d on d.id = ra.domain_id where ra.user_id = ${userId} and d.mfa_policy = 'required')
    )
    and not exists (select 1 from passkey p where p.user_id = ${userId})
    and coalesce((select u.two_factor_enabled from user u where u.id = ${userId}), 0) = 0
  )`;
}

/**
 * The ids of the users some role or domain requires a second factor of (the first half of
 * enrolmentMissingCondition), read through role_assignment's role and domain indexes: usually a
 * few administrators, so the users list looks them up instead of testing every user. CROSS JOIN
 * keeps role and domain (a few rows) outside, so role_assignment is read by its role and domain indexes.
 */
export const mfaRequiredUserIds = sql`select ra.user_id from role r cross join role_assignment ra on ra.role_id = r.id where r.requires_mfa = 1
  union
  select ra.user_id from domain d cross join role_assignment ra on ra.domain_id = d.id where d.mfa_policy = 'required'`;

/**
 * Whether the user must enrol a second factor and has none: the check every tRPC call makes, so one
 * round trip; `mfaRequirement` says why only when this answers yes.
 */
export async function mfaEnrolmentMissing(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db.all<{ missing: number }>(sql`select ${enrolmentMissingCondition(userId)} as missing`);
  return row?.missing === 1;
}

export const MFA_ENROLMENT_REQUIRED = "MFA enrolment required";

/** "your role "owner" requires a second factor", naming every source. */
export function requiredByPhrase(requirement: MfaRequirement): string {
  const verb = requirement.requiredBy.length > 1 ? "require" : "requires";
  return `your ${requirement.requiredBy.join(" and ")} ${verb} a second factor`;
}

/** The sentence shown to a user who must enrol before doing anything else. */
export function enrolmentRequiredMessage(requirement: MfaRequirement): string {
  return `${MFA_ENROLMENT_REQUIRED}: ${requiredByPhrase(requirement)}. Set up an authenticator app or a passkey on Account > Security.`;
}

/**
 * Removes every second factor of a user, for an administrator helping someone who lost their
 * device. better-auth has no endpoint acting on another user's factors, so this writes its tables
 * directly, inside the caller's transaction. The user's pending verification values go too: among
 * them are "trust this device" records, which would otherwise let a lost device skip the challenge
 * once new factors are enrolled.
 */
export async function removeAllSecondFactors(db: Executor, userId: string): Promise<MfaStatus> {
  const before = (await mfaStatus(db, [userId])).get(userId) ?? NOT_ENROLLED;
  await db.delete(twoFactor).where(eq(twoFactor.userId, userId));
  await db.delete(passkey).where(eq(passkey.userId, userId));
  await db.delete(verification).where(eq(verification.value, userId));
  await db.update(user).set({ twoFactorEnabled: false, updatedAt: new Date() }).where(eq(user.id, userId));
  return before;
}
