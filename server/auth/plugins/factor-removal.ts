import type { BetterAuthPlugin, GenericEndpointContext } from "better-auth";
import { APIError, getSessionFromCtx } from "better-auth/api";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { passkey } from "@/db/schema";
import { mfaRequirement, requiredByPhrase } from "@/server/users/mfa";
import { REAUTH_REQUIRED, recentProofs } from "@/server/auth/step-up";
import { authPlugin, hook } from "./define";

/** Endpoints that take a second factor away. */
const FACTOR_REMOVAL_PATHS = new Set(["/two-factor/disable", "/passkey/delete-passkey"]);

/**
 * Refuses removing the last second factor while a role or domain requires one, and otherwise asks
 * for that factor itself, proved in the last ten minutes, before removing it. A password is not
 * enough: with the factor gone, the next one added counts as the account's first and needs only a
 * recent sign-in, so removing with the password would let anyone holding it swap the factor for
 * their own.
 */
async function guardFactorRemoval(db: Database, ctx: GenericEndpointContext): Promise<void> {
  const current = await getSessionFromCtx(ctx);
  if (!current) return;
  const userId = current.user.id;
  const requirement = await mfaRequirement(db, userId);
  const { status } = requirement;

  let remainingAfter: number;
  if (ctx.path === "/two-factor/disable") {
    remainingAfter = status.passkeys;
  } else {
    const id = typeof ctx.body?.id === "string" ? ctx.body.id : "";
    const [own] = await db
      .select({ id: passkey.id })
      .from(passkey)
      .where(and(eq(passkey.id, id), eq(passkey.userId, userId)))
      .limit(1);
    // Someone else's or a missing passkey: the plugin answers that itself.
    if (!own) return;
    remainingAfter = status.passkeys - 1 + (status.methods.includes("totp") ? 1 : 0);
  }
  if (remainingAfter > 0) return;

  if (requirement.required) {
    throw new APIError("FORBIDDEN", {
      message: `You cannot remove your last second factor: ${requiredByPhrase(requirement)}. Add another one first.`,
      code: "MFA_REQUIRED_BY_POLICY",
    });
  }
  if (!(await recentProofs(db, current.session.id)).secondFactor) {
    throw new APIError("FORBIDDEN", {
      message: "This is your last second factor. Confirm it is you with it (a code, a backup code or the passkey), then remove it.",
      code: REAUTH_REQUIRED,
      secondFactor: true,
    });
  }
}

/** Removing a second factor goes through `guardFactorRemoval` before the two-factor or passkey plugin acts. */
export function factorRemoval({ db }: { db: Database }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-factor-removal",
    before: [
      hook(FACTOR_REMOVAL_PATHS, async (ctx) => guardFactorRemoval(db, ctx)),
    ],
  });
}
