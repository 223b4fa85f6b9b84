import { isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { user } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { claimAttempt, type AttemptPolicy } from "@/server/auth/attempt-limit";
import type { SecurityNotices } from "@/server/email/security-notices";
import { authPlugin, hook } from "./define";

/** "Someone tried to sign up with your address" emails one address gets, so sign-up cannot flood a mailbox. */
export const EXISTING_ACCOUNT_NOTICES_PER_ADDRESS: AttemptPolicy = { maxAttempts: 3, windowMs: 60 * 60 * 1000, lockoutMs: 0 };

/**
 * `emailAndPassword.onExistingUserSignUp`: better-auth answers a sign-up with a taken address exactly
 * as it answers a new one (no session either way), and the address's owner is told instead. Past the
 * per-address limit the email is skipped silently, since the answer must not change.
 */
export function noticeExistingAccountSignUp(db: Database, notices: SecurityNotices) {
  return async ({ user: existing }: { user: { email: string } }) => {
    const claim = await claimAttempt(db, `existing-account-sign-up:${existing.email.toLowerCase()}`, EXISTING_ACCOUNT_NOTICES_PER_ADDRESS);
    if (claim.allowed) await notices.existingAccountSignUp(existing);
  };
}

/**
 * Audits sign-ups. Sign-up never signs in, so the answer's user is all there is to go on: a real new
 * account's id is in the database, the stand-in better-auth returns for a taken address is not.
 */
export function signUpAudit(db: Database) {
  return authPlugin({
    id: "sign-up-audit",
    after: [
      hook("/sign-up/email", async (ctx) => {
        const returned = ctx.context.returned;
        if (isAPIError(returned)) return;
        const id = (returned as { user?: { id?: unknown } } | undefined)?.user?.id;
        if (typeof id !== "string") return;
        const [created] = await db.select({ id: user.id }).from(user).where(eq(user.id, id)).limit(1);
        const email = typeof ctx.body?.email === "string" ? ctx.body.email.trim().toLowerCase() : "";
        if (created) {
          await recordAuthEvent(db, { action: "auth.sign_up", userId: created.id, headers: ctx.headers, details: { method: "password" } });
          return;
        }
        const [existing] = email ? await db.select({ id: user.id }).from(user).where(eq(user.email, email)).limit(1) : [];
        await recordAuthEvent(db, {
          action: "auth.sign_up_existing_email",
          userId: existing?.id ?? null,
          headers: ctx.headers,
          details: { email: email.slice(0, 320) },
        });
      }),
    ],
  });
}
