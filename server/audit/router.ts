import {
  auditEventIdInput,
  auditFilterSchema,
  auditListInputSchema,
  auditScopeFor,
  distinctAuditActions,
  getAuditEvent,
  listAuditEvents,
} from "@/server/audit/query";
import { auditExportUrl } from "@/server/audit/export";
import { router } from "@/server/trpc/init";
import { permissionProcedure } from "@/server/trpc/procedures";

/** Read-only by design: the audit log is append-only, so there is no update or delete here. */
export const auditRouter = router({
  list: permissionProcedure("audit:read")
    .meta({
      description:
        "Lists audit events newest first, filtered by actor, action or action prefix (\"role.\"), target, domain and time range, one keyset page at a time; readers scoped to some domains see only those domains' events.",
    })
    .input(auditListInputSchema)
    .query(({ ctx, input }) => listAuditEvents(ctx.db, ctx.authority, input)),

  get: permissionProcedure("audit:read")
    .meta({
      description:
        "Shows one audit event by its id, with the actor's email and the domain's name; readers scoped to some domains find only those domains' events.",
    })
    .input(auditEventIdInput)
    .query(({ ctx, input }) => getAuditEvent(ctx.db, ctx.authority, input.id)),

  actions: permissionProcedure("audit:read")
    .meta({ description: "Lists every distinct action name in the audit log, for the action filter." })
    .query(({ ctx }) => distinctAuditActions(ctx.db)),

  export: permissionProcedure("audit:read")
    .meta({
      description:
        "Gives the URL that downloads the audit events matching the same filters as list as a CSV file; the download checks the caller's session and scope itself.",
    })
    .input(auditFilterSchema)
    .query(({ ctx, input }) => {
      auditScopeFor(ctx.authority, input.domainId);
      return { url: auditExportUrl(String(ctx.auth.options.baseURL), input) };
    }),
});
