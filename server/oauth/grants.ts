import { and, eq, isNull, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Executor } from "@/db/client";
import {
  clientRegistration,
  issuedAccessToken,
  oauthAccessToken,
  oauthClient,
  oauthConsent,
  oauthRefreshToken,
  roleAssignment,
  session,
  user,
} from "@/db/schema";
import type { PermissionScope } from "@/server/authz/authority";
import { cursorInputSchema, decodeCursor, encodeCursor } from "@/server/paging";
import { revokeIssuedAccessTokens } from "./issued-tokens";
import { storedStringArray } from "./stored";

/** What a revocation ended. */
export interface RevocationCounts {
  accessTokens: number;
  refreshTokens: number;
  consents: number;
}

/**
 * Revocation counts as audit details. The audit writer drops keys that look like credentials
 * ("…Tokens"), so the counts are named for what they count.
 */
export function revocationDetails(counts: Partial<RevocationCounts>) {
  return {
    accessTokensRevoked: counts.accessTokens ?? 0,
    refreshTokensRevoked: counts.refreshTokens ?? 0,
    consentsRevoked: counts.consents ?? 0,
  };
}

type GrantSelector = { userId: string; clientId: string } | { userId: string } | { clientId: string };

function grantCondition(columns: { userId: SQLiteColumn; clientId: SQLiteColumn }, selector: GrantSelector): SQL {
  const parts: SQL[] = [];
  if ("userId" in selector) parts.push(eq(columns.userId, selector.userId));
  if ("clientId" in selector) parts.push(eq(columns.clientId, selector.clientId));
  return and(...parts)!;
}

/**
 * Ends grants: the remembered consent (so the user is asked again), the refresh tokens, the opaque
 * access tokens the plugin stores, and the JWT access tokens in the ledger, all in the caller's
 * transaction.
 */
export async function revokeGrants(tx: Executor, selector: GrantSelector, reason: string, now = new Date()): Promise<RevocationCounts> {
  const consents = await tx.delete(oauthConsent).where(grantCondition(oauthConsent, selector)).returning({ id: oauthConsent.id });
  const refresh = await tx
    .update(oauthRefreshToken)
    .set({ revoked: now })
    .where(and(grantCondition(oauthRefreshToken, selector), isNull(oauthRefreshToken.revoked)))
    .returning({ id: oauthRefreshToken.id });
  await tx.delete(oauthAccessToken).where(grantCondition(oauthAccessToken, selector));
  const accessTokens = await revokeIssuedAccessTokens(tx, selector, reason, now);
  return { accessTokens, refreshTokens: refresh.length, consents: consents.length };
}

export interface GrantItem {
  userId: string;
  userEmail: string;
  userName: string;
  clientId: string;
  clientName: string;
  logoUri: string | null;
  domainId: string | null;
  scopes: string[];
  consented: boolean;
  createdAt: Date;
  lastUsedAt: Date | null;
  refreshTokens: number;
  liveAccessTokens: number;
}

export const listGrantsInput = z
  .object({
    userId: z.string().min(1).max(100).optional().describe("Only this user's grants."),
    clientId: z.string().min(1).max(200).optional().describe("Only grants to this client."),
    domainId: z.string().min(1).max(100).optional().describe("Only grants to clients owned by this domain."),
    cursor: cursorInputSchema,
    limit: z.number().int().min(1).max(100).default(50).describe("How many grants per page, 1 to 100 (default 50)."),
  })
  .prefault({});

const grantCursor = z.object({ activity: z.number(), userId: z.string(), clientId: z.string() });

interface GrantRow {
  user_id: string;
  client_id: string;
  email: string;
  user_name: string;
  client_name: string | null;
  icon: string | null;
  domain_id: string | null;
  consent_scopes: string | null;
  refresh_scopes: string | null;
  token_scopes: string | null;
  consented: number;
  created_at: number;
  last_used_at: number | null;
  activity: number;
  refresh_tokens: number;
  live_access_tokens: number;
}

const parseScopes = (row: GrantRow): string[] => {
  if (row.consent_scopes) return storedStringArray(row.consent_scopes);
  if (row.refresh_scopes) return storedStringArray(row.refresh_scopes);
  return row.token_scopes ? row.token_scopes.split(" ") : [];
};

