import { z } from "zod";
import { idSchema } from "@/server/ids";
import { pageInputFields, sortSchema } from "@/server/paging";
import { AUDIT_RESULTS } from "./outcome";

const auditFilterFields = z.object({
  actorUserId: idSchema("actor user id").optional().describe("Only events caused by this user id."),
  action: z
    .string()
    .trim()
    .min(1, "Enter an action or an action prefix.")
    .max(100, "Use at most 100 characters for the action.")
    .optional()
    .describe('An exact action such as "role.created", or a prefix ending in "." such as "role." for every role event.'),
  targetType: z
    .string()
    .trim()
    .min(1, "Enter a target type.")
    .max(50, "Use at most 50 characters for the target type.")
    .optional()
    .describe('Only events about this kind of object: "user", "role", "domain", "client", "session", "token".'),
  targetId: idSchema("target id").optional().describe("Only events about the object with this id."),
  domainId: idSchema("domain id").optional().describe("Only events in this domain."),
  actor: z
    .string()
    .trim()
    .max(100, "Search for at most 100 characters of the actor's email or name.")
    .optional()
    .describe("Only events caused by users whose email address or name contains this text (case-insensitive)."),
  search: z
    .string()
    .trim()
    .max(100, "Search for at most 100 characters.")
    .optional()
    .describe(
      "Text to find, case-insensitively, in the action, the target's type or id, or the details. The search reads a bounded stretch of the log per page: a page may hold fewer events than asked for, or none, while nextCursor continues further back.",
    ),
  result: z
    .enum(AUDIT_RESULTS, 'Choose "success" or "failure".')
    .optional()
    .describe('Only events that succeeded, or only refusals and failures (failed sign-ins, denied consents, reused tokens, lockouts, MCP calls that failed): "success" or "failure".'),
  clientId: idSchema("client id").optional().describe("Only events that came through this OAuth client (MCP calls and OAuth flows)."),
  from: z.date().optional().describe("Only events at or after this time."),
  to: z.date().optional().describe("Only events at or before this time (inclusive)."),
});

function rangeIsOrdered(filter: { from?: Date; to?: Date }): boolean {
  return !filter.from || !filter.to || filter.from.getTime() <= filter.to.getTime();
}

const RANGE_ORDER_ERROR = {
  message: "The start of the time range (from) must not be after its end (to).",
  path: ["from"],
};

/** The filters shared by the list, the CSV export and the export link. */
export const auditFilterSchema = auditFilterFields.refine(rangeIsOrdered, RANGE_ORDER_ERROR);

export type AuditFilter = z.output<typeof auditFilterSchema>;

/** The audit log sorts by time only: its indexes all end in (at, id), read forwards or backwards. */
export const AUDIT_SORTS = ["at"] as const;

export const auditListInput = auditFilterFields
  .extend({ sort: sortSchema(AUDIT_SORTS, { by: "at", direction: "desc" }), ...pageInputFields("event", "events") })
  .refine(rangeIsOrdered, RANGE_ORDER_ERROR);

export type AuditListInput = z.output<typeof auditListInput>;

export const auditEventIdInput = z.object({ id: idSchema("audit event id").describe("The audit event's id.") });
