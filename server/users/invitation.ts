import { createHash, randomBytes } from "node:crypto";
import { and, eq, gt, inArray, isNull, notExists } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { account, invitation, user, userBan } from "@/db/schema";
import { SYSTEM_ACTOR, type AuditActor } from "@/server/audit/record";
import type { Auth } from "@/server/auth/auth";
import { withAuthWrites } from "@/server/auth/auth-writes";
import { formatWhen } from "@/server/email/security-notices";
import type { EmailMessage } from "@/server/email/send";
import { DomainError } from "@/server/errors";
import { hashPassword, linkPassword } from "./accounts";
import { recordUserEvent } from "./visibility";
import { acceptInvitationInput } from "./inputs";

export const INVITATION_TTL_MS = 7 * 24 * 60 * 60 * 1000;

export const INVITATION_INVALID = "This invitation link is invalid, used or expired. Ask an administrator for a new one.";

export interface InvitationDependencies {
  db: Database;
  auth: Auth;
}

function hashToken(raw: string): string {
  return createHash("sha256").update(raw).digest("hex");
}

export function invitationUrl(publicUrl: string, token: string): string {
  return `${publicUrl.replace(/\/+$/, "")}/invite?token=${token}`;
}

/** The invitation email: the one link, how long it works, and who to ask when it does not. */
export function invitationMessage(invite: { to: string; link: string; expiresAt: Date; invitedBy: string | null }): EmailMessage {
  return {
    to: invite.to,
    subject: "You are invited to Gatehouse",
    text: [
      invite.invitedBy
        ? `${invite.invitedBy} created a Gatehouse account for you with this email address.`
        : "An administrator created a Gatehouse account for you with this email address.",
      `Open this link to choose your password. It works once, until ${formatWhen(invite.expiresAt)}:`,
      "",
      invite.link,
      "",
      "An earlier invitation link to this address no longer works. If you did not expect this email, you can ignore it: nobody can sign in to the account until its password is chosen.",
    ].join("\n"),
    link: invite.link,
  };
}

/**
 * Sends the invitation after the write that issued it has committed (no email is sent from inside
 * the write lock), and says whether it went: a failed delivery is logged, and the caller tells the
 * administrator instead of failing an invitation that exists.
 */
export async function emailInvitation(auth: Auth, message: EmailMessage, log: Pick<Console, "error"> = console): Promise<boolean> {
  try {
    await (await auth.$context).sendEmail(message);
    return true;
  } catch (error) {
    log.error(`The invitation email to ${message.to} could not be sent:`, error);
    return false;
  }
}

/**
 * The users among `userIds` who were invited and have not set a password yet (the link may have
 * expired): one query for a page of users.
 */
export async function invitedAmong(db: Executor, userIds: readonly string[]): Promise<Set<string>> {
  if (userIds.length === 0) return new Set();
  const rows = await db
    .selectDistinct({ userId: invitation.userId })
    .from(invitation)
    .where(
      and(
        inArray(invitation.userId, [...userIds]),
        isNull(invitation.usedAt),
        notExists(
          db
            .select({ id: account.id })
            .from(account)
            .where(and(eq(account.userId, invitation.userId), eq(account.providerId, "credential"))),
        ),
      ),
    );
  return new Set(rows.map(({ userId }) => userId));
}

/**
 * Writes a fresh invitation for `userId` and returns its raw token, which exists nowhere else:
 * only its hash is stored. Earlier unused invitations are dropped, so only the newest link works.
 */
export async function issueInvitation(
  tx: Executor,
  invite: { userId: string; invitedBy: string | null },
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const token = randomBytes(32).toString("base64url");
  const expiresAt = new Date(now.getTime() + INVITATION_TTL_MS);
  await tx.delete(invitation).where(and(eq(invitation.userId, invite.userId), isNull(invitation.usedAt)));
  await tx.insert(invitation).values({
    tokenHash: hashToken(token),
    userId: invite.userId,
    invitedBy: invite.invitedBy,
    expiresAt,
    createdAt: now,
  });
  return { token, expiresAt };
}

