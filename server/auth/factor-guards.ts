import { APIError, getSessionFromCtx } from "better-auth/api";
import type { GenericEndpointContext } from "better-auth";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { passkey } from "@/db/schema";
import { mfaRequirement, requiredByPhrase } from "@/server/users/mfa";
import { lastAuthenticatedAt, REAUTH_REQUIRED, STEP_UP_MAX_AGE_MS } from "./step-up";

/** Endpoints that take a second factor away. */
export const FACTOR_REMOVAL_PATHS = new Set(["/two-factor/disable", "/passkey/delete-passkey"]);

/**
 * Refuses removing the last second factor while a role or domain requires one, and asks for a recent
 * sign-in before removing the last one otherwise. Switching off the authenticator app already needs
 * the password (the plugin asks for it); deleting a passkey needs only a session, hence the step-up.
 */
export async function guardFactorRemoval(db: Database, ctx: GenericEndpointContext): Promise<void> {
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
  if (ctx.path === "/passkey/delete-passkey") {
    const at = await lastAuthenticatedAt(db, current.session.id);
    if (!at || Date.now() - at.getTime() > STEP_UP_MAX_AGE_MS) {
      throw new APIError("FORBIDDEN", {
        message: "This is your last second factor. Confirm it is you with your password, then delete it.",
        code: REAUTH_REQUIRED,
      });
    }
  }
}
