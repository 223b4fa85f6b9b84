import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import { eq } from "drizzle-orm";
import { nextCookies } from "better-auth/next-js";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
import { recordAuthEvent, userIdByEmail } from "@/server/audit/auth-events";
import { activeAuthTransaction } from "@/server/auth/auth-writes";
import { assignDefaultMemberships } from "@/server/authz/membership";
import { ownerExists } from "@/server/authz/owner";
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH, isCommonPassword } from "@/server/validation/password";

export interface AuthDependencies {
  db: Database;
  /** Origin (and optional path) the console is reached at; the issuer and cookie scope derive from it. */
  publicUrl: string;
  secret: string;
  signup: "open" | "closed";
}

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]"]);

export function isLoopbackUrl(url: string): boolean {
  return LOOPBACK_HOSTS.has(new URL(url).hostname);
}

/** Paths that accept a new password from the caller. */
const PASSWORD_SETTING_PATHS = new Set(["/sign-up/email", "/reset-password", "/change-password"]);

export function createAuth({ db, publicUrl, secret, signup }: AuthDependencies) {
  return betterAuth({
    appName: "Gatehouse",
    baseURL: publicUrl,
    basePath: "/api/auth",
    secret,
    database: drizzleAdapter(db, { provider: "sqlite", schema, transaction: true }),
    trustedOrigins: [new URL(publicUrl).origin],
    telemetry: { enabled: false },
    emailAndPassword: {
      enabled: true,
      minPasswordLength: PASSWORD_MIN_LENGTH,
      maxPasswordLength: PASSWORD_MAX_LENGTH,
      autoSignIn: true,
    },
    session: {
      expiresIn: 60 * 60 * 24 * 7,
      updateAge: 60 * 60 * 24,
    },
    advanced: {
      cookiePrefix: "gatehouse",
      // Secure cookies everywhere except plain-http loopback development.
      useSecureCookies: !isLoopbackUrl(publicUrl) || publicUrl.startsWith("https:"),
      defaultCookieAttributes: { httpOnly: true, sameSite: "lax" },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            // Inside withAuthWrites the user row is not committed yet: join that transaction.
            const tx = activeAuthTransaction();
            if (tx) await assignDefaultMemberships(tx, user);
            else await db.transaction((inner) => assignDefaultMemberships(inner, user));
          },
        },
      },
      session: {
        create: {
          // Every way of getting a session passes here, so a suspended account cannot get one.
          before: async (session) => {
            const [ban] = await db
              .select({ userId: schema.userBan.userId })
              .from(schema.userBan)
              .where(eq(schema.userBan.userId, session.userId))
              .limit(1);
            if (ban) {
              throw new APIError("FORBIDDEN", {
                message: "This account is suspended. Contact an administrator.",
                code: "ACCOUNT_SUSPENDED",
              });
            }
          },
        },
      },
    },
    hooks: {
      after: createAuthMiddleware(async (ctx) => {
        if (ctx.path !== "/sign-in/email" && ctx.path !== "/sign-up/email") return;
        const newSession = ctx.context.newSession;
        if (newSession) {
          await recordAuthEvent(db, {
            action: ctx.path === "/sign-in/email" ? "auth.sign_in" : "auth.sign_up",
            userId: newSession.user.id,
            headers: ctx.headers,
            details: { method: "password" },
          });
        } else if (ctx.path === "/sign-in/email" && ctx.context.returned instanceof APIError) {
          const email = typeof ctx.body?.email === "string" ? ctx.body.email : "";
          await recordAuthEvent(db, {
            action: "auth.sign_in_failed",
            userId: email ? await userIdByEmail(db, email) : null,
            headers: ctx.headers,
            details: { method: "password", email: email.slice(0, 320), reason: ctx.context.returned.body?.code ?? "UNKNOWN" },
          });
        }
      }),
      before: createAuthMiddleware(async (ctx) => {
        if (ctx.path === "/sign-out") {
          const current = await getSessionFromCtx(ctx);
          if (current) await recordAuthEvent(db, { action: "auth.sign_out", userId: current.user.id, headers: ctx.headers });
          return;
        }
        if (ctx.path === "/sign-up/email") {
          if (signup === "closed") {
            throw new APIError("FORBIDDEN", { message: "Sign-up is closed. Ask an administrator for an account." });
          }
          if (!(await ownerExists(db))) {
            throw new APIError("FORBIDDEN", {
              message: "Gatehouse is not set up yet. Use the setup link printed in the server terminal.",
            });
          }
        }
        if (PASSWORD_SETTING_PATHS.has(ctx.path)) {
          const body = ctx.body as { password?: unknown; newPassword?: unknown } | undefined;
          const candidate = body?.newPassword ?? body?.password;
          if (typeof candidate === "string" && isCommonPassword(candidate)) {
            throw new APIError("BAD_REQUEST", {
              message: "This password is too common. Choose one that is harder to guess.",
              code: "PASSWORD_TOO_COMMON",
            });
          }
        }
      }),
    },
    plugins: [nextCookies()],
  });
}

export type Auth = ReturnType<typeof createAuth>;
