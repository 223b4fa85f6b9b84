import { and, eq, gte, inArray, isNull, lt, lte, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEvent, user, type ActorVia } from "@/db/schema";
import type { PermissionScope } from "@/server/authz/authority";
import { sortableKeyset, type Page, type Sort } from "@/server/paging";
import type { AUDIT_SORTS, AuditFilter } from "./inputs";
import { auditResultCondition, mayRecordFailure } from "./outcome";

/**
 * How the audit log is read at any size: which index serves a filter in (at, id) order, and the SQL
 * of one keyset page. The list, the CSV export and the plan benchmark all read through here.
 */

/** The sort key of a row: pages continue strictly after the last row shown. */
export interface AuditKey {
  at: number;
  id: string;
}

export type AuditSort = Sort<(typeof AUDIT_SORTS)[number]>;

export const NEWEST_FIRST: AuditSort = { by: "at", direction: "desc" };

// Unqualified names: ORDER BY of the arms' UNION ALL can only name result columns.
const auditOrder = sortableKeyset("audit", { at: { expression: sql.identifier("at"), type: "number" } }, sql.identifier("id"));

/** Where the caller may read audit events: everywhere, or in some domains (then only their events). */
export type AuditScope = PermissionScope;

type AuditIndex =
  | "audit_event_at_idx"
  | "audit_event_actor_idx"
  | "audit_event_action_idx"
  | "audit_event_target_idx"
  | "audit_event_domain_idx"
  | "audit_event_client_idx"
  | "audit_event_domain_action_idx";

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
  /**
   * The free-text search, which no index can serve: it is applied to a bounded window of the rows
   * the rest of the plan reads (SEARCH_WINDOW of them per page), so a search costs the same however
   * rare its text is. Undefined without a search.
   */
  text?: SQL;
}

/** Rows a free-text search reads per page, newest first; the next page continues below them. */
export const SEARCH_WINDOW = 5_000;

/** Beyond this many users whose email or name contains the actor text, they are matched by subquery. */
const MAX_ACTORS = 50;

/** Beyond this many arms a compound query stops paying off; the at index then scans newest first. */
const MAX_ARMS = 50;

