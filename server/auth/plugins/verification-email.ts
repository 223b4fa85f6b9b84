import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { z } from "zod";
import type { Database } from "@/db/client";
import { claimAttempt, type AttemptPolicy } from "@/server/auth/attempt-limit";

/** Verification emails one address can be sent through `/send-verification-email`, whoever asks. */
export const VERIFICATION_EMAILS_PER_ADDRESS: AttemptPolicy = { maxAttempts: 3, windowMs: 60 * 60 * 1000, lockoutMs: 0 };

export function verificationEmailKey(email: string): string {
  return `verification-email:${email.trim().toLowerCase()}`;
}

/**
 * Anyone can ask for a verification email to be sent to any address, so each address gets a few an
 * hour (the per-IP limit is in rate-limits.ts). The count is kept for every address asked about, known
 * or not, and the refusal is the same for all: it says nothing about whether an account exists.
 */
export function verificationEmailLimit(db: Database) {
  return {
    id: "verification-email-limit",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/send-verification-email",
          handler: createAuthMiddleware(async (ctx) => {
            const email = (ctx.body as { email?: unknown } | undefined)?.email;
            // better-auth refuses a missing or malformed address itself, the same way for everyone.
            if (typeof email !== "string" || !z.email().safeParse(email).success) return;
            const claim = await claimAttempt(db, verificationEmailKey(email), VERIFICATION_EMAILS_PER_ADDRESS);
            if (claim.allowed) return;
            const minutes = Math.max(1, Math.ceil(claim.retryAfterMs / 60_000));
            throw new APIError(
              "TOO_MANY_REQUESTS",
              {
                message: `Too many verification emails were asked for this address. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
                code: "RATE_LIMITED",
              },
              { "Retry-After": String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))) },
            );
          }),
        },
      ],
    },
  } satisfies BetterAuthPlugin;
}
