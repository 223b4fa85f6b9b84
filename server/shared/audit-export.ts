/**
 * The audit CSV download's address and query string, in the names and formats its route reads back.
 * Shared by the server (the link audit.export gives) and the console (its Export CSV link).
 */

const AUDIT_EXPORT_PATH = "/api/audit/export";

export const AUDIT_FILTER_KEYS = [
  "actorUserId",
  "actor",
  "action",
  "result",
  "targetType",
  "targetId",
  "domainId",
  "clientId",
  "search",
  "from",
  "to",
] as const;
export type AuditFilterKey = (typeof AUDIT_FILTER_KEYS)[number];

type AuditExportFilter = Partial<Record<AuditFilterKey, string | Date | undefined>>;

/** A filter as the export's query parameters: instants in ISO 8601, absent filters left out. */
export function auditExportParams(filter: AuditExportFilter): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of AUDIT_FILTER_KEYS) {
    const value = filter[key];
    if (value instanceof Date) params.set(key, value.toISOString());
    else if (value !== undefined) params.set(key, value);
  }
  return params;
}

/** The download's path and query, relative to the origin that serves it. */
export function auditExportPath(filter: AuditExportFilter): string {
  const query = auditExportParams(filter).toString();
  return query ? `${AUDIT_EXPORT_PATH}?${query}` : AUDIT_EXPORT_PATH;
}
