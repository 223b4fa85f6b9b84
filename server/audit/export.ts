import { TRPCError } from "@trpc/server";
import { getHTTPStatusCodeFromError } from "@trpc/server/http";
import type { Database } from "@/db/client";
import type { Auth } from "@/server/auth/auth";
import { requireRouteSession } from "@/server/auth/route-session";
import { loadAuthority, type Authority } from "@/server/authz/authority";
import { AUDIT_FILTER_KEYS, auditExportParams, auditExportPath, type AuditFilterKey } from "@/server/shared/audit-export";
import { csvLine } from "./csv";
import { auditFilterSchema, type AuditFilter } from "./inputs";
import { planAuditQuery, readAuditPage, type AuditQueryPlan } from "./plan";
import { auditScopeFor, withNames, type AuditListItem } from "./queries";
import { recordEvent, requestOrigin } from "./record";

export const AUDIT_CSV_COLUMNS = [
  "at",
  "actor_email",
  "actor_user_id",
  "actor_via",
  "client_id",
  "action",
  "target_type",
  "target_id",
  "domain",
  "ip",
  "user_agent",
  "details",
] as const;

/** Rows read per query while streaming: big enough to be quick, small enough to keep memory flat. */
const EXPORT_PAGE_SIZE = 1000;

function isFilterKey(key: string): key is AuditFilterKey {
  // `satisfies`: the route reads the list's own filters, so a key the list lacks fails the type check.
  return ((AUDIT_FILTER_KEYS satisfies readonly (keyof AuditFilter)[]) as readonly string[]).includes(key);
}

/**
 * What audit.export answers: the download link for a filter, once the caller may read the log in
 * the domain it names (the route checks again when the link is followed).
 */
export function auditExportLink(authority: Authority, publicUrl: string, filter: AuditFilter): { url: string } {
  auditScopeFor(authority, filter.domainId);
  return { url: `${publicUrl}${auditExportPath(filter)}` };
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const DAY_MS = 24 * 60 * 60 * 1000;

function badRequest(message: string): TRPCError {
  return new TRPCError({ code: "BAD_REQUEST", message });
}

/** JavaScript rolls 2026-02-31 over into March; a calendar date must exist as written. */
function isCalendarDate(value: string): boolean {
  const [year, month, day] = value.slice(0, 10).split("-").map(Number) as [number, number, number];
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** A date alone means that whole day in UTC: from its first millisecond, or to its last. */
function parseInstant(key: "from" | "to", value: string): Date {
  const date = new Date(value);
  if ((!DATE_ONLY.test(value) && !DATE_TIME.test(value)) || !isCalendarDate(value) || Number.isNaN(date.getTime())) {
    throw badRequest(`"${key}" must be an ISO 8601 date such as 2026-01-31 or a date-time with a zone such as 2026-01-31T12:00:00Z.`);
  }
  return key === "to" && DATE_ONLY.test(value) ? new Date(date.getTime() + DAY_MS - 1) : date;
}

/** Query parameters to a filter, with the same rules as the list; empty parameters count as absent. */
function parseExportParams(params: URLSearchParams): AuditFilter {
  const raw: Partial<Record<AuditFilterKey, string | Date>> = {};
  for (const [key, value] of params) {
    if (!isFilterKey(key)) {
      throw badRequest(`Unknown parameter "${key}". The export accepts ${AUDIT_FILTER_KEYS.join(", ")}.`);
    }
    if (params.getAll(key).length > 1) throw badRequest(`Give "${key}" only once.`);
    if (value === "") continue;
    raw[key] = key === "from" || key === "to" ? parseInstant(key, value) : value;
  }
  const parsed = auditFilterSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `"${issue.path.join(".")}": ` : "";
    throw badRequest(`${where}${issue?.message ?? "The filters are not valid."}`);
  }
  return parsed.data;
}

function compactInstant(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z").replace(/[-:]/g, "");
}

function exportFileName(filter: AuditFilter, now: Date): string {
  const from = filter.from ? compactInstant(filter.from) : "beginning";
  return `gatehouse-audit-${from}-${compactInstant(filter.to ?? now)}.csv`;
}

function csvValues(item: AuditListItem): (string | null)[] {
  return [
    item.at.toISOString(),
    item.actorEmail,
    item.actorUserId,
    item.actorVia,
    item.clientId,
    item.action,
    item.targetType,
    item.targetId,
    // A deleted domain's events still say which domain they were in.
    item.domainName ?? item.domainId,
    item.ip,
    item.userAgent,
    JSON.stringify(item.details),
  ];
}

/**
 * The CSV as a pull stream: each read fetches the next keyset page, so memory stays at one page
 * however large the log, and a slow client slows the reads rather than filling a buffer.
 */
function auditCsvStream(db: Database, plan: AuditQueryPlan, pageSize = EXPORT_PAGE_SIZE): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let header: string | undefined = csvLine(AUDIT_CSV_COLUMNS);
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const page = await readAuditPage(db, plan, cursor, pageSize);
          const items = await withNames(db, page.items);
          controller.enqueue(encoder.encode((header ?? "") + items.map((item) => csvLine(csvValues(item))).join("")));
          header = undefined;
          if (page.nextCursor) cursor = page.nextCursor;
          else controller.close();
        } catch (error) {
          console.error("The audit export failed while streaming:", error);
          controller.error(error);
        }
      },
    },
    // Nothing is read ahead of the consumer.
    { highWaterMark: 0 },
  );
}

function jsonError(status: number, code: string, message: string): Response {
  return Response.json({ error: { code, message } }, { status, headers: { "Cache-Control": "no-store" } });
}

export interface ExportDependencies {
  db: Database;
  auth: Auth;
  request: Request;
  pageSize?: number;
  now?: Date;
}

/**
 * GET /api/audit/export: the route checks the session (and the MFA gate) and audit:read itself (it
 * is not a tRPC call), applies the same scope as audit.list, records who exported what, and streams the CSV.
 */
export async function exportAuditCsv({ db, auth, request, pageSize, now = new Date() }: ExportDependencies): Promise<Response> {
  try {
    const signedIn = await requireRouteSession({ db, auth }, request);
    if (!signedIn.ok) return signedIn.response;
    const { session } = signedIn;
    const authority = await loadAuthority(db, session.user.id);
    if (!authority.hasAnywhere("audit:read")) return jsonError(403, "FORBIDDEN", "You need the audit:read permission.");

    const filter = parseExportParams(new URL(request.url).searchParams);
    const scope = auditScopeFor(authority, filter.domainId);
    const plan = await planAuditQuery(db, filter, scope);
    await db.transaction(async (tx) => {
      await recordEvent(
        tx,
        { userId: session.user.id, via: "web", clientId: null, ...requestOrigin(request.headers) },
        {
          action: "audit.exported",
          domainId: filter.domainId ?? null,
          details: { filters: Object.fromEntries(auditExportParams(filter)) },
        },
        now,
      );
    });
    return new Response(auditCsvStream(db, plan, pageSize), {
      status: 200,
      headers: {
        "Content-Type": "text/csv; charset=utf-8",
        "Content-Disposition": `attachment; filename="${exportFileName(filter, now)}"`,
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
      },
    });
  } catch (error) {
    if (error instanceof TRPCError && error.code !== "INTERNAL_SERVER_ERROR") {
      return jsonError(getHTTPStatusCodeFromError(error), error.code, error.message);
    }
    console.error("The audit export failed:", error);
    return jsonError(500, "INTERNAL_SERVER_ERROR", "Something went wrong on our side. The error has been logged.");
  }
}
