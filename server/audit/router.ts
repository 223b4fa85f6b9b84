import { router } from "@/server/trpc/init";
import { permissionProcedure, rowProcedure } from "@/server/trpc/procedures";
import { auditExportLink } from "./export";
import { auditEventIdInput, auditFilterSchema, auditListInput } from "./inputs";
import { readAuditEvent } from "./plan";
import { AUDIT_EVENT_NOT_FOUND, auditDomainOptions, auditEventItem, distinctAuditActions, listAuditEvents } from "./queries";

/**
 * Read-only by design: the audit log is append-only, so there is no update or delete here, and no
 * row the console acts on (every query declares `can: false`).
 */
export const auditRouter = router({
  list: permissionProcedure("audit:read")
    .meta({
      page: { href: "/audit", label: "Audit" },
      description:
        "Lists audit events newest first (or oldest first by sort), filtered by actor (id, or text in their email or name), action or action prefix (\"role.\"), result (success or failure), target, domain, client, free text and time range, one keyset page at a time; readers scoped to some domains see only those domains' events.",
      can: false,
    })
    .input(auditListInput)
    .query(({ ctx, input }) => listAuditEvents(ctx.db, ctx.authority, input)),

  get: rowProcedure({
    permission: "audit:read",
    visibleWith: "audit:read",
    input: auditEventIdInput,
    load: (db, input) => readAuditEvent(db, input.id),
    notFound: AUDIT_EVENT_NOT_FOUND,
  })
    .meta({
      description:
        "Shows one audit event in full by its id, with the names of its actor, target, client and domain for links to them; readers scoped to some domains find only those domains' events.",
      can: false,
    })
    .query(({ ctx }) => auditEventItem(ctx.db, ctx.row)),

  actions: permissionProcedure("audit:read")
    .meta({ description: "Lists every distinct action name in the audit log, for the action filter.", can: false })
    .query(({ ctx }) => distinctAuditActions(ctx.db)),

  domains: permissionProcedure("audit:read")
    .meta({
      description:
        "Lists the domains the caller may filter the audit log on (their events readable and their names visible to the caller), by slug, for the domain filter.",
      can: false,
    })
    .query(({ ctx }) => auditDomainOptions(ctx.db, ctx.authority)),

  export: permissionProcedure("audit:read")
    .meta({
      description:
        "Gives the URL that downloads the audit events matching the same filters as list as a CSV file; the download checks the caller's session and scope itself.",
      can: false,
    })
    .input(auditFilterSchema)
    .query(({ ctx, input }) => auditExportLink(ctx.authority, String(ctx.auth.options.baseURL), input)),
});
