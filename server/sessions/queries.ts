import { and, eq, sql, type SQL } from "drizzle-orm";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { roleAssignment, session, user } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import { sortableKeyset, type Page, type Sort } from "@/server/paging";
import { allows } from "@/server/trpc/procedures";
import { loadAccountTargets } from "@/server/users/commands";
import { assertMayRevokeSessionsOf, userToCutOff } from "./commands";
import type { SESSION_SORTS, listSessionsInput } from "./inputs";
import { describeUserAgent } from "./user-agent";

export interface SessionItem {
  id: string;
  userId: string;
  userEmail: string;
  userName: string;
  ipAddress: string | null;
  userAgent: string | null;
  /** "Chrome 131 on macOS": browser and platform together (describeUserAgent). */
  device: string;
  /** "Chrome 131", or null when the agent names no known browser. */
  browser: string | null;
  /** "macOS", "iPhone", or null when the agent does not say. */
  platform: string | null;
  createdAt: Date;
  lastSeenAt: Date;
  expiresAt: Date;
  current: boolean;
}

const sessionOrder = sortableKeyset(
  "sessions",
  { lastActive: { expression: session.updatedAt, type: "number" }, createdAt: { expression: session.createdAt, type: "number" } },
  session.id,
);

/** The list's order before it could be sorted: most recently seen first. */
const LAST_ACTIVE_FIRST: Sort<(typeof SESSION_SORTS)[number]> = { by: "lastActive", direction: "desc" };

function sessionUserInScope(scope: PermissionScope): SQL | undefined {
  if (scope.all) return undefined;
  if (scope.domainIds.length === 0) return sql`0`;
  const ids = sql.join(
    scope.domainIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`exists (select 1 from ${roleAssignment} ra where ra.user_id = ${session.userId} and ra.domain_id in (${ids}))`;
}

type SessionFilter = Omit<z.output<typeof listSessionsInput>, "limit" | "sort"> & { limit: number; sort?: z.output<typeof listSessionsInput>["sort"] };

/** Unexpired browser sessions of the users in `scope`, in `input.sort` (by default most recently seen first). */
export async function findSessions(
  db: Executor,
  scope: PermissionScope,
  input: SessionFilter,
  currentSessionId: string | null,
  now = new Date(),
): Promise<Page<SessionItem>> {
  const conditions: (SQL | undefined)[] = [sql`${session.expiresAt} > ${now.getTime()}`, sessionUserInScope(scope)];
  if (input.userId) conditions.push(eq(session.userId, input.userId));
  const sort = input.sort ?? LAST_ACTIVE_FIRST;
  const plan = sessionOrder.plan(sort, input.cursor);
  conditions.push(plan.where);
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
    .orderBy(...plan.orderBy)
    .limit(input.limit + 1);
  const page = sessionOrder.page(rows, input.limit, sort, (row) => ({
    value: (sort.by === "createdAt" ? row.createdAt : row.lastSeenAt).getTime(),
    id: row.id,
  }));
  return {
    items: page.items.map((row): SessionItem => ({ ...row, ...describeUserAgent(row.userAgent), current: row.id === currentSessionId })),
    nextCursor: page.nextCursor,
  };
}

/**
 * The sessions the caller may read, each with `can.revoke`: the account-wide rule sessions.revoke
 * enforces (assertMayRevokeSessionsOf), over the page's owners loaded in one batch.
 * Filtered by one user, the list also says whether the caller may end everything that user holds
 * (`can.revokeAllForUser`, the rule of sessions.revokeAllForUser); without a user filter that is
 * false, as there is no one to act on.
 */
export async function listSessions(db: Executor, authority: Authority, input: z.output<typeof listSessionsInput>, currentSessionId: string) {
  const page = await findSessions(db, authority.scopeOf("tokens:read"), input, currentSessionId);
  const owners = await loadAccountTargets(
    db,
    page.items.map((item) => ({ id: item.userId, email: item.userEmail })),
  );
  const items = await Promise.all(
    page.items.map(async (item) => ({
      ...item,
      can: { revoke: await allows(() => assertMayRevokeSessionsOf(authority, owners.get(item.userId)!)) },
    })),
  );
  const userId = input.userId;
  return {
    items,
    nextCursor: page.nextCursor,
    can: { revokeAllForUser: userId === undefined ? false : await allows(() => userToCutOff(db, authority, userId)) },
  };
}
