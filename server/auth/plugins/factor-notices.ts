import { getSessionFromCtx, isAPIError } from "better-auth/api";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/db/client";
import { passkey } from "@/db/schema";
import type { FactorChange, SecurityNotices } from "@/server/email/security-notices";
import { authPlugin, hook } from "./define";

const PASSKEY_ADDED = "/passkey/verify-registration";
const PASSKEY_REMOVED = "/passkey/delete-passkey";
/** With a session and the authenticator app not yet on, a right code turns it on. */
const AUTHENTICATOR_CONFIRMED = "/two-factor/verify-totp";
const AUTHENTICATOR_REMOVED = "/two-factor/disable";
/** Changes that need no lookup beforehand: what they change is in their path. */
const PLAIN_CHANGES = new Map<string, FactorChange>([
  ["/two-factor/generate-backup-codes", { kind: "backup_codes_regenerated" }],
  ["/change-password", { kind: "password_changed" }],
]);

const WATCHED = new Set([PASSKEY_ADDED, PASSKEY_REMOVED, AUTHENTICATOR_CONFIRMED, AUTHENTICATOR_REMOVED, ...PLAIN_CHANGES.keys()]);

interface Pending {
  owner: { email: string };
  /** The change this request makes if it succeeds; null when it changes no factor (a sign-in code). */
  change: FactorChange | null;
}

/**
 * Emails the account's owner when a passkey or the authenticator app is added or removed, new backup
 * codes are made or the password is changed, so that a change made with a stolen session does not go
 * unnoticed. The owner and what is about to change are
 * read before the endpoint runs (afterwards the passkey is gone and the session replaced); the email
 * goes only once it succeeded. `securityNotices` is also offered on the auth context, for changes made
 * outside better-auth's endpoints (an administrator's MFA reset).
 */
export function factorNotices(db: Database, notices: SecurityNotices) {
  const pending = new WeakMap<object, Pending>();
  return authPlugin({
    id: "factor-notices",
    init: () => ({ context: { securityNotices: notices } }),
    before: [
      hook(WATCHED, async (ctx) => {
        const current = await getSessionFromCtx(ctx);
        if (!current) return;
        const owner = { email: current.user.email };
        const plain = PLAIN_CHANGES.get(ctx.path);
        if (plain) {
          pending.set(ctx.context, { owner, change: plain });
        } else if (ctx.path === PASSKEY_ADDED) {
          pending.set(ctx.context, { owner, change: null });
        } else if (ctx.path === PASSKEY_REMOVED) {
          const id = typeof ctx.body?.id === "string" ? ctx.body.id : "";
          const [removed] = await db
            .select({ name: passkey.name })
            .from(passkey)
            .where(and(eq(passkey.id, id), eq(passkey.userId, current.user.id)))
            .limit(1);
          if (removed) pending.set(ctx.context, { owner, change: { kind: "passkey_removed", passkeyName: removed.name } });
        } else if (ctx.path === AUTHENTICATOR_CONFIRMED) {
          if (!current.user.twoFactorEnabled) pending.set(ctx.context, { owner, change: { kind: "authenticator_added" } });
        } else if (current.user.twoFactorEnabled) {
          pending.set(ctx.context, { owner, change: { kind: "authenticator_removed" } });
        }
      }),
    ],
    after: [
      hook(WATCHED, async (ctx) => {
        const noted = pending.get(ctx.context);
        const returned = ctx.context.returned;
        if (!noted || isAPIError(returned) || returned instanceof Response) return;
        let change = noted.change;
        if (ctx.path === PASSKEY_ADDED) {
          const created = returned as { id?: unknown; name?: unknown } | undefined;
          if (typeof created?.id !== "string") return;
          change = { kind: "passkey_added", passkeyName: typeof created.name === "string" ? created.name : null };
        }
        if (change) await notices.factorChanged(noted.owner, change);
      }),
    ],
  });
}