/** Distinct actions read to find the failure ones; the log has a few dozen. */
const MAX_DISTINCT_ACTIONS = 1000;

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
export async function distinctValues(
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

function containsText(column: SQL | typeof user.email, needle: string): SQL {
  return sql`instr(lower(${column}), ${needle.toLowerCase()}) > 0`;
}

/** Users whose email or name contains `text`, up to `limit` of them (one scan of user, as users.list searches). */
async function usersMatching(db: Executor, text: string, limit: number): Promise<string[]> {
  const rows = await db
    .select({ id: user.id })
    .from(user)
    .where(sql`${containsText(user.email, text)} or ${containsText(sql`${user.name}`, text)}`)
    .limit(limit);
  return rows.map((row) => row.id);
}

/** The free-text condition: the action, the target's type and id, and the details' JSON text. */
function textCondition(text: string): SQL {
  return containsText(
    sql`${auditEvent.action} || ' ' || coalesce(${auditEvent.targetType}, '') || ' ' || coalesce(${auditEvent.targetId}, '') || ' ' || ${auditEvent.details}`,
    text,
  );
}

/** Picks the most selective index that also yields the order, and the filter's WHERE conditions. */
export async function planAuditQuery(db: Executor, filter: AuditFilter, scope: AuditScope): Promise<AuditQueryPlan> {
  const conditions: SQL[] = [];
  // An empty text is no filter: the console sends what its search box holds.
  const actorText = filter.actor || undefined;
  const searchText = filter.search || undefined;
  const actorIds = actorText === undefined ? undefined : await usersMatching(db, actorText, MAX_ACTORS + 1);
  if (actorIds !== undefined && actorIds.length <= MAX_ACTORS) {
    if (actorIds.length > 0) conditions.push(inArray(auditEvent.actorUserId, actorIds));
  } else if (actorText !== undefined) {
    const matching = db
      .select({ id: user.id })
      .from(user)
      .where(sql`${containsText(user.email, actorText)} or ${containsText(sql`${user.name}`, actorText)}`);
    conditions.push(inArray(auditEvent.actorUserId, matching));
  }
  if (filter.clientId !== undefined) conditions.push(eq(auditEvent.clientId, filter.clientId));
  if (filter.result !== undefined) conditions.push(auditResultCondition(filter.result));
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

  const empty =
    (filter.domainId === undefined && !scope.all && scope.domainIds.length === 0) || (actorIds !== undefined && actorIds.length === 0);
  const text = searchText === undefined ? undefined : textCondition(searchText);
  const plan = (index: AuditIndex, arms: (SQL | undefined)[]): AuditQueryPlan => ({ index, arms, conditions, empty, ...(text ? { text } : {}) });

  if (filter.targetType !== undefined && filter.targetId !== undefined) return plan("audit_event_target_idx", [undefined]);
  if (filter.targetId !== undefined) {
    const types = await distinctValues(db, auditEvent.targetType, { limit: MAX_ARMS });
    if (types.length <= MAX_ARMS) {
      return plan("audit_event_target_idx", [...types.map((type) => eq(auditEvent.targetType, type)), isNull(auditEvent.targetType)]);
    }
  }
  if (filter.actorUserId !== undefined) return plan("audit_event_actor_idx", [undefined]);
  if (actorIds !== undefined && actorIds.length > 0 && actorIds.length <= MAX_ACTORS) {
    return plan("audit_event_actor_idx", actorIds.map((id) => eq(auditEvent.actorUserId, id)));
  }
  // One client's events are a small part of the log (a client that named none, none at all): its
  // own index beats reading a domain or an action and checking each row's client.
  if (filter.clientId !== undefined) return plan("audit_event_client_idx", [undefined]);
  // The domains the reader asked for or is confined to: with them, (domain, action) arms read just
  // those actions in just those domains, where the action index alone would read them everywhere.
  const domains = filter.domainId !== undefined ? [filter.domainId] : scope.all ? undefined : scope.domainIds;
  const inDomains = (actions: string[]) =>
    domains !== undefined && domains.length > 0 && actions.length * domains.length <= MAX_ARMS
      ? plan(
          "audit_event_domain_action_idx",
          domains.flatMap((domainId) => actions.map((action) => and(eq(auditEvent.domainId, domainId), eq(auditEvent.action, action)))),
        )
      : undefined;
  if (filter.action !== undefined && !prefix && domains !== undefined) {
    const perDomain = inDomains([filter.action]);
    if (perDomain) return perDomain;
  }
  if (filter.action !== undefined && !prefix && filter.result === "failure") return plan("audit_event_action_idx", [undefined]);
  if (filter.result === "failure") {
    // Failures are rare and named by their actions: reading just those actions (and the MCP calls)
    // beats reading a whole domain for the few failures in it (measured at 1M events: ~1 ms
    // against ~400 ms).
    const actions = (await distinctValues(db, auditEvent.action, { ...prefix, limit: MAX_DISTINCT_ACTIONS })).filter(mayRecordFailure);
    if (actions.length === 0) return { ...plan("audit_event_at_idx", [undefined]), empty: true };
    const perDomain = inDomains(actions);
    if (perDomain) return perDomain;
    if (actions.length <= MAX_ARMS) return plan("audit_event_action_idx", actions.map((action) => eq(auditEvent.action, action)));
  }
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

/**
 * The SQL of one page: the plan's arms merged in time order (newest first unless told), strictly
 * after `after`, and with a search, not beyond `until` (the last row of the page's search window).
 */
export function auditPageSql(
  plan: AuditQueryPlan,
  after: AuditKey | undefined,
  limit: number,
  direction: AuditSort["direction"] = "desc",
  until?: AuditKey,
): SQL {
  const beyond = direction === "desc" ? sql`<` : sql`>`;
  const within = direction === "desc" ? sql`>=` : sql`<=`;
  const keysetCondition = after ? sql`(${auditEvent.at}, ${auditEvent.id}) ${beyond} (${after.at}, ${after.id})` : undefined;
  const windowCondition = until ? sql`(${auditEvent.at}, ${auditEvent.id}) ${within} (${until.at}, ${until.id})` : undefined;
  const arm = (equality: SQL | undefined) => {
    const where = and(equality, ...plan.conditions, keysetCondition, windowCondition, plan.text);
    return sql`SELECT ${COLUMNS} FROM ${auditEvent} INDEXED BY ${sql.identifier(plan.index)}${where ? sql` WHERE ${where}` : sql``}`;
  };
  const order = direction === "desc" ? sql`DESC` : sql`ASC`;
  return sql`${sql.join(plan.arms.map(arm), sql` UNION ALL `)} ORDER BY ${sql.identifier("at")} ${order}, ${sql.identifier("id")} ${order} LIMIT ${limit}`;
}

/**
 * The last row of a search's window: the SEARCH_WINDOW-th row after `after` that the plan reads
 * without its text condition, and the row after it. With no row after it, the window reaches the
 * end of what the plan reads, and needs no bound.
 */
export function auditWindowEndSql(
  plan: AuditQueryPlan,
  after: AuditKey | undefined,
  direction: AuditSort["direction"] = "desc",
  windowSize = SEARCH_WINDOW,
): SQL {
  const beyond = direction === "desc" ? sql`<` : sql`>`;
  const keysetCondition = after ? sql`(${auditEvent.at}, ${auditEvent.id}) ${beyond} (${after.at}, ${after.id})` : undefined;
  const arm = (equality: SQL | undefined) => {
    const where = and(equality, ...plan.conditions, keysetCondition);
    return sql`SELECT ${auditEvent.at}, ${auditEvent.id} FROM ${auditEvent} INDEXED BY ${sql.identifier(plan.index)}${where ? sql` WHERE ${where}` : sql``}`;
  };
  const order = direction === "desc" ? sql`DESC` : sql`ASC`;
  return sql`${sql.join(plan.arms.map(arm), sql` UNION ALL `)} ORDER BY ${sql.identifier("at")} ${order}, ${sql.identifier("id")} ${order} LIMIT 2 OFFSET ${windowSize - 1}`;
}

/** A page of the log; with a search, how far it looked (`searchedTo`, the window's last row's time). */
export type AuditPage = Page<AuditRow> & { searchedTo?: Date };

/**
 * One page of rows after `cursor` (the nextCursor of the page before), in `sort`'s order. With a
 * search, only the next SEARCH_WINDOW rows are searched: when they hold fewer matches than a page,
 * the page ends there and its cursor continues beyond the window.
 */
export async function readAuditPage(
  db: Executor,
  plan: AuditQueryPlan,
  cursor: string | undefined,
  limit: number,
  sort: AuditSort = NEWEST_FIRST,
  windowSize = SEARCH_WINDOW,
): Promise<AuditPage> {
  const key = auditOrder.after(sort, cursor);
  if (plan.empty) return { items: [], nextCursor: null };
  const after = key === undefined ? undefined : { at: key.value as number, id: key.id };
  const windowEnd = plan.text ? await db.all<{ at: number; id: string }>(auditWindowEndSql(plan, after, sort.direction, windowSize)) : [];
  const until = windowEnd.length === 2 ? windowEnd[0] : undefined;
  const raw = await db.all<RawAuditRow>(auditPageSql(plan, after, limit + 1, sort.direction, until));
  const page = auditOrder.page(raw.map(toAuditRow), limit, sort, (row) => ({ value: row.at.getTime(), id: row.id }));
  if (!plan.text) return page;
  if (!until || page.nextCursor !== null) return { ...page, ...(until ? { searchedTo: new Date(until.at) } : {}) };
  // The window held no more matches: the next page searches the rows beyond it.
  return { items: page.items, nextCursor: auditOrder.cursorAt(sort, { value: until.at, id: until.id }), searchedTo: new Date(until.at) };
}

/** One event by id, whatever its domain; the caller decides whether the reader may see it. */
export async function readAuditEvent(db: Executor, id: string): Promise<AuditRow | undefined> {
  const [raw] = await db.all<RawAuditRow>(sql`SELECT ${COLUMNS} FROM ${auditEvent} WHERE ${auditEvent.id} = ${id}`);
  return raw ? toAuditRow(raw) : undefined;
}
