import { z } from "zod";
import { idSchema } from "@/server/ids";
import { pageInputFields } from "@/server/paging";

export const listSessionsInput = z
  .object({
    userId: idSchema("user id").optional().describe("Only this user's sessions."),
    ...pageInputFields("session", "sessions"),
  })
  .prefault({});

export const revokeSessionInput = z.object({ sessionId: idSchema("session id").describe("The session to end.") });

export const revokeAllForUserInput = z.object({ userId: idSchema("user id").describe("The user whose access ends.") });
