import { completions, defineResource } from "../resource";
import { auditEventOutput, toAuditEventOutput } from "../tools/shapes";

/** Event ids are random; completion offers the newest ones, so only this many recent events are searched. */
const RECENT_EVENTS = 100;

export const auditEventResource = defineResource({
  name: "audit_event",
  title: "An audit event",
  description:
    "One audit event: what happened, who did it and how, what it was about, in which domain, and its details. Readers limited to some domains find only those domains' events. Completion of eventId offers the ids of the newest events you can read that start with what was typed; find older ones with search_audit_log.",
  uriTemplate: "gatehouse://audit/{eventId}",
  scope: "mcp:read",
  permissions: ["audit:read"],
  contents: auditEventOutput,
  read: async (id, { caller }) => toAuditEventOutput(await caller.audit.get({ id })),
  async complete(typed, { caller }) {
    const page = await caller.audit.list({ limit: RECENT_EVENTS });
    return completions(page.items.map((event) => event.id).filter((id) => id.startsWith(typed)));
  },
});
