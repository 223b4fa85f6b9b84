import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import type { Database } from "@/db/client";
import * as schema from "@/db/schema";
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
    hooks: {
      before: createAuthMiddleware(async (ctx) => {
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