/**
 * Who may see a grant with `tokens:read` limited to some domains: grants to clients those domains
 * own, and grants held by users who belong to them.
 */
function grantInScope(scope: PermissionScope): SQL {
  if (scope.all) return sql`1`;
  if (scope.domainIds.length === 0) return sql`0`;
  const ids = sql.join(
    scope.domainIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`(reg.domain_id in (${ids}) or exists (select 1 from ${roleAssignment} ra where ra.user_id = g.user_id and ra.domain_id in (${ids})))`;
}

/**
 * A grant is a (user, client) pair with anything live: a remembered consent, an unrevoked refresh
 * token or an unexpired access token. Newest activity first.
 */
export async function listGrants(
  db: Executor,
  scope: PermissionScope,
  input: z.output<typeof listGrantsInput>,
  now = new Date(),
): Promise<{ items: GrantItem[]; nextCursor: string | null }> {
  const nowMs = now.getTime();
  const after = input.cursor ? decodeCursor(input.cursor, grantCursor) : null;
  const filters: SQL[] = [grantInScope(scope)];
  if (input.userId) filters.push(sql`g.user_id = ${input.userId}`);
  if (input.clientId) filters.push(sql`g.client_id = ${input.clientId}`);
  if (input.domainId) filters.push(sql`reg.domain_id = ${input.domainId}`);
  const page = after
    ? sql`where (activity < ${after.activity} or (activity = ${after.activity} and (user_id > ${after.userId} or (user_id = ${after.userId} and client_id > ${after.clientId}))))`
    : sql``;
  const rows = await db.all<GrantRow>(sql`
    with pairs as (
      select user_id, client_id from ${oauthConsent} where user_id is not null
      union
      select user_id, client_id from ${oauthRefreshToken} where revoked is null and expires_at > ${nowMs}
      union
      select user_id, client_id from ${issuedAccessToken} where user_id is not null and revoked_at is null and expires_at > ${nowMs}
    ),
    grants as (
      select
        g.user_id, g.client_id, u.email, u.name as user_name, c.name as client_name, c.icon, reg.domain_id,
        (select scopes from ${oauthConsent} oc where oc.user_id = g.user_id and oc.client_id = g.client_id order by updated_at desc limit 1) as consent_scopes,
        (select scopes from ${oauthRefreshToken} rt where rt.user_id = g.user_id and rt.client_id = g.client_id and rt.revoked is null order by created_at desc limit 1) as refresh_scopes,
        (select scopes from ${issuedAccessToken} t where t.user_id = g.user_id and t.client_id = g.client_id order by issued_at desc limit 1) as token_scopes,
        exists (select 1 from ${oauthConsent} oc where oc.user_id = g.user_id and oc.client_id = g.client_id) as consented,
        coalesce(
          (select min(created_at) from ${oauthConsent} oc where oc.user_id = g.user_id and oc.client_id = g.client_id),
          (select min(created_at) from ${oauthRefreshToken} rt where rt.user_id = g.user_id and rt.client_id = g.client_id and rt.revoked is null),
          (select min(issued_at) from ${issuedAccessToken} t where t.user_id = g.user_id and t.client_id = g.client_id and t.revoked_at is null),
          0
        ) as created_at,
        (select max(issued_at) from ${issuedAccessToken} t where t.user_id = g.user_id and t.client_id = g.client_id) as last_used_at,
        (select count(*) from ${oauthRefreshToken} rt where rt.user_id = g.user_id and rt.client_id = g.client_id and rt.revoked is null and rt.expires_at > ${nowMs}) as refresh_tokens,
        (select count(*) from ${issuedAccessToken} t where t.user_id = g.user_id and t.client_id = g.client_id and t.revoked_at is null and t.expires_at > ${nowMs}) as live_access_tokens
      from pairs g
      join ${user} u on u.id = g.user_id
      join ${oauthClient} c on c.client_id = g.client_id
      left join ${clientRegistration} reg on reg.client_id = g.client_id
      where ${sql.join(filters, sql` and `)}
    )
    select *, coalesce(last_used_at, created_at) as activity from grants
    ${page}
    order by activity desc, user_id, client_id
    limit ${input.limit + 1}
  `);
  const items = rows.slice(0, input.limit).map(
    (row): GrantItem => ({
      userId: row.user_id,
      userEmail: row.email,
      userName: row.user_name,
      clientId: row.client_id,
      clientName: row.client_name ?? row.client_id,
      logoUri: row.icon,
      domainId: row.domain_id,
      scopes: parseScopes(row),
      consented: Boolean(row.consented),
      createdAt: new Date(row.created_at),
      lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
      refreshTokens: row.refresh_tokens,
      liveAccessTokens: row.live_access_tokens,
    }),
  );
  const last = rows.length > input.limit ? rows[input.limit - 1] : undefined;
  return {
    items,
    nextCursor: last ? encodeCursor({ activity: last.activity, userId: last.user_id, clientId: last.client_id }) : null,
  };
}

/** Whether the grant (user, client) is visible in the scope; used before revoking one. */
export async function grantVisible(db: Executor, scope: PermissionScope, userId: string, clientId: string): Promise<boolean> {
  if (scope.all) return true;
  const { items } = await listGrants(db, scope, { userId, clientId, limit: 1 });
  return items.length > 0;
}

export interface SessionItem {
  id: string;
  userId: string;
  userEmail: string;
  userName: string;
  ipAddress: string | null;
  userAgent: string | null;
  device: string;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
}

/** A short human label for a user agent: browser and platform, or the raw product name. */
export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser =
    /Edg\//.test(userAgent) ? "Edge"
    : /Firefox\//.test(userAgent) ? "Firefox"
    : /Chrome\//.test(userAgent) ? "Chrome"
    : /Safari\//.test(userAgent) ? "Safari"
    : null;
  const platform =
    /Windows/.test(userAgent) ? "Windows"
    : /Android/.test(userAgent) ? "Android"
    : /iPhone|iPad/.test(userAgent) ? "iOS"
    : /Mac OS X/.test(userAgent) ? "macOS"
    : /Linux/.test(userAgent) ? "Linux"
    : null;
  if (browser && platform) return `${browser} on ${platform}`;
  return browser ?? platform ?? userAgent.split(/[\s/]/)[0]!.slice(0, 60);
}

