import { eq } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { user as userTable, userSignIn } from "@/db/schema";
import { auditDomainOf } from "@/server/users/visibility";
import { recordEvent, requestOrigin, type AuditActor } from "./record";

/** Audit rows for what better-auth does on its own endpoints: sign-in and out, sign-up, account recovery, second factors. */
export interface AuthEventInput {
  action:
    | "auth.sign_in"
    | "auth.sign_in_failed"
    | "auth.sign_out"
    | "auth.sign_up"
    | "auth.sign_up_existing_email"
    | "auth.password_reset_requested"
    | "auth.password_reset_completed"
    | "auth.email_verified"
    | "auth.email_change_requested"
    | "auth.email_changed"
    | "auth.password_changed"
    | "auth.name_changed"
    | "auth.mfa_enrolled"
    | "auth.mfa_removed"
    | "auth.mfa_failed"
    | "auth.backup_codes_regenerated"
    | "auth.backup_code_used"
    | "auth.mfa_locked"
    | "auth.passkey_added"
    | "auth.passkey_removed"
    | "auth.passkey_used";
  userId: string | null;
  headers: Headers | undefined;
  details?: Record<string, unknown>;
  /**
   * The domain the event concerns, so that its administrators see it in their audit log (and on
   * their dashboard). When left out, the account's only domain, as for every event about an account.
   */
  domainId?: string | null;
}

/** Anyone can type an email into these forms, so the account they name is the target, not the actor. */
const ANONYMOUS_ACTIONS = new Set<AuthEventInput["action"]>([
  "auth.sign_in_failed",
  "auth.password_reset_requested",
  // Anyone can type an address that is taken into the sign-up form.
  "auth.sign_up_existing_email",
  // Whoever types a wrong code has at most the password, so they are not known to be the account's owner.
  "auth.mfa_failed",
  // A lock follows wrong codes, which say nothing about who typed them.
  "auth.mfa_locked",
]);

export async function recordAuthEvent(db: Executor, event: AuthEventInput): Promise<void> {
  const actor: AuditActor = {
    userId: ANONYMOUS_ACTIONS.has(event.action) ? null : event.userId,
    via: "web",
    ...(event.headers ? requestOrigin(event.headers) : { ip: null, userAgent: null }),
  };
  const at = new Date();
  // Every completed sign-in is recorded here, so this is the one place that keeps "last sign-in" current.
  const lastSignIn =
    event.action === "auth.sign_in" && event.userId
      ? [
          db
            .insert(userSignIn)
            .values({ userId: event.userId, lastSignInAt: at })
            .onConflictDoUpdate({ target: userSignIn.userId, set: { lastSignInAt: at } }),
        ]
      : [];
  await recordEvent(
    db,
    actor,
    {
      action: event.action,
      targetType: event.userId ? "user" : null,
      targetId: event.userId,
      domainId: event.domainId !== undefined ? event.domainId : event.userId ? await auditDomainOf(db, event.userId) : null,
      details: event.details,
    },
    at,
    lastSignIn,
  );
}

export async function userIdByEmail(db: Database, email: string): Promise<string | null> {
  const [row] = await db
    .select({ id: userTable.id })
    .from(userTable)
    .where(eq(userTable.email, email.trim().toLowerCase()))
    .limit(1);
  return row?.id ?? null;
}
