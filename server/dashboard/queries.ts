import { and, count, desc, eq, gte, inArray, sql, type SQL } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEvent, auditHourlyCount, clientRegistration, oauthClient, session } from "@/db/schema";
import type { PermissionScope } from "@/server/authz/authority";
import { COUNTED_ACTIONS, HOUR_MS, type CountedSeries, type Outcome } from "@/server/audit/hourly-counts";
import { readAuditPage, type AuditQueryPlan } from "@/server/audit/plan";
import { withNames, type AuditListItem } from "@/server/audit/queries";
import { liveGrantPairs } from "@/server/grants/queries";
import { grantInScope } from "@/server/grants/reach";
import { mfaRequiredUserIds } from "@/server/users/mfa";
import { assignmentInScope } from "@/server/users/visibility";
import type { DashboardRange } from "./inputs";

/*
 * The console's home page, for the caller's scope. Each section reads with the permission of the
 * console section it summarises (audit:read, tokens:read, users:read, clients:read) and shows what
 * that permission reaches: everything for a global holder, only their domains' share otherwise.
 * Every query is bounded by an index at 100k users and 1M audit events (see dashboard.test.ts).
 */

const DAY_MS = 24 * HOUR_MS;

const RANGES: Record<DashboardRange, { bucketMs: number; buckets: number }> = {
  "24h": { bucketMs: HOUR_MS, buckets: 24 },
  "7d": { bucketMs: DAY_MS, buckets: 7 },
  "30d": { bucketMs: DAY_MS, buckets: 30 },
};

/** The buckets of a range, oldest first, the last one the (partial) current hour or UTC day. */
export function bucketStarts(range: DashboardRange, now: Date): number[] {
  const { bucketMs, buckets } = RANGES[range];
  const current = Math.floor(now.getTime() / bucketMs) * bucketMs;
  return Array.from({ length: buckets }, (_, index) => current - (buckets - 1 - index) * bucketMs);
}

export interface ActivityPoint {
  /** The start of the bucket (an hour, or a UTC day). */
  start: Date;
  signIns: number;
  signInFailures: number;
  mcpCalls: number;
  mcpFailures: number;
}

export interface Activity {
  range: DashboardRange;
  bucket: "hour" | "day";
  points: ActivityPoint[];
  totals: Omit<ActivityPoint, "start">;
}

const SERIES_FIELDS: Record<CountedSeries, Record<Outcome, keyof Omit<ActivityPoint, "start">>> = {
  signIns: { success: "signIns", failure: "signInFailures" },
  mcpCalls: { success: "mcpCalls", failure: "mcpFailures" },
};

const SERIES_OF_ACTION = new Map<string, CountedSeries>(
  Object.entries(COUNTED_ACTIONS).flatMap(([series, actions]) => actions.map((action) => [action, series as CountedSeries])),
);

/** The hourly counts a scope may read: all of them, or those filed under its domains. */
function countsInScope(scope: PermissionScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  return inArray(auditHourlyCount.domainId, scope.domainIds);
}

/** The sums behind `activity`, by bucket (0 the oldest), action and outcome; exposed for its query plan. */
export function activityQuery(db: Executor, scope: PermissionScope, range: DashboardRange, now = new Date()) {
  const { bucketMs } = RANGES[range];
  const first = bucketStarts(range, now)[0]!;
  return db
    .select({
      // Bound numbers arrive as reals: the cast makes the division whole.
      bucket: sql<number>`cast((${auditHourlyCount.hour} - ${first}) / ${bucketMs} as integer)`,
      action: auditHourlyCount.action,
      outcome: auditHourlyCount.outcome,
      total: sql<number>`sum(${auditHourlyCount.count})`,
    })
    .from(auditHourlyCount)
    .where(and(inArray(auditHourlyCount.action, [...SERIES_OF_ACTION.keys()]), sql`${auditHourlyCount.hour} >= ${first}`, countsInScope(scope)))
    .groupBy(sql`1`, auditHourlyCount.action, auditHourlyCount.outcome);
}

