import { TRPCError } from "@trpc/server";
import { eachOrNothing } from "@/server/bulk";
import { eq } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { session } from "@/db/schema";
import { withAuthWrites } from "@/server/auth/auth-writes";
import type { Authority } from "@/server/authz/authority";
import { revocationDetails, revokeGrants, type RevocationCounts } from "@/server/grants/revocation";
import type { Context } from "@/server/trpc/context";
import { assertAccountWideAuthority, assertMayActOnAccount, loadAccountTargets, type AccountTarget } from "@/server/users/commands";
import { findVisibleUser, recordUserEvent, type UserRow } from "@/server/users/visibility";

type CommandContext = Pick<Context, "db" | "actor" | "auth">;

export const SESSION_NOT_FOUND = "Session not found.";

type SessionRow = typeof session.$inferSelect;

/**
 * Ending someone's session acts on their whole account, as a ban does: a domain's administrator
 * may end the sessions only of people who live entirely inside their domains and hold nothing
 * they lack.
 */
export function assertMayRevokeSessionsOf(authority: Authority, owner: AccountTarget): void {
  assertMayActOnAccount(authority, "tokens:delete", owner);
}

/** The session to end and its owner, if the caller may end it; a session they cannot see is NOT_FOUND. */
export async function sessionToRevoke(db: Executor, authority: Authority, sessionId: string): Promise<{ row: SessionRow; owner: UserRow }> {
  const [row] = await db.select().from(session).where(eq(session.id, sessionId)).limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: SESSION_NOT_FOUND });
  const owner = await findVisibleUser(db, authority, "tokens:read", row.userId).catch(() => null);
  if (!owner) throw new TRPCError({ code: "NOT_FOUND", message: SESSION_NOT_FOUND });
  assertMayRevokeSessionsOf(authority, (await loadAccountTargets(db, [owner])).get(owner.id)!);
  return { row, owner };
}

/**
 * The user whose every session and grant the caller may end: one they can see, over whose whole
 * account they hold tokens:admin (the same authority rule as a ban).
 */
export async function userToCutOff(db: Executor, authority: Authority, userId: string): Promise<UserRow> {
  const target = await findVisibleUser(db, authority, "tokens:read", userId);
  await assertAccountWideAuthority(db, authority, "tokens:admin", target);
  return target;
}

export function revokeSession(ctx: CommandContext, target: { row: SessionRow; owner: UserRow }): Promise<{ sessionId: string }> {
  return ctx.db.transaction((tx) => revokeSessionIn(tx, ctx, target));
}

/** One session's end inside the caller's transaction, with its audit event. */
async function revokeSessionIn(tx: Executor, ctx: CommandContext, { row, owner }: { row: SessionRow; owner: UserRow }) {
  await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteSession(row.token));
  await recordUserEvent(tx, ctx.actor, "session.revoked", row.userId, { sessionId: row.id, email: owner.email });
  return { sessionId: row.id };
}

/**
 * Ends several sessions in one transaction, each found and authorized by the very rule of
 * sessions.revoke (sessionToRevoke) and with its own audit event; the first session the caller may
 * not end refuses the whole batch, so nothing is written.
 */
export function revokeSessions(ctx: CommandContext & { authority: Authority }, sessionIds: readonly string[]): Promise<{ revoked: Array<{ sessionId: string }> }> {
  return ctx.db.transaction(async (tx) => {
    const revoked = [];
    for (const id of sessionIds) {
      revoked.push(await eachOrNothing(`Session ${id}`, async () => revokeSessionIn(tx, ctx, await sessionToRevoke(tx, ctx.authority, id))));
    }
    return { revoked };
  });
}

/** Every grant, token and browser session of one user, at once. */
export function revokeAllForUser(ctx: CommandContext, target: UserRow): Promise<RevocationCounts & { sessions: number }> {
  return ctx.db.transaction(async (tx) => {
    const revoked = await revokeGrants(tx, { userId: target.id }, "all_revoked_for_user");
    const sessions = await tx.select({ id: session.id }).from(session).where(eq(session.userId, target.id));
    await withAuthWrites(ctx.auth, tx, (internal) => internal.deleteUserSessions(target.id));
    await recordUserEvent(tx, ctx.actor, "user.access_revoked", target.id, { email: target.email, ...revocationDetails(revoked), sessionsRevoked: sessions.length });
    return { ...revoked, sessions: sessions.length };
  });
}
