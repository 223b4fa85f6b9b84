import { APIError, getSessionFromCtx, isAPIError } from "better-auth/api";
import { eq } from "drizzle-orm";
import { jwtVerify } from "jose";
import type { Database } from "@/db/client";
import { user } from "@/db/schema";
import { recordAuthEvent } from "@/server/audit/auth-events";
import { REAUTH_REQUIRED, recentProofs } from "@/server/auth/step-up";
import type { SecurityNotices } from "@/server/email/security-notices";
import { auditDomainOf } from "@/server/users/visibility";
import { displayNameSchema } from "@/server/validation/password";
import { authPlugin, hook } from "./define";

const CHANGE_EMAIL = "/change-email";
const VERIFY_EMAIL = "/verify-email";
const CHANGE_PASSWORD = "/change-password";
const UPDATE_USER = "/update-user";
const WATCHED = new Set([CHANGE_EMAIL, VERIFY_EMAIL, CHANGE_PASSWORD, UPDATE_USER]);

/** What a request is about to change, noted before the endpoint runs (afterwards the old values are gone). */
type Pending =
  | { kind: "email_requested"; userId: string; email: string; newEmail: string }
  | { kind: "email_confirmed"; userId: string; before: string; after: string }
  | { kind: "password"; userId: string; revokeOtherSessions: boolean }
  | { kind: "name"; userId: string; before: string; after: string };

/** The email change a verification token carries, if it is one this instance signed for a change. */
async function emailChangeOf(token: string, secret: string): Promise<{ userId: string; before: string; after: string } | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] });
    if (payload.requestType !== "change-email-verification") return null;
    const { userId, email, updateTo } = payload;
    if (typeof userId !== "string" || typeof email !== "string" || typeof updateTo !== "string") return null;
    return { userId, before: email.toLowerCase(), after: updateTo.toLowerCase() };
  } catch {
    return null;
  }
}

async function currentAccount(db: Database, userId: string): Promise<{ email: string; emailVerified: boolean } | undefined> {
  const [row] = await db.select({ email: user.email, emailVerified: user.emailVerified }).from(user).where(eq(user.id, userId)).limit(1);
  return row;
}

/**
 * A person's own account changes on better-auth's endpoints: the name (`/update-user`), the email
 * address (`/change-email`, then the link sent to the new address) and the password
 * (`/change-password`, which asks for the current one). Each is audited once it has happened.
 *
 * Changing the email address moves where password resets go, so it needs a recent sign-in (the
 * step-up every credential change needs, answered 403 `REAUTH_REQUIRED` like adding a passkey), and
 * the current address is told at once, with the new one named, so that a change asked for from a
 * stolen session does not go unnoticed. better-auth answers a taken new address exactly as a free
 * one (and sends nothing to it), so the request is audited and noticed the same way either way.
 * The link itself works only in a browser signed in to the account (plugins/verification-link.ts).
 */
export function accountChanges({
  db,
  notices,
  emailVerified,
}: {
  db: Database;
  notices: SecurityNotices;
  /** What a verified address brings (auth.ts): the claiming domain's membership and its audit row. */
  emailVerified: (user: { id: string; email: string }, headers: Headers | undefined) => Promise<void>;
}) {
  const pending = new WeakMap<object, Pending>();
  return authPlugin({
    id: "gatehouse-account-changes",
    before: [
      hook(WATCHED, async (ctx) => {
        if (ctx.path === VERIFY_EMAIL) {
          const token = typeof ctx.query?.token === "string" ? ctx.query.token : "";
          const change = await emailChangeOf(token, ctx.context.secret);
          if (change) pending.set(ctx.context, { kind: "email_confirmed", ...change });
          return;
        }
        const current = await getSessionFromCtx(ctx);
        // The endpoints refuse a request without a session themselves.
        if (!current) return;
        const body = (ctx.body ?? {}) as Record<string, unknown>;
        if (ctx.path === CHANGE_EMAIL) {
          if (!(await recentProofs(db, current.session.id)).authenticated) {
            throw new APIError("FORBIDDEN", {
              code: REAUTH_REQUIRED,
              message: "To change your email address, confirm it is you: enter your password.",
              secondFactor: false,
            });
          }
          if (typeof body.newEmail !== "string") return;
          pending.set(ctx.context, {
            kind: "email_requested",
            userId: current.user.id,
            email: current.user.email,
            newEmail: body.newEmail.trim().toLowerCase(),
          });
        } else if (ctx.path === CHANGE_PASSWORD) {
          pending.set(ctx.context, { kind: "password", userId: current.user.id, revokeOtherSessions: body.revokeOtherSessions === true });
        } else if (body.name !== undefined) {
          // The console's rule for names (users.update's too), which better-auth does not have.
          const name = displayNameSchema.safeParse(body.name);
          if (!name.success) {
            throw new APIError("BAD_REQUEST", { code: "INVALID_NAME", message: name.error.issues[0]?.message ?? "Enter a name." });
          }
          if (name.data !== current.user.name) {
            pending.set(ctx.context, { kind: "name", userId: current.user.id, before: current.user.name, after: name.data });
          }
          // Stored as checked: trimmed.
          return { context: { body: { ...body, name: name.data } } };
        }
      }),
    ],
    after: [
      hook(WATCHED, async (ctx) => {
        const noted = pending.get(ctx.context);
        if (!noted) return;
        pending.delete(ctx.context);
        const headers = ctx.headers;
        if (noted.kind === "email_confirmed") {
          // The endpoint answers with a redirect on success and on failure alike when given a
          // callbackURL, so the database says whether the address moved.
          const now = await currentAccount(db, noted.userId);
          if (now?.email !== noted.after) return;
          await recordAuthEvent(db, {
            action: "auth.email_changed",
            userId: noted.userId,
            headers,
            domainId: await auditDomainOf(db, noted.userId),
            details: { before: { email: noted.before }, after: { email: noted.after } },
          });
          // better-auth keeps the old address's verified state; but this link proved the new
          // address the way a verification link does (its mailbox, in a browser signed in to the
          // account), so an account that was unverified is verified now. A verified one already
          // went through emailVerified in better-auth's own afterEmailVerification.
          if (!now.emailVerified) {
            await db.update(user).set({ emailVerified: true }).where(eq(user.id, noted.userId));
            await emailVerified({ id: noted.userId, email: noted.after }, headers);
          }
          return;
        }
        if (isAPIError(ctx.context.returned)) return;
        const domainId = await auditDomainOf(db, noted.userId);
        if (noted.kind === "email_requested") {
          await recordAuthEvent(db, { action: "auth.email_change_requested", userId: noted.userId, headers, domainId, details: { newEmail: noted.newEmail } });
          await notices.emailChangeRequested({ email: noted.email }, noted.newEmail);
        } else if (noted.kind === "password") {
          await recordAuthEvent(db, {
            action: "auth.password_changed",
            userId: noted.userId,
            headers,
            domainId,
            details: { revokedOtherSessions: noted.revokeOtherSessions },
          });
        } else {
          await recordAuthEvent(db, {
            action: "auth.name_changed",
            userId: noted.userId,
            headers,
            domainId,
            details: { before: { name: noted.before }, after: { name: noted.after } },
          });
        }
      }),
    ],
  });
}
