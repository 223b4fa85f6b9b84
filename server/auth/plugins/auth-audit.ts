import type { BetterAuthPlugin, GenericEndpointContext } from "better-auth";
import { APIError, getSessionFromCtx } from "better-auth/api";
import type { Database } from "@/db/client";
import { recordAuthEvent, userIdByEmail } from "@/server/audit/auth-events";
import { secondFactorIsPasskeyOnly } from "./passkey-second-factor";
import { authPlugin, hook } from "./define";

/** What this plugin asks the twoFactor plugin instance: whether it turns this sign-in into a challenge. */
interface SecondFactorChallenge {
  shouldRequireTwoFactor(ctx: GenericEndpointContext): Promise<boolean>;
}

const FACTOR_CHANGES = new Map([
  ["/two-factor/disable", "auth.mfa_removed"],
  ["/two-factor/generate-backup-codes", "auth.backup_codes_regenerated"],
] as const);

const emailOf = (body: unknown): string => {
  const email = body && typeof body === "object" ? (body as { email?: unknown }).email : undefined;
  return typeof email === "string" ? email : "";
};

/**
 * Audit rows for better-auth's own account endpoints: password sign-in and its failures, sign-out,
 * password-reset requests, and removing the authenticator app or replacing the backup codes.
 * Sign-up, second-factor challenges and passkeys have plugins of their own (sign-up.ts,
 * second-factor-audit.ts, passkey-bookkeeping.ts).
 */
export function authAudit({ db, secondFactor }: { db: Database; secondFactor: SecondFactorChallenge }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-auth-audit",
    before: [
      // Before the endpoint: once it has answered, the session it ends is gone.
      hook("/sign-out", async (ctx) => {
        const current = await getSessionFromCtx(ctx);
        if (current) await recordAuthEvent(db, { action: "auth.sign_out", userId: current.user.id, headers: ctx.headers });
      }),
    ],
    after: [
      hook("/sign-in/email", async (ctx) => {
        const newSession = ctx.context.newSession;
        // The two-factor plugin's hook runs after this one and turns such a sign-in into a challenge, with no session.
        if (newSession && newSession.user.twoFactorEnabled && (await secondFactor.shouldRequireTwoFactor(ctx))) return;
        // The passkey second-factor plugin's hook runs after this one too and withdraws such a session, recording why.
        if (newSession && (await secondFactorIsPasskeyOnly(db, newSession.user))) return;
        if (newSession) {
          await recordAuthEvent(db, { action: "auth.sign_in", userId: newSession.user.id, headers: ctx.headers, details: { method: "password" } });
        } else if (ctx.context.returned instanceof APIError) {
          const email = emailOf(ctx.body);
          await recordAuthEvent(db, {
            action: "auth.sign_in_failed",
            userId: email ? await userIdByEmail(db, email) : null,
            headers: ctx.headers,
            details: { method: "password", email: email.slice(0, 320), reason: ctx.context.returned.body?.code ?? "UNKNOWN" },
          });
        }
      }),
      hook("/request-password-reset", async (ctx) => {
        if (ctx.context.returned instanceof APIError) return;
        const email = emailOf(ctx.body);
        // The answer is the same for every email; only the audit log (for administrators) tells them apart.
        await recordAuthEvent(db, {
          action: "auth.password_reset_requested",
          userId: email ? await userIdByEmail(db, email) : null,
          headers: ctx.headers,
          details: { email: email.slice(0, 320) },
        });
      }),
      hook(FACTOR_CHANGES, async (ctx) => {
        const userId = ctx.context.session?.user.id;
        if (ctx.context.returned instanceof APIError || !userId) return;
        await recordAuthEvent(db, { action: FACTOR_CHANGES.get(ctx.path as never)!, userId, headers: ctx.headers });
      }),
    ],
  });
}
