import { eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { clientRegistration, issuedAccessToken, oauthClient, oauthConsent, oauthRefreshToken, user } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import { storedStringArray } from "@/server/oauth/stored";
import { sortableKeyset, type Page, type Sort } from "@/server/paging";
import { allows } from "@/server/trpc/procedures";
import type { GRANT_SORTS, listGrantsInput } from "./inputs";
import { assertMayRevokeGrant, domainsOfUsers, grantInScope, type GrantReach } from "./reach";

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

// A grant is a (user, client) pair: its id in the order is both, joined by a space no id holds.
const grantOrder = sortableKeyset(
  "grants",
  { lastActive: { expression: sql`activity`, type: "number" }, createdAt: { expression: sql`created_at`, type: "number" } },
  sql`(user_id || ' ' || client_id)`,
);

/** The list's order before it could be sorted: newest activity first. */
const LAST_ACTIVE_FIRST: Sort<(typeof GRANT_SORTS)[number]> = { by: "lastActive", direction: "desc" };

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
 * The (user_id, client_id) pairs holding anything live at `nowMs`: a remembered consent, an
 * unrevoked refresh token or an unexpired access token. What the Sessions page lists as grants and
 * the dashboard counts per client.
 */
export function liveGrantPairs(nowMs: number): SQL {
  return sql`
      select user_id, client_id from ${oauthConsent} where user_id is not null
      union
      select user_id, client_id from ${oauthRefreshToken} where revoked is null and expires_at > ${nowMs}
      union
      select user_id, client_id from ${issuedAccessToken} where user_id is not null and revoked_at is null and expires_at > ${nowMs}
  `;
}

type GrantFilter = Omit<z.output<typeof listGrantsInput>, "limit" | "sort"> & { limit: number; sort?: z.output<typeof listGrantsInput>["sort"] };

/**
 * A grant is a (user, client) pair with anything live: a remembered consent, an unrevoked refresh
 * token or an unexpired access token. In `input.sort` (by default newest activity first), within `scope`.
 */
export async function findGrants(db: Executor, scope: PermissionScope, input: GrantFilter, now = new Date()): Promise<Page<GrantItem>> {
  const nowMs = now.getTime();
  const sort = input.sort ?? LAST_ACTIVE_FIRST;
  const plan = grantOrder.plan(sort, input.cursor);
  const filters: SQL[] = [grantInScope(scope)];
  if (input.userId) filters.push(sql`g.user_id = ${input.userId}`);
  if (input.clientId) filters.push(sql`g.client_id = ${input.clientId}`);
  if (input.domainId) filters.push(sql`reg.domain_id = ${input.domainId}`);
  const rows = await db.all<GrantRow>(sql`
    with pairs as (${liveGrantPairs(nowMs)}),
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
    ${plan.where ? sql`where ${plan.where}` : sql``}
    order by ${sql.join(plan.orderBy, sql`, `)}
    limit ${input.limit + 1}
  `);
  const { items, nextCursor } = grantOrder.page(rows, input.limit, sort, (row) => ({
    value: sort.by === "createdAt" ? row.created_at : row.activity,
    id: `${row.user_id} ${row.client_id}`,
  }));
  return {
    items: items.map(
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
    ),
    nextCursor,
  };
}

/**
 * The grants the caller may read, each with what the console may do with it: `can.revoke` is the
 * rule grants.revoke enforces, run on the page's reach (one query for the page's users' domains).
 * `can.openClient` says whether the client's own page (clients:read in its domain) is open to them.
 */
export async function listGrants(db: Executor, authority: Authority, input: z.output<typeof listGrantsInput>) {
  const page = await findGrants(db, authority.scopeOf("tokens:read"), input);
  const userDomains = await domainsOfUsers(
    db,
    page.items.map((item) => item.userId),
  );
  const items = await Promise.all(
    page.items.map(async (item) => {
      const reach: GrantReach = { clientDomainId: item.domainId, userDomainIds: userDomains.get(item.userId) ?? [] };
      return {
        ...item,
        can: {
          revoke: await allows(() => assertMayRevokeGrant(authority, reach)),
          openClient: authority.has("clients:read", item.domainId),
        },
      };
    }),
  );
  return { items, nextCursor: page.nextCursor };
}

/** Who one live grant reaches; undefined when the user holds nothing live for the client. */
export async function findGrantReach(db: Executor, grant: { userId: string; clientId: string }): Promise<GrantReach | undefined> {
  const { items } = await findGrants(db, { all: true }, { ...grant, limit: 1 });
  const [found] = items;
  if (!found) return undefined;
  const userDomains = await domainsOfUsers(db, [grant.userId]);
  return { clientDomainId: found.domainId, userDomainIds: userDomains.get(grant.userId) ?? [] };
}

/** A client and the domain that owns it (null: installation-wide); undefined for an unknown client. */
export async function findClientDomain(db: Executor, clientId: string): Promise<{ clientId: string; domainId: string | null } | undefined> {
  const [row] = await db
    .select({ clientId: oauthClient.clientId, domainId: clientRegistration.domainId })
    .from(oauthClient)
    .leftJoin(clientRegistration, eq(clientRegistration.clientId, oauthClient.clientId))
    .where(eq(oauthClient.clientId, clientId))
    .limit(1);
  return row ? { clientId: row.clientId, domainId: row.domainId ?? null } : undefined;
}

/** An issued access token (live or not) with its client's domain; undefined when unknown or its client is gone. */
export async function findIssuedToken(db: Executor, jti: string) {
  const [token] = await db.select().from(issuedAccessToken).where(eq(issuedAccessToken.jti, jti)).limit(1);
  if (!token) return undefined;
  const client = await findClientDomain(db, token.clientId);
  return client ? { jti, clientId: token.clientId, userId: token.userId, domainId: client.domainId } : undefined;
}
