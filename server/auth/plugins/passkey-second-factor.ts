import type { BetterAuthPlugin } from "better-auth";
import { APIError } from "better-auth/api";
import { deleteSessionCookie } from "better-auth/cookies";
import { eq } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { passkey } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { authPlugin, hook } from "./define";

export const PASSKEY_REQUIRED = "PASSKEY_REQUIRED";

/** Where a password alone would open a session. */
const PASSWORD_SIGN_IN_PATHS = new Set(["/sign-in/email"]);

/**
 * Whether the account's only second factor is a passkey. The two-factor plugin challenges a
 * password sign-in only for an authenticator app, so such an account must sign in with the passkey,
 * which proves both factors.
 */
export async function secondFactorIsPasskeyOnly(db: Executor, account: { id: string; twoFactorEnabled?: boolean | null }): Promise<boolean> {
  if (account.twoFactorEnabled) return false;
  const [row] = await db.select({ id: passkey.id }).from(passkey).where(eq(passkey.userId, account.id)).limit(1);
  return row !== undefined;
}

/**
 * A password never stands in for a passkey. When the password was right but the account's second
 * factor is a passkey, the session the password opened is withdrawn before anything can use it
 * (registered before the OAuth provider, whose after hook would otherwise continue an
 * authorization with it) and the answer says to use the passkey. Only someone who knew the password
 * learns that the account has one.
 */
export function passkeySecondFactor({ db }: { db: Database }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-passkey-second-factor",
    after: [
      hook(PASSWORD_SIGN_IN_PATHS, async (ctx) => {
        const opened = ctx.context.newSession;
        if (!opened || !(await secondFactorIsPasskeyOnly(db, opened.user))) return;
        deleteSessionCookie(ctx, true);
        await ctx.context.internalAdapter.deleteSession(opened.session.token);
        ctx.context.setNewSession(null);
        await recordAuthEvent(db, {
          action: "auth.sign_in_failed",
          userId: opened.user.id,
          headers: ctx.headers,
          details: { method: "password", reason: PASSKEY_REQUIRED },
        });
        throw new APIError("FORBIDDEN", {
          code: PASSKEY_REQUIRED,
          message: "Your account's second factor is a passkey. Sign in with “Use a passkey” instead of the password.",
        });
      }),
    ],
  });
}
