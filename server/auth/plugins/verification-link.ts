import type { BetterAuthPlugin } from "better-auth";
import { APIError, getSessionFromCtx } from "better-auth/api";
import { jwtVerify } from "jose";
import { authPlugin, hook } from "./define";

export const SIGN_IN_TO_VERIFY = "SIGN_IN_TO_VERIFY";

/** The account a verification token was made for, if the token is one this instance signed. */
async function tokenAccount(token: string, secret: string): Promise<{ email: string; userId: string | null } | null> {
  try {
    const { payload } = await jwtVerify(token, new TextEncoder().encode(secret), { algorithms: ["HS256"] });
    if (typeof payload.email !== "string") return null;
    return { email: payload.email.toLowerCase(), userId: typeof payload.userId === "string" ? payload.userId : null };
  } catch {
    return null;
  }
}

/**
 * A verification link proves the mailbox; whoever set the account's password may be someone else
 * (anyone can sign up with any address). So the link confirms the address only in a browser signed
 * in as that account: the mailbox and the password together. Someone who registered another
 * person's address ahead of them cannot have it confirmed by its owner clicking the link, and the
 * account never joins the domain that claims the address.
 */
export function verificationLink(): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-verification-link",
    before: [
      hook("/verify-email", async (ctx) => {
        const token = typeof ctx.query?.token === "string" ? ctx.query.token : "";
        const account = await tokenAccount(token, ctx.context.secret);
        // better-auth answers a bad or expired token itself.
        if (!account) return;
        const session = await getSessionFromCtx(ctx);
        const owner =
          session !== null &&
          (account.userId === null ? session.user.email.toLowerCase() === account.email : session.user.id === account.userId);
        if (owner) return;
        throw new APIError("FORBIDDEN", {
          code: SIGN_IN_TO_VERIFY,
          message: "Sign in to the account this address belongs to, then open the link again to confirm it.",
        });
      }),
    ],
  });
}
