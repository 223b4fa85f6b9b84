import { z } from "zod";
import type { ReauthenticationMethod } from "@/server/auth/step-up";
import { idSchema } from "@/server/ids";
import { PASSWORD_MAX_LENGTH } from "@/server/validation/password";

export const reauthenticateInput = z.discriminatedUnion(
  "method",
  [
    z.object({ method: z.literal("password"), password: z.string().min(1, "Enter your password.").max(PASSWORD_MAX_LENGTH) }),
    z.object({ method: z.literal("totp"), code: z.string().trim().regex(/^\d{6}$/, "An authenticator code is six digits.") }),
    z.object({ method: z.literal("backup_code"), code: z.string().trim().min(1, "Enter a backup code.").max(64) }),
  ] satisfies [z.ZodType<{ method: ReauthenticationMethod }>, ...z.ZodType<{ method: ReauthenticationMethod }>[]],
  { error: 'The method is "password", "totp" or "backup_code".' },
);

export const revokeOwnSessionInput = z.object({ sessionId: idSchema("session id").describe("The session to end.") });

export const revokeAppInput = z.object({ clientId: idSchema("client id").describe("The application's client id.") });
