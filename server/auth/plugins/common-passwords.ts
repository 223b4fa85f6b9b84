import type { BetterAuthPlugin } from "better-auth";
import { APIError } from "better-auth/api";
import { isCommonPassword } from "@/server/validation/password";
import { authPlugin, hook } from "./define";

/** Paths that accept a new password from the caller. */
const PASSWORD_SETTING_PATHS = new Set(["/sign-up/email", "/reset-password", "/change-password"]);

/** A new password on the bundled list of common ones is refused wherever one is set (DESIGN §5). */
export function commonPasswords(): BetterAuthPlugin {
  return authPlugin({
    id: "gatehouse-common-passwords",
    before: [
      hook(PASSWORD_SETTING_PATHS, async (ctx) => {
        const body = ctx.body as { password?: unknown; newPassword?: unknown } | undefined;
        const candidate = body?.newPassword ?? body?.password;
        if (typeof candidate === "string" && isCommonPassword(candidate)) {
          throw new APIError("BAD_REQUEST", {
            message: "This password is too common. Choose one that is harder to guess.",
            code: "PASSWORD_TOO_COMMON",
          });
        }
      }),
    ],
  });
}
