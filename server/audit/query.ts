import { and, eq, gte, inArray, isNull, lt, lte, sql, type SQL } from "drizzle-orm";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { auditEvent, domain, user, type ActorVia } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import { cursorInputSchema, decodeCursor, encodeCursor } from "@/server/paging";

const idSchema = z.string().min(1).max(100);

const auditFilterFields = z.object({
  actorUserId: idSchema.optional().describe("Only events caused by this user id."),
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
  targetId: idSchema.optional().describe("Only events about the object with this id."),
  domainId: idSchema.optional().describe("Only events in this domain."),
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

const AUDIT_LIST_MAX_LIMIT = 100;

export const auditListInputSchema = auditFilterFields
  .extend({
    cursor: cursorInputSchema,
    limit: z
      .number()
      .int()
      .min(1, "Ask for at least 1 event.")
      .max(AUDIT_LIST_MAX_LIMIT, `Ask for at most ${AUDIT_LIST_MAX_LIMIT} events a page.`)
      .default(50)
      .describe("Events per page, 1 to 100."),
  })
  .refine(rangeIsOrdered, RANGE_ORDER_ERROR);

/** The sort key of a row: pages continue strictly after the last row shown. */
export interface AuditKey {
  at: number;
  id: string;
}

const auditCursor = z.object({ at: z.number().int().nonnegative(), id: idSchema });

/** Where the caller may read audit events: everywhere, or in some domains (then only their events). */
export type AuditScope = PermissionScope;

/**
 * The caller's audit:read scope. A domain filter outside it is NOT_FOUND, like any row in another
 * tenant. A global reader may filter on any id, since history outlives deleted domains.
 */
export function auditScopeFor(authority: Authority, domainId: string | undefined): AuditScope {
  if (domainId !== undefined) {
    authorizeIn(authority, { permission: "audit:read", domainId, visibleWith: "audit:read", notFound: "Domain not found." });
  }
  return authority.scopeOf("audit:read");
}

type AuditIndex =
  | "audit_event_at_idx"
  | "audit_event_actor_idx"
  | "audit_event_action_idx"
  | "audit_event_target_idx"
  | "audit_event_domain_idx";

/**
 * How to read one filter combination newest first without sorting: every arm fixes the leading
 * column(s) of `index` by equality, so the index's trailing (at, id) gives each arm's order, and
 * SQLite merges the arms' ordered streams (MERGE UNION ALL) instead of sorting. An undefined arm adds
 * nothing to `conditions`, which hold the whole filter and apply to every arm.
 */
export interface AuditQueryPlan {
  index: AuditIndex;
  arms: (SQL | undefined)[];
  conditions: SQL[];
  /** Known to match nothing: a reader without any domain in scope, or a prefix no action has. */
  empty: boolean;
}

/** Beyond this many arms a compound query stops paying off; the at index then scans newest first. */
const MAX_ARMS = 50;

function actionPrefixRange(action: string): { lower: string; upper: string } | undefined {
  if (!action.endsWith(".")) return undefined;
  // '/' is the character after '.', so [prefix, prefix with '/') is exactly what starts with the prefix.
  return { lower: action, upper: `${action.slice(0, -1)}/` };
}

/**
 * The distinct values of an indexed column (optionally within [lower, upper), and optionally among
 * rows matching an equality on the index's leading column), one index seek each rather than a scan
 * of every row: a loose index scan written as a recursive CTE.
 */
async function distinctValues(
  db: Executor,
  column: typeof auditEvent.action | typeof auditEvent.targetType | typeof auditEvent.targetId,
  options: { lower?: string; upper?: string; within?: SQL; limit: number },
): Promise<string[]> {
  const below = options.upper === undefined ? undefined : sql`${column} < ${options.upper}`;
  const first = options.lower === undefined ? sql`${column} IS NOT NULL` : sql`${column} >= ${options.lower}`;
  const rows = await db.all<{ value: string | null }>(sql`
    WITH RECURSIVE matching(value) AS (
      SELECT min(${column}) FROM ${auditEvent} WHERE ${and(options.within, first, below)}
      UNION ALL
      SELECT (SELECT min(${column}) FROM ${auditEvent} WHERE ${and(options.within, sql`${column} > matching.value`, below)})
      FROM matching WHERE matching.value IS NOT NULL
      LIMIT ${options.limit + 1}
    )
    SELECT value FROM matching WHERE value IS NOT NULL`);
  return rows.map((row) => row.value).filter((value): value is string => value !== null);
}

const MAX_ACTIONS = 1000;

/** Every action name in the log (the first thousand), alphabetically; cheap at any size. */
export async function distinctAuditActions(db: Executor): Promise<string[]> {
  return (await distinctValues(db, auditEvent.action, { limit: MAX_ACTIONS })).slice(0, MAX_ACTIONS);
}

/** Picks the most selective index that also yields the order, and the filter's WHERE conditions. */
export async function planAuditQuery(db: Executor, filter: AuditFilter, scope: AuditScope): Promise<AuditQueryPlan> {
  const conditions: SQL[] = [];
  const prefix = filter.action === undefined ? undefined : actionPrefixRange(filter.action);
  if (filter.actorUserId !== undefined) conditions.push(eq(auditEvent.actorUserId, filter.actorUserId));
  if (prefix) conditions.push(gte(auditEvent.action, prefix.lower), lt(auditEvent.action, prefix.upper));
  else if (filter.action !== undefined) conditions.push(eq(auditEvent.action, filter.action));
  if (filter.targetType !== undefined) conditions.push(eq(auditEvent.targetType, filter.targetType));
  if (filter.targetId !== undefined) conditions.push(eq(auditEvent.targetId, filter.targetId));
  if (filter.domainId !== undefined) conditions.push(eq(auditEvent.domainId, filter.domainId));
  else if (!scope.all && scope.domainIds.length > 0) conditions.push(inArray(auditEvent.domainId, scope.domainIds));
  if (filter.from !== undefined) conditions.push(gte(auditEvent.at, filter.from));
  if (filter.to !== undefined) conditions.push(lte(auditEvent.at, filter.to));

  const empty = filter.domainId === undefined && !scope.all && scope.domainIds.length === 0;
  const plan = (index: AuditIndex, arms: (SQL | undefined)[]): AuditQueryPlan => ({ index, arms, conditions, empty });

  if (filter.targetType !== undefined && filter.targetId !== undefined) return plan("audit_event_target_idx", [undefined]);
  if (filter.targetId !== undefined) {
    const types = await distinctValues(db, auditEvent.targetType, { limit: MAX_ARMS });
    if (types.length <= MAX_ARMS) {
      return plan("audit_event_target_idx", [...types.map((type) => eq(auditEvent.targetType, type)), isNull(auditEvent.targetType)]);
    }
  }
  if (filter.actorUserId !== undefined) return plan("audit_event_actor_idx", [undefined]);
  if (filter.domainId !== undefined) return plan("audit_event_domain_idx", [undefined]);
  if (filter.action !== undefined && !prefix) return plan("audit_event_action_idx", [undefined]);
  if (filter.targetType !== undefined) {
    // Types with few objects (roles, domains, clients) are read per object; "user" has too many.
    const targetType = eq(auditEvent.targetType, filter.targetType);
    const ids = await distinctValues(db, auditEvent.targetId, { within: targetType, limit: MAX_ARMS });
    if (ids.length <= MAX_ARMS) {
      const withoutId = and(targetType, isNull(auditEvent.targetId));
      return plan("audit_event_target_idx", [...ids.map((id) => and(targetType, eq(auditEvent.targetId, id))), withoutId]);
    }
  }
  if (!scope.all && scope.domainIds.length > 0 && scope.domainIds.length <= MAX_ARMS) {
    return plan("audit_event_domain_idx", scope.domainIds.map((domainId) => eq(auditEvent.domainId, domainId)));
  }
  if (prefix) {
    const actions = await distinctValues(db, auditEvent.action, { ...prefix, limit: MAX_ARMS });
    if (actions.length === 0) return { ...plan("audit_event_at_idx", [undefined]), empty: true };
    if (actions.length <= MAX_ARMS) return plan("audit_event_action_idx", actions.map((action) => eq(auditEvent.action, action)));
  }
  return plan("audit_event_at_idx", [undefined]);
}

const COLUMNS = sql.join(
  [
    auditEvent.id,
    auditEvent.at,
    auditEvent.actorUserId,
    auditEvent.actorVia,
    auditEvent.clientId,
    auditEvent.action,
    auditEvent.targetType,
    auditEvent.targetId,
    auditEvent.domainId,
    auditEvent.ip,
    auditEvent.userAgent,
    auditEvent.details,
  ],
  sql`, `,
);

interface RawAuditRow {
  id: string;
  at: number;
  actor_user_id: string | null;
  actor_via: ActorVia;
  client_id: string | null;
  action: string;
  target_type: string | null;
  target_id: string | null;
  domain_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string;
}

export interface AuditRow {
  id: string;
  at: Date;
  actorUserId: string | null;
  actorVia: ActorVia;
  clientId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  domainId: string | null;
  ip: string | null;
  userAgent: string | null;
  details: Record<string, unknown>;
}

function parseDetails(text: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(text);
    if (value && typeof value === "object" && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // Only a hand-edited row gets here; showing its raw text beats failing the whole page.
  }
  return { unparsed: text };
}

function toAuditRow(raw: RawAuditRow): AuditRow {
  return {
    id: raw.id,
    at: new Date(raw.at),
    actorUserId: raw.actor_user_id,
    actorVia: raw.actor_via,
    clientId: raw.client_id,
    action: raw.action,
    targetType: raw.target_type,
    targetId: raw.target_id,
    domainId: raw.domain_id,
    ip: raw.ip,
    userAgent: raw.user_agent,
    details: parseDetails(raw.details),
  };
}

/** The SQL of one page: the plan's arms merged newest first, strictly after `after`. */
export function auditPageSql(plan: AuditQueryPlan, after: AuditKey | undefined, limit: number): SQL {
  const keyset = after ? sql`(${auditEvent.at}, ${auditEvent.id}) < (${after.at}, ${after.id})` : undefined;
  const arm = (equality: SQL | undefined) => {
    const where = and(equality, ...plan.conditions, keyset);
    return sql`SELECT ${COLUMNS} FROM ${auditEvent} INDEXED BY ${sql.identifier(plan.index)}${where ? sql` WHERE ${where}` : sql``}`;
  };
  return sql`${sql.join(plan.arms.map(arm), sql` UNION ALL `)} ORDER BY ${sql.identifier("at")} DESC, ${sql.identifier("id")} DESC LIMIT ${limit}`;
}

/** One page of rows and the key to continue after, or null on the last page. */
export async function readAuditPage(
  db: Executor,
  plan: AuditQueryPlan,
  after: AuditKey | undefined,
  limit: number,
): Promise<{ rows: AuditRow[]; next: AuditKey | null }> {
  if (plan.empty) return { rows: [], next: null };
  const raw = await db.all<RawAuditRow>(auditPageSql(plan, after, limit + 1));
  const rows = raw.slice(0, limit).map(toAuditRow);
  const last = rows[rows.length - 1];
  return { rows, next: raw.length > limit && last ? { at: last.at.getTime(), id: last.id } : null };
}

export interface AuditListItem extends AuditRow {
  actorEmail: string | null;
  actorName: string | null;
  domainName: string | null;
}

/** Actor and domain names for a page, one query each; deleted users and domains give null. */
export async function withNames(db: Executor, rows: AuditRow[]): Promise<AuditListItem[]> {
  const actorIds = [...new Set(rows.flatMap((row) => (row.actorUserId ? [row.actorUserId] : [])))];
  const domainIds = [...new Set(rows.flatMap((row) => (row.domainId ? [row.domainId] : [])))];
  const actors =
    actorIds.length > 0
      ? await db.select({ id: user.id, email: user.email, name: user.name }).from(user).where(inArray(user.id, actorIds))
      : [];
  const domains =
    domainIds.length > 0
      ? await db.select({ id: domain.id, name: domain.name }).from(domain).where(inArray(domain.id, domainIds))
      : [];
  const actorById = new Map(actors.map((actor) => [actor.id, actor]));
  const domainNameById = new Map(domains.map((row) => [row.id, row.name]));
  return rows.map((row) => {
    const actor = row.actorUserId ? actorById.get(row.actorUserId) : undefined;
    return {
      ...row,
      actorEmail: actor?.email ?? null,
      actorName: actor?.name ?? null,
      domainName: row.domainId ? (domainNameById.get(row.domainId) ?? null) : null,
    };
  });
}

export const auditEventIdInput = z.object({ id: idSchema.describe("The audit event's id.") });

const AUDIT_EVENT_NOT_FOUND = "Audit event not found.";

/**
 * One event as the log shows it. Like the list, a reader limited to some domains sees only those
 * domains' events: anything else, installation-wide events included, is not found.
 */
export async function getAuditEvent(db: Executor, authority: Authority, id: string): Promise<AuditListItem> {
  const [raw] = await db.all<RawAuditRow>(sql`SELECT ${COLUMNS} FROM ${auditEvent} WHERE ${auditEvent.id} = ${id}`);
  if (!raw) throw new TRPCError({ code: "NOT_FOUND", message: AUDIT_EVENT_NOT_FOUND });
  authorizeIn(authority, { permission: "audit:read", domainId: raw.domain_id, visibleWith: "audit:read", notFound: AUDIT_EVENT_NOT_FOUND });
  const [item] = await withNames(db, [toAuditRow(raw)]);
  return item!;
}

/** A page of the audit log as the console and the MCP tools show it. */
export async function listAuditEvents(
  db: Executor,
  authority: Authority,
  input: z.output<typeof auditListInputSchema>,
): Promise<{ items: AuditListItem[]; nextCursor: string | null }> {
  const { cursor, limit, ...filter } = input;
  const after = cursor === undefined ? undefined : decodeCursor(cursor, auditCursor);
  const scope = auditScopeFor(authority, filter.domainId);
  const plan = await planAuditQuery(db, filter, scope);
  const { rows, next } = await readAuditPage(db, plan, after, limit);
  return { items: await withNames(db, rows), nextCursor: next ? encodeCursor({ at: next.at, id: next.id }) : null };
}