/**
 * Sign-ins and MCP calls, each by outcome, in zero-filled buckets over the range: sums of the hourly
 * counts recordEvent keeps, so a 30-day series reads at most 720 hours per action and domain
 * whatever the size of the audit log.
 */
export async function activity(db: Executor, scope: PermissionScope, range: DashboardRange, now = new Date()): Promise<Activity> {
  const { bucketMs } = RANGES[range];
  const starts = bucketStarts(range, now);
  const rows = await activityQuery(db, scope, range, now);
  const zero = () => ({ signIns: 0, signInFailures: 0, mcpCalls: 0, mcpFailures: 0 });
  const points: ActivityPoint[] = starts.map((start) => ({ start: new Date(start), ...zero() }));
  const totals = zero();
  for (const row of rows) {
    const point = points[row.bucket];
    const series = SERIES_OF_ACTION.get(row.action);
    // Counts stamped in the future (a clock set forward) fall outside every bucket.
    if (!point || !series) continue;
    const field = SERIES_FIELDS[series][row.outcome];
    point[field] += row.total;
    totals[field] += row.total;
  }
  return { range, bucket: bucketMs === HOUR_MS ? "hour" : "day", points, totals };
}

/** Users (in `scope`) holding a role assignment there; `userId` is the outer query's user id column. */
function userInScope(scope: PermissionScope, userId: SQL): SQL | undefined {
  if (scope.all) return undefined;
  return sql`exists (select 1 from role_assignment where role_assignment.user_id = ${userId} and ${assignmentInScope(scope)})`;
}

/** Unexpired browser sessions of the users in the caller's tokens:read scope. */
export async function activeSessionCount(db: Executor, scope: PermissionScope, now = new Date()): Promise<number> {
  // A scoped reader's sessions are found from the scope's members (role_assignment_domain_idx, then
  // session_userId_idx), not by testing every session's user: a small domain costs a few lookups.
  const members = scope.all
    ? undefined
    : sql`${session.userId} in (select distinct role_assignment.user_id from role_assignment where ${assignmentInScope(scope)})`;
  const [row] = await db
    .select({ total: count() })
    .from(session)
    .where(and(sql`${session.expiresAt} > ${now.getTime()}`, members));
  return row?.total ?? 0;
}

export interface ClientGrants {
  clientId: string;
  clientName: string;
  /** People holding a live grant to the client (a consent, a refresh token or an access token). */
  users: number;
}

/**
 * The clients most people hold a live grant to, within the caller's tokens:read scope: the grants
 * the Sessions page lists (grants.list), counted per client.
 */
export async function grantsByClient(
  db: Executor,
  scope: PermissionScope,
  limit: number,
  now = new Date(),
): Promise<{ items: ClientGrants[]; totalGrants: number }> {
  const nowMs = now.getTime();
  const rows = await db.all<{ client_id: string; client_name: string | null; users: number }>(sql`
    with pairs as (${liveGrantPairs(nowMs)})
    select g.client_id, c.name as client_name, count(*) as users
    from pairs g
    join ${oauthClient} c on c.client_id = g.client_id
    left join ${clientRegistration} reg on reg.client_id = g.client_id
    where ${grantInScope(scope)}
    group by g.client_id
    order by users desc, g.client_id
  `);
  return {
    items: rows.slice(0, limit).map((row) => ({ clientId: row.client_id, clientName: row.client_name ?? row.client_id, users: row.users })),
    totalGrants: rows.reduce((sum, row) => sum + row.users, 0),
  };
}

export interface MfaCoverage {
  /** Users in scope whose roles or domains require a second factor. */
  required: number;
  enrolled: number;
  missing: number;
}

/**
 * Of the users in the caller's users:read scope who must have a second factor (a role that requires
 * one, or a domain whose policy does), how many have one. `missing` is what users.list with
 * `mfa: "missing"` lists.
 */