/** The unused invitation of a user, if any (it may have expired: the invitee is then still pending). */
export async function pendingInvitation(db: Executor, userId: string): Promise<{ expiresAt: Date } | null> {
  const [row] = await db
    .select({ expiresAt: invitation.expiresAt })
    .from(invitation)
    .where(and(eq(invitation.userId, userId), isNull(invitation.usedAt)))
    .limit(1);
  return row ?? null;
}

export async function hasPassword(db: Executor, userId: string): Promise<boolean> {
  const [row] = await db
    .select({ id: account.id })
    .from(account)
    .where(and(eq(account.userId, userId), eq(account.providerId, "credential")))
    .limit(1);
  return row !== undefined;
}

export async function isInvitationUsable(db: Executor, token: string, now = new Date()): Promise<boolean> {
  if (token.length === 0) return false;
  const [row] = await db
    .select({ userId: invitation.userId })
    .from(invitation)
    .where(and(eq(invitation.tokenHash, hashToken(token)), isNull(invitation.usedAt), gt(invitation.expiresAt, now)))
    .limit(1);
  return row !== undefined;
}

function invalidLink(): DomainError {
  return new DomainError("INVALID_INPUT", INVITATION_INVALID, { token: INVITATION_INVALID });
}

function parseAcceptInput(input: unknown) {
  const result = acceptInvitationInput.safeParse(input);
  if (result.success) return result.data;
  const fields: Record<string, string> = {};
  for (const issue of result.error.issues) fields[String(issue.path[0] ?? "form")] ??= issue.message;
  throw new DomainError("INVALID_INPUT", "Some fields need attention.", fields);
}

/**
 * `/invite?token=…`: the invitee sets their password, and then signs in with it like anyone else.
 * The claim of the token, the credential and the audit row commit together, so a link works exactly
 * once.
 */
export async function acceptInvitation(
  { db, auth }: InvitationDependencies,
  token: string,
  input: unknown,
  options: { now?: Date; actor?: AuditActor } = {},
): Promise<{ userId: string; email: string }> {
  const now = options.now ?? new Date();
  const { password, name } = parseAcceptInput(input);
  // Checked before hashing so that guessing tokens costs the server no scrypt work.
  if (!(await isInvitationUsable(db, token, now))) throw invalidLink();
  const passwordHash = await hashPassword(auth, password);

  return db.transaction(async (tx) => {
    const [claimed] = await tx
      .update(invitation)
      .set({ usedAt: now })
      .where(and(eq(invitation.tokenHash, hashToken(token)), isNull(invitation.usedAt), gt(invitation.expiresAt, now)))
      .returning({ userId: invitation.userId });
    if (!claimed) throw invalidLink();
    const [invitee] = await tx
      .select({ id: user.id, email: user.email, name: user.name })
      .from(user)
      .where(eq(user.id, claimed.userId))
      .limit(1);
    if (!invitee || (await hasPassword(tx, invitee.id))) throw invalidLink();
    const [ban] = await tx.select({ userId: userBan.userId }).from(userBan).where(eq(userBan.userId, invitee.id)).limit(1);
    if (ban) throw new DomainError("INVALID_INPUT", "This account is suspended. Contact an administrator.");

    await withAuthWrites(auth, tx, async (internal) => {
      await linkPassword(internal, invitee.id, passwordHash);
      // The address stays unverified: the link was handed to an administrator, not emailed, so
      // following it says nothing about who reads the mailbox.
      if (name !== undefined) await internal.updateUser(invitee.id, { name });
    });
    const actor = { ...(options.actor ?? SYSTEM_ACTOR), via: "web" as const, userId: invitee.id };
    await recordUserEvent(tx, actor, "user.invitation_accepted", invitee.id, name === undefined || name === invitee.name ? {} : { before: { name: invitee.name }, after: { name } });
    return { userId: invitee.id, email: invitee.email };
  });
}
