import type { BetterAuthPlugin } from "better-auth";
import { APIError } from "better-auth/api";
import type { Database } from "@/db/client";
import { ownerExists } from "@/server/authz/owner";
import { authPlugin, hook } from "./define";

/**
 * Sign-up is open only when the installation says so, and only once it has an owner: before that,
 * the first account is made through the setup link, so a stranger cannot race to it.
 */
export function signUpGate({ db, signup }: { db: Database; signup: "open" | "closed" }): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-sign-up-gate",
    before: [
      hook("/sign-up/email", async () => {
        if (signup === "closed") {
          throw new APIError("FORBIDDEN", { message: "Sign-up is closed. Ask an administrator for an account." });
        }
        if (!(await ownerExists(db))) {
          throw new APIError("FORBIDDEN", {
            message: "Gatehouse is not set up yet. Use the setup link printed in the server terminal.",
          });
        }
      }),
    ],
  });
}
