import type { BetterAuthPlugin } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import type { Database } from "@/db/client";
import { ownerExists } from "@/server/authz/owner";

/**
 * Sign-up is open only when the installation says so, and only once it has an owner: before that,
 * the first account is made through the setup link, so a stranger cannot race to it.
 */
export function signUpGate({ db, signup }: { db: Database; signup: "open" | "closed" }): BetterAuthPlugin {
  return {
    id: "gatehouse-sign-up-gate",
    hooks: {
      before: [
        {
          matcher: (ctx) => ctx.path === "/sign-up/email",
          handler: createAuthMiddleware(async () => {
            if (signup === "closed") {
              throw new APIError("FORBIDDEN", { message: "Sign-up is closed. Ask an administrator for an account." });
            }
            if (!(await ownerExists(db))) {
              throw new APIError("FORBIDDEN", {
                message: "Gatehouse is not set up yet. Use the setup link printed in the server terminal.",
              });
            }
          }),
        },
      ],
    },
  };
}
