import { APIError } from "better-auth/api";
import { z } from "zod";
import type { Database } from "@/db/client";
import { claimAttempt, type AttemptPolicy } from "@/server/auth/attempt-limit";
import { authPlugin, hook } from "./define";

/** Emails of one kind that one address can be sent through an endpoint anyone may call, whoever asks. */
export const EMAILS_PER_ADDRESS: AttemptPolicy = { maxAttempts: 3, windowMs: 60 * 60 * 1000, lockoutMs: 0 };

/** The endpoints that email an address typed by anyone, and what the refusal calls their messages. */
const EMAILING_PATHS = new Map([
  ["/send-verification-email", "verification emails"],
  ["/request-password-reset", "password reset emails"],
]);

export function emailsPerAddressKey(path: string, email: string): string {
  return `email:${path}:${email.trim().toLowerCase()}`;
}

/**
 * Anyone can ask for a verification or password-reset email to be sent to any address, so each
 * address gets a few of each an hour (the per-IP limits are in rate-limits.ts): nobody can flood a
 * mailbox from many networks. The count is kept for every address asked about, known or not, and
 * the refusal is the same for all: it says nothing about whether an account exists.
 */
export function emailsPerAddressLimit(db: Database) {
  return authPlugin({
    id: "emails-per-address-limit",
    before: [
      hook(EMAILING_PATHS, async (ctx) => {
        const email = (ctx.body as { email?: unknown } | undefined)?.email;
        // better-auth refuses a missing or malformed address itself, the same way for everyone.
        if (typeof email !== "string" || !z.email().safeParse(email).success) return;
        const claim = await claimAttempt(db, emailsPerAddressKey(ctx.path, email), EMAILS_PER_ADDRESS);
        if (claim.allowed) return;
        const minutes = Math.max(1, Math.ceil(claim.retryAfterMs / 60_000));
        throw new APIError(
          "TOO_MANY_REQUESTS",
          {
            message: `Too many ${EMAILING_PATHS.get(ctx.path)} were asked for this address. Try again in ${minutes} ${minutes === 1 ? "minute" : "minutes"}.`,
            code: "RATE_LIMITED",
          },
          { "Retry-After": String(Math.max(1, Math.ceil(claim.retryAfterMs / 1000))) },
        );
      }),
    ],
  });
}
