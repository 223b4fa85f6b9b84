import { z } from "zod";
import { listGrantsInput } from "@/server/grants/inputs";
import { cursorInputSchema, pageSizeSchema } from "@/server/paging";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, nextCursorOutput, outputOf } from "./shapes";

const grantOutput = z.object({
  userId: z.string().describe("The user who holds the grant."),
  userEmail: z.string().describe("That user's email address."),
  clientId: z.string().describe("The client the grant was made to."),
  clientName: z.string().describe("That client's name."),
  domainId: z.string().nullable().describe("The domain owning the client; null for an installation-wide client."),
  scopes: z.array(z.string()).describe("The scopes granted."),
  consented: z.boolean().describe("Whether the user's consent is remembered."),
  createdAt: z.string().describe("When the grant began (ISO 8601)."),
  lastUsedAt: z.string().nullable().describe("When the client last got an access token for it (ISO 8601); null if never."),
  refreshTokens: z.number().describe("Live refresh tokens."),
  liveAccessTokens: z.number().describe("Unexpired, unrevoked access tokens."),
});

const sessionOutput = z.object({
  id: z.string().describe("The session's id."),
  userId: z.string().describe("The signed-in user."),
  userEmail: z.string().describe("That user's email address."),
  device: z.string().describe("Browser and platform, from the user agent."),
  ipAddress: z.string().nullable().describe("The IP address the session signed in from, if known."),
  createdAt: z.string().describe("When the session began (ISO 8601)."),
  lastSeenAt: z.string().describe("When the session was last used (ISO 8601)."),
  expiresAt: z.string().describe("When the session expires (ISO 8601)."),
});

export const listSessionsAndGrants = defineTool("list_sessions_and_grants", {
  annotations: READ_ANNOTATIONS,
  inputSchema: {
    userId: listGrantsInput.unwrap().shape.userId.describe("Only this user's grants and sessions."),
    clientId: listGrantsInput
      .unwrap()
      .shape.clientId.describe("Only grants to this client. Browser sessions belong to no client, so they are left out when this is given."),
    grantsCursor: cursorInputSchema.describe(
      "The grantsNextCursor of the previous answer, to continue the grants; sessions are left out of that answer unless sessionsCursor is given too.",
    ),
    sessionsCursor: cursorInputSchema.describe(
      "The sessionsNextCursor of the previous answer, to continue the sessions; grants are left out of that answer unless grantsCursor is given too.",
    ),
    limit: pageSizeSchema("grant and session", "grants and sessions").describe(
      "How many grants and how many sessions per page, 1 to 100 (default 50).",
    ),
  },
  outputSchema: {
    grants: z
      .array(grantOutput)
      .optional()
      .describe("One page of grants; absent when only sessionsCursor was given."),
    grantsNextCursor: nextCursorOutput
      .optional()
      .describe("Pass this as grantsCursor to get the next page of grants; null on the last page, absent when grants were not listed."),
    sessions: z
      .array(sessionOutput)
      .optional()
      .describe("One page of browser sessions; absent when clientId or only grantsCursor was given."),
    sessionsNextCursor: nextCursorOutput
      .optional()
      .describe("Pass this as sessionsCursor to get the next page of sessions; null on the last page, absent when sessions were not listed."),
  },
  async run(input, { caller }) {
    const continuing = input.grantsCursor !== undefined || input.sessionsCursor !== undefined;
    const wantGrants = !continuing || input.grantsCursor !== undefined;
    const wantSessions = input.clientId === undefined && (!continuing || input.sessionsCursor !== undefined);
    const grants = wantGrants
      ? await caller.grants.list({
          userId: input.userId,
          clientId: input.clientId,
          cursor: input.grantsCursor,
          limit: input.limit,
        })
      : null;
    const sessions = wantSessions
      ? await caller.sessions.list({ userId: input.userId, cursor: input.sessionsCursor, limit: input.limit })
      : null;
    return {
      ...(grants && {
        grants: grants.items.map((grant) => outputOf(grantOutput, grant)),
        grantsNextCursor: grants.nextCursor,
      }),
      ...(sessions && {
        sessions: sessions.items.map((session) => outputOf(sessionOutput, session)),
        sessionsNextCursor: sessions.nextCursor,
      }),
    };
  },
});
