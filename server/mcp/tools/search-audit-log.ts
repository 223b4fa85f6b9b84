import { z } from "zod";
import { auditListInput } from "@/server/audit/inputs";
import { defineTool } from "../tool";
import { READ_ANNOTATIONS, auditEventOutput, nextCursorOutput, toAuditEventOutput } from "./shapes";

const filters = auditListInput.shape;

/** The router takes Dates; JSON has none, so the tool takes ISO 8601 text and converts it. */
const time = (meaning: string) =>
  z.iso
    .datetime({ offset: true, error: "Give the time in ISO 8601, such as 2026-11-01T09:00:00Z." })
    .optional()
    .describe(`${meaning} ISO 8601, such as 2026-11-01T09:00:00Z.`);

export const searchAuditLog = defineTool("search_audit_log", {
  annotations: READ_ANNOTATIONS,
  inputSchema: {
    actorUserId: filters.actorUserId,
    actor: filters.actor,
    action: filters.action,
    result: filters.result,
    clientId: filters.clientId,
    search: filters.search,
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
      .array(auditEventOutput)
      .describe("One page of events, newest first."),
    nextCursor: nextCursorOutput,
    searchedTo: z
      .string()
      .optional()
      .describe("With search: the time (ISO 8601) this page searched back to; pass nextCursor to search older events."),
  },
  async run({ from, to, ...input }, { caller }) {
    const page = await caller.audit.list({
      ...input,
      from: from === undefined ? undefined : new Date(from),
      to: to === undefined ? undefined : new Date(to),
    });
    return {
      events: page.items.map(toAuditEventOutput),
      nextCursor: page.nextCursor,
      ...(page.searchedTo ? { searchedTo: page.searchedTo.toISOString() } : {}),
    };
  },
});
