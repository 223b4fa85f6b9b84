import { and, count, eq, gt } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Executor } from "@/db/client";
import { session, user, userBan } from "@/db/schema";
import type { Authority } from "@/server/authz/authority";
import { hasPassword, pendingInvitation } from "./invitation";
import { rolesOfUsers, type UserRoleAssignment } from "./list";
import { mfaStatus, NOT_ENROLLED, type MfaStatus } from "./mfa";
import { findVisibleUser } from "./visibility";

export interface UserDetail {
  id: string;
  email: string;
  name: string;
  emailVerified: boolean;
  image: string | null;
  createdAt: Date;
  updatedAt: Date;
  roles: UserRoleAssignment[];
  /** Sessions that have not expired yet. */
  sessionsCount: number;
  mfa: MfaStatus;
  banned: { reason: string; bannedAt: Date; bannedBy: string | null; bannedByEmail: string | null } | null;
  hasPassword: boolean;
  /** Invited and not yet accepted (the link may have expired; `reinvite` issues a new one). */
  invitationPending: boolean;
  invitationExpiresAt: Date | null;
}

const banner = alias(user, "banner");

/** Everything the user page shows, for a user the caller can read; NOT_FOUND otherwise. */
export async function userDetail(db: Executor, authority: Authority, id: string, now = new Date()): Promise<UserDetail> {
  const target = await findVisibleUser(db, authority, "users:read", id);
  const [roles, [sessions], [ban], mfa, password, invitation] = await Promise.all([
    rolesOfUsers(db, authority.scopeOf("users:read"), [id]),
    db
      .select({ total: count() })
      .from(session)
      .where(and(eq(session.userId, id), gt(session.expiresAt, now))),
    db
      .select({ reason: userBan.reason, bannedAt: userBan.bannedAt, bannedBy: userBan.bannedBy, bannedByEmail: banner.email })
      .from(userBan)
      .leftJoin(banner, eq(banner.id, userBan.bannedBy))
      .where(eq(userBan.userId, id))
      .limit(1),
    mfaStatus(db, [id]),
    hasPassword(db, id),
    pendingInvitation(db, id),
  ]);
  return {
    id: target.id,
    email: target.email,
    name: target.name,
    emailVerified: target.emailVerified,
    image: target.image,
    createdAt: target.createdAt,
    updatedAt: target.updatedAt,
    roles: (roles.get(id) ?? []).map(({ userId: _userId, ...assignment }) => assignment),
    sessionsCount: sessions?.total ?? 0,
    mfa: mfa.get(id) ?? NOT_ENROLLED,
    banned: ban ?? null,
    hasPassword: password,
    invitationPending: invitation !== null,
    invitationExpiresAt: invitation?.expiresAt ?? null,
  };
}
