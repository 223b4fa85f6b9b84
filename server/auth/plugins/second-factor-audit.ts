import type { BetterAuthPlugin } from "better-auth";
import { getSessionFromCtx, isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { twoFactor } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { pendingSignInUserId } from "@/server/auth/pending-sign-in";
import { authPlugin, hook } from "./define";

/** Where a pending sign-in proves its second factor, or a new authenticator app is confirmed. */
const SECOND_FACTOR_PATHS = new Map([
  ["/two-factor/verify-totp", "totp"],
  ["/two-factor/verify-backup-code", "backup_code"],
]);

const VERIFY_BACKUP_CODE_PATH = "/two-factor/verify-backup-code";

/**
 * Audit rows for codes checked at `/two-factor/verify-totp` and `/two-factor/verify-backup-code`: a
 * wrong one (`auth.mfa_failed`), a new authenticator app confirmed (`auth.mfa_enrolled`), a sign-in
 * completed through the challenge (`auth.sign_in`), and each used backup code with how many remain.
 * The lockouts on these paths are plugins/second-factor-lockout.ts.
 */
export function secondFactorAudit({ db }: { db: Database }): BetterAuthPlugin {
  // The after hook cannot tell sign-in from enrolment any more (the plugin replaces the session by
  // then), so the before hook notes which one it was for that request's context.
  const purposes = new WeakMap<object, { userId: string; enrolling: boolean }>();

  async function remainingBackupCodes(userId: string): Promise<number | null> {
    const [row] = await db.select({ backupCodes: twoFactor.backupCodes }).from(twoFactor).where(eq(twoFactor.userId, userId)).limit(1);
    if (!row?.backupCodes.startsWith("[")) return null;
    const codes: unknown = JSON.parse(row.backupCodes);
    return Array.isArray(codes) ? codes.length : null;
  }

  return authPlugin({
    id: "gatehouse-second-factor-audit",
    before: [
      hook(SECOND_FACTOR_PATHS, async (ctx) => {
        const current = await getSessionFromCtx(ctx);
        if (current) purposes.set(ctx.context, { userId: current.user.id, enrolling: !current.user.twoFactorEnabled });
      }),
    ],
    after: [
      hook(SECOND_FACTOR_PATHS, async (ctx) => {
        const method = SECOND_FACTOR_PATHS.get(ctx.path)!;
        const failed = isAPIError(ctx.context.returned);
        // A successful sign-in has used up the challenge, so its user comes from the new session.
        const purpose = purposes.get(ctx.context) ?? {
          userId: ctx.context.newSession?.user.id ?? (await pendingSignInUserId(ctx)),
          enrolling: false,
        };
        if (!purpose.userId) return;
        if (!failed && ctx.path === VERIFY_BACKUP_CODE_PATH) {
          await recordAuthEvent(db, {
            action: "auth.backup_code_used",
            userId: purpose.userId,
            headers: ctx.headers,
            details: { remaining: await remainingBackupCodes(purpose.userId) },
          });
        }
        if (isAPIError(ctx.context.returned)) {
          const reason = String(ctx.context.returned.body?.code ?? "UNKNOWN");
          await recordAuthEvent(db, { action: "auth.mfa_failed", userId: purpose.userId, headers: ctx.headers, details: { method, reason } });
        } else if (purpose.enrolling) {
          await recordAuthEvent(db, { action: "auth.mfa_enrolled", userId: purpose.userId, headers: ctx.headers, details: { method: "totp" } });
        } else if (ctx.context.newSession) {
          await recordAuthEvent(db, { action: "auth.sign_in", userId: purpose.userId, headers: ctx.headers, details: { method: "password", secondFactor: method } });
        }
      }),
    ],
  });
}
