import { asc, eq, inArray } from "drizzle-orm";
import type { Executor } from "@/db/client";
import { auditEvent, domain, oauthClient, role, user } from "@/db/schema";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import type { Page } from "@/server/paging";
import type { AuditListInput } from "./inputs";
import { auditResultOf, type AuditResult } from "./outcome";
import { distinctValues, planAuditQuery, readAuditPage, type AuditRow, type AuditScope } from "./plan";

export const AUDIT_EVENT_NOT_FOUND = "Audit event not found.";

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

const MAX_ACTIONS = 1000;

/** Every action name in the log (the first thousand), alphabetically; cheap at any size. */
export async function distinctAuditActions(db: Executor): Promise<string[]> {
  return (await distinctValues(db, auditEvent.action, { limit: MAX_ACTIONS })).slice(0, MAX_ACTIONS);
}

export interface AuditListItem extends AuditRow {
  actorEmail: string | null;
  actorName: string | null;
  domainName: string | null;
  /** The OAuth client's name, for an event that came through one; null when none or deleted. */
  clientName: string | null;
  /** Whether it records a success or a refusal or failure (see outcome.ts). */
  result: AuditResult;
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
  const clientIds = [...new Set(rows.flatMap((row) => (row.clientId ? [row.clientId] : [])))];
  const clients =
    clientIds.length > 0
      ? await db.select({ clientId: oauthClient.clientId, name: oauthClient.name }).from(oauthClient).where(inArray(oauthClient.clientId, clientIds))
      : [];
  const actorById = new Map(actors.map((actor) => [actor.id, actor]));
  const domainNameById = new Map(domains.map((row) => [row.id, row.name]));
  const clientNameById = new Map(clients.map((row) => [row.clientId, row.name]));
  return rows.map((row) => {
    const actor = row.actorUserId ? actorById.get(row.actorUserId) : undefined;
    return {
      ...row,
      actorEmail: actor?.email ?? null,
      actorName: actor?.name ?? null,
      domainName: row.domainId ? (domainNameById.get(row.domainId) ?? null) : null,
      clientName: row.clientId ? (clientNameById.get(row.clientId) ?? null) : null,
      result: auditResultOf(row),
    };
  });
}

/** What an event's target is called now, for a link to it; null for kinds without a page or once it is gone. */
async function targetNameOf(db: Executor, row: AuditRow): Promise<string | null> {
  if (row.targetId === null) return null;
  switch (row.targetType) {
    case "user": {
      const [found] = await db.select({ email: user.email }).from(user).where(eq(user.id, row.targetId)).limit(1);
      return found?.email ?? null;
    }
    case "role": {
      const [found] = await db.select({ name: role.name }).from(role).where(eq(role.id, row.targetId)).limit(1);
      return found?.name ?? null;
    }
    case "domain": {
      const [found] = await db.select({ name: domain.name }).from(domain).where(eq(domain.id, row.targetId)).limit(1);
      return found?.name ?? null;
    }
    case "client": {
      const [found] = await db.select({ name: oauthClient.name }).from(oauthClient).where(eq(oauthClient.clientId, row.targetId)).limit(1);
      return found ? (found.name ?? row.targetId) : null;
    }
    default:
      return null;
  }
}

export interface AuditEventDetail extends AuditListItem {
  /**
   * The target's name as it is now (a user's email, a role's, domain's or client's name), for a
   * link to its page; null when its kind has no page or it no longer exists.
   */
  targetName: string | null;
}

/** One event in full as the detail panel shows it; the procedure has already checked the reader may see it. */
export async function auditEventItem(db: Executor, row: AuditRow): Promise<AuditEventDetail> {
  const [[item], targetName] = await Promise.all([withNames(db, [row]), targetNameOf(db, row)]);
  return { ...item!, targetName };
}

/** A page of the audit log as the console and the MCP tools show it. */
export async function listAuditEvents(
  db: Executor,
  authority: Authority,
  input: AuditListInput,
): Promise<Page<AuditListItem> & { searchedTo?: Date }> {
  const { cursor, limit, sort, ...filter } = input;
  const plan = await planAuditQuery(db, filter, auditScopeFor(authority, filter.domainId));
  const page = await readAuditPage(db, plan, cursor, limit, sort);
  return {
    items: await withNames(db, page.items),
    nextCursor: page.nextCursor,
    ...(page.searchedTo ? { searchedTo: page.searchedTo } : {}),
  };
}

/** At most this many domains are offered in the audit log's Domain filter. */
const AUDIT_DOMAIN_OPTIONS_LIMIT = 100;

export interface AuditDomainOptions {
  /**
   * Whether the caller may see domains by name at all (domains:read somewhere). When not, the
   * filter takes a domain id as typed.
   */
  byName: boolean;
  /** The domains whose audit events the caller may read and whose names they may see, by slug. */
  items: { id: string; name: string; slug: string }[];
  /** More such domains exist than the first AUDIT_DOMAIN_OPTIONS_LIMIT listed. */
  more: boolean;
}

function intersect(a: PermissionScope, b: PermissionScope): PermissionScope {
  if (a.all) return b;
  if (b.all) return a;
  const inB = new Set(b.domainIds);
  return { all: false, domainIds: a.domainIds.filter((id) => inB.has(id)) };
}

/** The domains the audit log can be filtered on by this caller, for the filter's select. */
export async function auditDomainOptions(db: Executor, authority: Authority): Promise<AuditDomainOptions> {
  if (!authority.hasAnywhere("domains:read")) return { byName: false, items: [], more: false };
  const scope = intersect(authority.scopeOf("domains:read"), authority.scopeOf("audit:read"));
  if (!scope.all && scope.domainIds.length === 0) return { byName: true, items: [], more: false };
  const rows = await db
    .select({ id: domain.id, name: domain.name, slug: domain.slug })
    .from(domain)
    .where(scope.all ? undefined : inArray(domain.id, scope.domainIds))
    .orderBy(asc(domain.slug))
    .limit(AUDIT_DOMAIN_OPTIONS_LIMIT + 1);
  return { byName: true, items: rows.slice(0, AUDIT_DOMAIN_OPTIONS_LIMIT), more: rows.length > AUDIT_DOMAIN_OPTIONS_LIMIT };
}
