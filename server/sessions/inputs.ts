import { z } from "zod";
import { bulkIdsSchema } from "@/server/bulk";
import { idSchema } from "@/server/ids";
import { pageInputFields, sortSchema } from "@/server/paging";

export const SESSION_SORTS = ["lastActive", "createdAt"] as const;

export const listSessionsInput = z
  .object({
    userId: idSchema("user id").optional().describe("Only this user's sessions."),
    sort: sortSchema(SESSION_SORTS, { by: "lastActive", direction: "desc" }),
    ...pageInputFields("session", "sessions"),
  })
  .prefault({});

export const revokeSessionInput = z.object({ sessionId: idSchema("session id").describe("The session to end.") });

export const revokeSessionsInput = z.object({ sessionIds: bulkIdsSchema("session id", "sessions") });

export const revokeAllForUserInput = z.object({ userId: idSchema("user id").describe("The user whose access ends.") });
