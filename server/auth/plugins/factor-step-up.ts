import type { BetterAuthPlugin } from "better-auth";
import { APIError, getSessionFromCtx, isAPIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { REAUTH_REQUIRED, recentProofs, recordReauthentication, type ProofMethod } from "@/server/auth/step-up";
import { mfaStatus } from "@/server/users/mfa";
import { authPlugin, hook } from "./define";

/**
 * Endpoints that give the caller a working second factor, and what the refusal calls each. A
 * passkey registration carries no password, so it also needs a recent sign-in; the two-factor
 * plugin's endpoints ask for the password in the body themselves.
 */
const ADDING_A_FACTOR = new Map<string, { action: string; needsRecentSignIn: boolean }>([
  ["/passkey/generate-register-options", { action: "add a passkey", needsRecentSignIn: true }],
  ["/passkey/verify-registration", { action: "add a passkey", needsRecentSignIn: true }],
  ["/two-factor/enable", { action: "set up an authenticator app", needsRecentSignIn: false }],
  // The app's key and fresh backup codes work as the factor itself, so handing them out adds one.
  ["/two-factor/get-totp-uri", { action: "show your authenticator app's key", needsRecentSignIn: false }],
  ["/two-factor/generate-backup-codes", { action: "make new backup codes", needsRecentSignIn: false }],
]);

/** Where a pending sign-in proves its second factor, and what the proof is recorded as. */
const CHALLENGE_PROOFS = new Map<string, ProofMethod>([
  ["/two-factor/verify-totp", "totp"],
  ["/two-factor/verify-backup-code", "backup_code"],
]);

const PASSKEY_SIGN_IN_PATH = "/passkey/verify-authentication";

/**
 * Adding a second factor is a step-up change (DESIGN §5): otherwise anyone holding a session, or a
 * session and the password, could add a passkey or an authenticator of their own that outlives a
 * password reset. The request is refused with 403 `REAUTH_REQUIRED` unless, within the last 10
 * minutes, the session signed in or stepped up (for a passkey) and, when the account already has a
 * second factor, that proof included one: a sign-in through the two-factor challenge or with a
 * passkey, or a step-up with a code. `secondFactor: true` in the refusal tells the console to ask for
 * one, not for the password. An account's first factor needs only the recent sign-in.
 *
 * The proofs are recorded here too: a sign-in that completes through the challenge or with a
 * passkey starts its session with a second factor proved (`session_reauthentication.second_factor_at`).
 */
export function factorStepUp({ db }: { db: Database }): BetterAuthPlugin {
  // A sign-in challenge is answered without a session; confirming a new authenticator app, with one.
  const answeringChallenge = new WeakSet<object>();

  return authPlugin({
    id: "gatehouse-factor-step-up",
    before: [
      hook(ADDING_A_FACTOR, async (ctx) => {
        const change = ADDING_A_FACTOR.get(ctx.path)!;
        const current = await getSessionFromCtx(ctx);
        // The endpoints refuse a request without a session themselves.
        if (!current) return;
        const [proofs, status] = await Promise.all([
          recentProofs(db, current.session.id),
          mfaStatus(db, [current.user.id]).then((statuses) => statuses.get(current.user.id)),
        ]);
        const secondFactor = status?.enrolled === true;
        if (secondFactor && !proofs.secondFactor) {
          throw new APIError("FORBIDDEN", {
            code: REAUTH_REQUIRED,
            message: `To ${change.action}, confirm it is you with a second factor: a code from your authenticator app, a backup code or a passkey. Your account has one, so a password alone is not enough.`,
            secondFactor: true,
          });
        }
        if (change.needsRecentSignIn && !proofs.authenticated) {
          throw new APIError("FORBIDDEN", {
            code: REAUTH_REQUIRED,
            message: `To ${change.action}, confirm it is you: enter your password.`,
            secondFactor: false,
          });
        }
      }),
      hook(CHALLENGE_PROOFS, async (ctx) => {
        if (!(await getSessionFromCtx(ctx))) answeringChallenge.add(ctx.context);
      }),
    ],
    after: [
      hook((ctx) => CHALLENGE_PROOFS.has(ctx.path ?? "") || ctx.path === PASSKEY_SIGN_IN_PATH, async (ctx) => {
        const signedIn = ctx.context.newSession;
        if (isAPIError(ctx.context.returned) || !signedIn) return;
        const challenged = answeringChallenge.delete(ctx.context);
        const method = ctx.path === PASSKEY_SIGN_IN_PATH ? "passkey" : challenged ? CHALLENGE_PROOFS.get(ctx.path) : undefined;
        if (method) await recordReauthentication(db, signedIn.session.id, method);
      }),
    ],
  });
}
