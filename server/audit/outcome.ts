import { and, not, or, sql, type SQL } from "drizzle-orm";
import { auditEvent } from "@/db/schema";

/**
 * Whether an audit event records something that succeeded or something refused or gone wrong.
 * Gatehouse records a failure as an action of its own ("auth.sign_in_failed", "oauth.consent_denied",
 * "oauth.refresh_token_reused", "auth.mfa_locked"), except an MCP call, whose one action carries
 * the call's outcome ("ok" or an error code) in its details. One rule, here, serves the filter (in
 * SQL) and each row's `result` (in code), so the two cannot disagree.
 */
export type AuditResult = "success" | "failure";

export const AUDIT_RESULTS = ["success", "failure"] as const satisfies readonly AuditResult[];

/** The endings of every failure action: refused, denied, replayed or reused credentials, lockouts. */
const FAILURE_ENDINGS = ["_failed", "_denied", "_replayed", "_reused", "_locked"] as const;

const MCP_PREFIX = "mcp.";

export function isFailureAction(action: string): boolean {
  return FAILURE_ENDINGS.some((ending) => action.endsWith(ending));
}

/** Actions some of whose events are failures: the failure actions and every MCP call. */
export function mayRecordFailure(action: string): boolean {
  return isFailureAction(action) || action.startsWith(MCP_PREFIX);
}

export function auditResultOf(event: { action: string; details: Record<string, unknown> }): AuditResult {
  if (isFailureAction(event.action)) return "failure";
  if (event.action.startsWith(MCP_PREFIX) && event.details.outcome !== undefined && event.details.outcome !== "ok") return "failure";
  return "success";
}

/** `auditResultOf(row) = result` in SQL. GLOB, unlike LIKE, takes `_` literally. */
export function auditResultCondition(result: AuditResult): SQL {
  const failure = or(
    ...FAILURE_ENDINGS.map((ending) => sql`${auditEvent.action} GLOB ${`*${ending}`}`),
    and(
      sql`${auditEvent.action} GLOB ${`${MCP_PREFIX}*`}`,
      sql`coalesce(json_extract(${auditEvent.details}, '$.outcome'), 'ok') <> 'ok'`,
    ),
  )!;
  return result === "failure" ? failure : not(failure);
}