export async function mfaCoverage(db: Executor, scope: PermissionScope): Promise<MfaCoverage> {
  const [row] = await db.all<{ required: number; enrolled: number | null }>(sql`
    with required(user_id) as (${mfaRequiredUserIds})
    select
      count(*) as required,
      sum(
        exists (select 1 from passkey p where p.user_id = q.user_id)
        or coalesce((select u.two_factor_enabled from user u where u.id = q.user_id), 0) = 1
      ) as enrolled
    from required q
    where ${userInScope(scope, sql`q.user_id`) ?? sql`1`}
  `);
  const required = row?.required ?? 0;
  const enrolled = row?.enrolled ?? 0;
  return { required, enrolled, missing: required - enrolled };
}

/**
 * The audit actions the dashboard lists as security events: lockouts, failed step-ups, stolen or
 * replayed credentials, and revocations of access.
 */
export const SECURITY_ACTIONS = [
  "auth.mfa_locked",
  "auth.step_up_failed",
  "oauth.refresh_token_reused",
  "oauth.code_replayed",
  "session.revoked",
  "session.revoked_others",
  "token.revoked",
  "oauth.token_revoked",
  "grant.revoked",
  "user.access_revoked",
  "client.access_revoked",
] as const;

/** Beyond this many domains, a scoped reader's events are read per action instead of per domain. */
const MAX_DOMAIN_ARMS = 50;

/**
 * How to read the latest security events newest first without sorting the log: a global reader
 * merges one ordered stream per action (audit_event_action_idx); a reader of a few domains one per
 * domain (audit_event_domain_idx), which stays short however rare the domain's events are.
 */
export function securityEventsPlan(scope: PermissionScope): AuditQueryPlan {
  const actions = inArray(auditEvent.action, [...SECURITY_ACTIONS]);
  if (!scope.all && scope.domainIds.length === 0) return { index: "audit_event_at_idx", arms: [undefined], conditions: [], empty: true };
  if (!scope.all && scope.domainIds.length <= MAX_DOMAIN_ARMS) {
    return {
      index: "audit_event_domain_idx",
      arms: scope.domainIds.map((domainId) => eq(auditEvent.domainId, domainId)),
      conditions: [actions],
      empty: false,
    };
  }
  return {
    index: "audit_event_action_idx",
    arms: SECURITY_ACTIONS.map((action) => eq(auditEvent.action, action)),
    conditions: scope.all ? [] : [inArray(auditEvent.domainId, scope.domainIds)],
    empty: false,
  };
}

/** The latest security events the caller may read in the audit log, with the actor's name. */
export async function securityEvents(db: Executor, scope: PermissionScope, limit: number): Promise<AuditListItem[]> {
  const page = await readAuditPage(db, securityEventsPlan(scope), undefined, limit);
  return withNames(db, page.items);
}

export interface RegisteredClient {
  clientId: string;
  clientName: string;
  createdAt: Date;
}

export const RECENT_REGISTRATION_DAYS = 7;

/**
 * Clients that registered themselves (RFC 7591) in the last week, newest first, among the clients the
 * caller may read. Self-registered clients belong to no domain, so only global readers see any.
 */
export async function recentlyRegisteredClients(
  db: Executor,
  scope: PermissionScope,
  limit: number,
  now = new Date(),
): Promise<{ items: RegisteredClient[]; total: number }> {
  if (!scope.all && scope.domainIds.length === 0) return { items: [], total: 0 };
  const where = and(
    eq(clientRegistration.origin, "dynamic"),
    gte(clientRegistration.createdAt, new Date(now.getTime() - RECENT_REGISTRATION_DAYS * DAY_MS)),
    scope.all ? undefined : inArray(clientRegistration.domainId, scope.domainIds),
  );
  const [rows, [total]] = await Promise.all([
    db
      .select({ clientId: clientRegistration.clientId, clientName: oauthClient.name, createdAt: clientRegistration.createdAt })
      .from(clientRegistration)
      .innerJoin(oauthClient, eq(oauthClient.clientId, clientRegistration.clientId))
      .where(where)
      .orderBy(desc(clientRegistration.createdAt))
      .limit(limit),
    db.select({ total: count() }).from(clientRegistration).where(where),
  ]);
  return {
    items: rows.map((row) => ({ clientId: row.clientId, clientName: row.clientName ?? row.clientId, createdAt: row.createdAt })),
    total: total?.total ?? 0,
  };
}
