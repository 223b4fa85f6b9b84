import { createHash } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { passwordResetRequest } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { revocationDetails, revokeGrants } from "@/server/grants/revocation";
import { authPlugin, hook } from "./define";

function tokenHash(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * better-auth's reset tokens are 24 letters and digits. This one can never be issued, so handing it to
 * the endpoint in place of a dead link's token makes better-auth itself answer exactly as it does for
 * a used or unknown link.
 */
const DEAD_LINK_TOKEN = "superseded-reset-link";

/** Called as the link is emailed: it becomes the account's only live link, and any earlier one dies. */
export async function recordResetLink(db: Executor, userId: string, token: string, now = new Date()): Promise<void> {
  await db
    .insert(passwordResetRequest)
    .values({ userId, tokenHash: tokenHash(token), issuedAt: now })
    .onConflictDoUpdate({ target: passwordResetRequest.userId, set: { tokenHash: tokenHash(token), issuedAt: now } });
}

async function isLiveResetLink(db: Executor, token: string): Promise<boolean> {
  const [row] = await db
    .select({ userId: passwordResetRequest.userId })
    .from(passwordResetRequest)
    .where(eq(passwordResetRequest.tokenHash, tokenHash(token)))
    .limit(1);
  return row !== undefined;
}

/**
 * A completed reset kills every link of the account, ends its OAuth grants (refresh tokens, the
 * provider's opaque access tokens, JWT access tokens in the ledger, remembered consents) and is
 * audited, in one transaction. better-auth has already ended the sessions (`revokeSessionsOnPasswordReset`).
 */
export async function completePasswordReset(db: Database, userId: string, headers: Headers | undefined): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.delete(passwordResetRequest).where(eq(passwordResetRequest.userId, userId));
    const revoked = await revokeGrants(tx, { userId }, "password_reset");
    await recordAuthEvent(tx, {
      action: "auth.password_reset_completed",
      userId,
      headers,
      details: { sessionsEnded: true, ...revocationDetails(revoked) },
    });
  });
}

/**
 * Only the newest emailed link of an account works: better-auth keeps every issued token valid until
 * it expires, so both the link in the email (GET /reset-password/:token) and the form that sets the
 * password (POST /reset-password) are checked against the one recorded by `recordResetLink`.
 */
export function resetLinks(db: Database) {
  return authPlugin({
    id: "reset-links",
    before: [
      hook("/reset-password/:token", async (ctx) => {
        const token = ctx.params?.token;
        if (typeof token !== "string" || token.length === 0 || (await isLiveResetLink(db, token))) return;
        return { context: { params: { ...ctx.params, token: DEAD_LINK_TOKEN } } };
      }),
      hook("/reset-password", async (ctx) => {
        const body = ctx.body as Record<string, unknown> | undefined;
        const query = ctx.query as Record<string, unknown> | undefined;
        const token = body?.token || query?.token;
        if (typeof token !== "string" || token.length === 0 || (await isLiveResetLink(db, token))) return;
        return {
          context: {
            body: { ...body, token: DEAD_LINK_TOKEN },
            ...(query?.token === undefined ? {} : { query: { ...query, token: DEAD_LINK_TOKEN } }),
          },
        };
      }),
    ],
  });
}