export const listSessionsInput = z
  .object({
    userId: z.string().min(1).max(100).optional().describe("Only this user's sessions."),
    cursor: cursorInputSchema,
    limit: z.number().int().min(1).max(100).default(50).describe("How many sessions per page, 1 to 100 (default 50)."),
  })
  .prefault({});

const sessionCursor = z.object({ lastSeen: z.number(), id: z.string() });

function sessionUserInScope(scope: PermissionScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  const ids = sql.join(
    scope.domainIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`exists (select 1 from ${roleAssignment} ra where ra.user_id = ${session.userId} and ra.domain_id in (${ids}))`;
}

/** Unexpired browser sessions, most recently seen first. */
export async function listSessions(
  db: Executor,
  scope: PermissionScope,
  input: z.output<typeof listSessionsInput>,
  currentSessionId: string | null,
  now = new Date(),
): Promise<{ items: SessionItem[]; nextCursor: string | null }> {
  const conditions: (SQL | undefined)[] = [sql`${session.expiresAt} > ${now.getTime()}`, sessionUserInScope(scope)];
  if (input.userId) conditions.push(eq(session.userId, input.userId));
  if (input.cursor) {
    const after = decodeCursor(input.cursor, sessionCursor);
    conditions.push(
      sql`(${session.updatedAt} < ${after.lastSeen} or (${session.updatedAt} = ${after.lastSeen} and ${session.id} > ${after.id}))`,
    );
  }
  const rows = await db
    .select({
      id: session.id,
      userId: session.userId,
      userEmail: user.email,
      userName: user.name,
      ipAddress: session.ipAddress,
      userAgent: session.userAgent,
      createdAt: session.createdAt,
      lastSeenAt: session.updatedAt,
      expiresAt: session.expiresAt,
    })
    .from(session)
    .innerJoin(user, eq(user.id, session.userId))
    .where(and(...conditions))
    .orderBy(sql`${session.updatedAt} desc`, session.id)
    .limit(input.limit + 1);
  const items = rows
    .slice(0, input.limit)
    .map((row): SessionItem => ({ ...row, device: describeDevice(row.userAgent), current: row.id === currentSessionId }));
  const last = rows.length > input.limit ? items.at(-1) : undefined;
  return { items, nextCursor: last ? encodeCursor({ lastSeen: last.lastSeenAt.getTime(), id: last.id }) : null };
}
