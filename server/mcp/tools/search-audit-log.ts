import { z } from "zod";
import { ACTOR_VIA } from "@/db/schema";
import { auditListInputSchema } from "@/server/audit/query";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, iso, nextCursorOutput } from "./shapes";

const filters = auditListInputSchema.shape;

/** The router takes Dates; JSON has none, so the tool takes ISO 8601 text and converts it. */
const time = (meaning: string) =>
  z.iso
    .datetime({ offset: true, error: "Give the time in ISO 8601, such as 2026-11-01T09:00:00Z." })
    .optional()
    .describe(`${meaning} ISO 8601, such as 2026-11-01T09:00:00Z.`);

export const searchAuditLog = defineTool({
  name: "search_audit_log",
  title: "Search the audit log",
  description:
    'Lists audit events newest first, filtered by actor user id, action or action prefix ("role."), target, domainId and time range; readers limited to some domains see only those domains\' events. Results come a page at a time: pass the returned nextCursor as cursor for the next page.',
  scope: "mcp:read",
  permissions: ["audit:read"],
  annotations: READ_ANNOTATIONS,
  inputSchema: {
    actorUserId: filters.actorUserId,
    action: filters.action,
    targetType: filters.targetType,
    targetId: filters.targetId,
    domainId: filters.domainId,
    from: time("Only events at or after this time,"),
    to: time("Only events at or before this time (inclusive),"),
    cursor: filters.cursor,
    limit: filters.limit,
  },
  outputSchema: {
    events: z
      .array(
        z.object({
          id: z.string().describe("The event's id."),
          at: z.string().describe("When it happened (ISO 8601)."),
          action: z.string().describe('What happened, such as "role.assigned".'),
          actorUserId: z.string().nullable().describe("Who caused it; null for the system."),
          actorEmail: z.string().nullable().describe("That user's email address; null for the system or a deleted user."),
          actorVia: z.enum(ACTOR_VIA).describe('How: "web" (console), "mcp" (these tools), "oauth" or "system".'),
          clientId: z.string().nullable().describe("The OAuth client the call came through, for MCP calls."),
          targetType: z.string().nullable().describe('The kind of object it is about, such as "user" or "client".'),
          targetId: z.string().nullable().describe("The id of that object."),
          domainId: z.string().nullable().describe("The domain it is filed under; null for installation-wide events."),
          domainName: z.string().nullable().describe("That domain's name; null when none or deleted."),
          details: z.record(z.string(), z.unknown()).describe("Facts about the change, such as before and after values."),
        }),
      )
      .describe("One page of events, newest first."),
    nextCursor: nextCursorOutput,
  },
  async run({ from, to, ...input }, { caller }) {
    const page = await caller.audit.list({
      ...input,
      from: from === undefined ? undefined : new Date(from),
      to: to === undefined ? undefined : new Date(to),
    });
    return {
      events: page.items.map((event) => ({
        id: event.id,
        at: iso(event.at),
        action: event.action,
        actorUserId: event.actorUserId,
        actorEmail: event.actorEmail,
        actorVia: event.actorVia,
        clientId: event.clientId,
        targetType: event.targetType,
        targetId: event.targetId,
        domainId: event.domainId,
        domainName: event.domainName,
        details: event.details,
      })),
      nextCursor: page.nextCursor,
    };
  },
});
