import { TRPCError } from "@trpc/server";
import { and, asc, countDistinct, eq, gt, inArray, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Executor } from "@/db/client";
import { domain, domainEmailDomain, role, roleAssignment, user, userBan, type MfaPolicy } from "@/db/schema";
import { auditScopeFor } from "@/server/audit/queries";
import type { Authority, PermissionScope } from "@/server/authz/authority";
import { authorizeIn } from "@/server/authz/guard";
import { keyset, sortableKeyset, type Page, type Sort } from "@/server/paging";
import type { DOMAIN_SORTS } from "./inputs";
import { allows } from "@/server/trpc/procedures";
import { DOMAIN_NOT_FOUND, ROW_ACCESS, assertMayChangePolicy, assertMayCreate, assertMayCreateWithPolicy } from "./commands";

type DomainRow = typeof domain.$inferSelect;

export interface DomainItem {
  id: string;
  name: string;
  slug: string;
  description: string;
  mfaPolicy: MfaPolicy;
  emailDomains: string[];
  /** Distinct users holding any role assignment in the domain. */
  memberCount: number;
  createdAt: Date;
  updatedAt: Date;
}

/** What the caller may do to a domain, each flag computed by the rule its mutation enforces. */
interface DomainCan {
  /** domains.update of the name, slug and description. */
  edit: boolean;
  /** domains.update of the email domains and the MFA policy as well. */
  editPolicy: boolean;
  /** domains.delete (without cascade: a domain that still has members is then a conflict, not a refusal). */
  delete: boolean;
}

/** What the caller may read about a domain beyond the domain itself, for its detail page. */
interface DomainSees {
  /** domains.members. */
  members: boolean;
  /** audit.list filtered to the domain. */
  auditLog: boolean;
}

export type DomainListItem = DomainItem & { can: DomainCan };
export type DomainDetail = DomainListItem & { sees: DomainSees };

interface DomainListCan {
  /** domains.create with the default policy. */
  create: boolean;
  /** domains.create claiming email domains or choosing an MFA policy. */
  createWithPolicy: boolean;
}

export async function findDomain(db: Executor, id: string): Promise<DomainRow> {
  const [row] = await db.select().from(domain).where(eq(domain.id, id)).limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: DOMAIN_NOT_FOUND });
  return row;
}

/** The row a domain's row procedures act on: a domain is the domain it is scoped to. */
export async function loadDomainRow(db: Executor, input: { id: string }): Promise<(DomainRow & { domainId: string }) | undefined> {
  const [row] = await db.select().from(domain).where(eq(domain.id, input.id)).limit(1);
  return row ? { ...row, domainId: row.id } : undefined;
}

/** Completes a page of domain rows with their email domains and member counts: one query each. */
async function toDomainItems(db: Executor, rows: DomainRow[]): Promise<DomainItem[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  // Sequential, not Promise.all: `db` may be a transaction, whose statements share one connection.
  const claims = await db
    .select({ domainId: domainEmailDomain.domainId, emailDomain: domainEmailDomain.emailDomain })
    .from(domainEmailDomain)
    .where(inArray(domainEmailDomain.domainId, ids))
    .orderBy(asc(domainEmailDomain.emailDomain));
  const counts = await db
    .select({ domainId: roleAssignment.domainId, members: countDistinct(roleAssignment.userId) })
    .from(roleAssignment)
    .where(inArray(roleAssignment.domainId, ids))
    .groupBy(roleAssignment.domainId);
  const emailDomainsOf = new Map<string, string[]>();
  for (const { domainId, emailDomain } of claims) {
    let list = emailDomainsOf.get(domainId);
    if (!list) emailDomainsOf.set(domainId, (list = []));
    list.push(emailDomain);
  }
  const memberCountOf = new Map(counts.map(({ domainId, members }) => [domainId, members]));
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    slug: row.slug,
    description: row.description,
    mfaPolicy: row.mfaPolicy,
    emailDomains: emailDomainsOf.get(row.id) ?? [],
    memberCount: memberCountOf.get(row.id) ?? 0,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  }));
}

/** One domain as the mutations return it. */
export async function domainItem(db: Executor, id: string): Promise<DomainItem> {
  const [item] = await toDomainItems(db, [await findDomain(db, id)]);
  if (!item) throw new Error(`Domain ${id} could not be completed.`);
  return item;
}

/** The authority alone decides every flag, so a page of flags costs no query. */
async function canOf(authority: Authority, domainId: string): Promise<DomainCan> {
  const edit = await allows(() => authorizeIn(authority, { ...ROW_ACCESS.edit, domainId }));
  return {
    edit,
    editPolicy: edit && (await allows(() => assertMayChangePolicy(authority, domainId))),
    delete: await allows(() => authorizeIn(authority, { ...ROW_ACCESS.delete, domainId })),
  };
}

/** Case-insensitive substring match; instr() rather than LIKE so that % and _ in a search are literal. */
function contains(column: SQLiteColumn, needle: string): SQL {
  return sql`instr(lower(${column}), ${needle.toLowerCase()}) > 0`;
}

const domainOrder = sortableKeyset(
  "domains",
  {
    slug: { expression: domain.slug, type: "string" },
    name: { expression: domain.name, type: "string" },
    createdAt: { expression: domain.createdAt, type: "number" },
  },
  domain.id,
);
const byEmail = keyset(z.object({ email: z.string() }));

/** Domains the caller may read, in the order asked for (by slug unless told otherwise). */
export async function listDomains(
  db: Executor,
  authority: Authority,
  input: { search?: string; cursor?: string; limit: number; sort: Sort<(typeof DOMAIN_SORTS)[number]> },
): Promise<Page<DomainListItem> & { can: DomainListCan }> {
  const create = await allows(() => assertMayCreate(authority));
  const can = { create, createWithPolicy: create && (await allows(() => assertMayCreateWithPolicy(authority))) };
  const scope = authority.scopeOf("domains:read");
  if (!scope.all && scope.domainIds.length === 0) return { items: [], nextCursor: null, can };
  const order = domainOrder.plan(input.sort, input.cursor);
  const rows = await db
    .select()
    .from(domain)
    .where(
      and(
        scope.all ? undefined : inArray(domain.id, scope.domainIds),
        input.search ? or(contains(domain.name, input.search), contains(domain.slug, input.search)) : undefined,
        order.where,
      ),
    )
    .orderBy(...order.orderBy)
    .limit(input.limit + 1);
  const { by } = input.sort;
  const page = domainOrder.page(rows, input.limit, input.sort, (row) => ({
    value: by === "slug" ? row.slug : by === "name" ? row.name : row.createdAt.getTime(),
    id: row.id,
  }));
  const items = await toDomainItems(db, page.items);
  return {
    items: await Promise.all(items.map(async (item) => ({ ...item, can: await canOf(authority, item.id) }))),
    nextCursor: page.nextCursor,
    can,
  };
}

/** One domain the caller may read, with what they may do to it and what else they may read about it. */
export async function getDomain(db: Executor, authority: Authority, row: DomainRow): Promise<DomainDetail> {
  const [item] = await toDomainItems(db, [row]);
  if (!item) throw new Error(`Domain ${row.id} could not be completed.`);
  return {
    ...item,
    can: await canOf(authority, row.id),
    sees: {
      members: await allows(() => authorizeIn(authority, { ...ROW_ACCESS.readMembers, domainId: row.id })),
      auditLog: await allows(() => auditScopeFor(authority, row.id)),
    },
  };
}

interface DomainMember {
  id: string;
  email: string;
  name: string;
  /** The member's roles in this domain only, by name. */
  roles: { roleId: string; roleName: string }[];
  banned: boolean;
}

/** Users with any role assignment in the domain, ordered by email (unique, so it is the whole keyset). */
export async function listMembers(
  db: Executor,
  domainId: string,
  input: { search?: string; cursor?: string; limit: number },
): Promise<Page<DomainMember>> {
  const after = byEmail.after(input.cursor);
  const inDomain = db
    .select({ userId: roleAssignment.userId })
    .from(roleAssignment)
    .where(eq(roleAssignment.domainId, domainId));
  const rows = await db
    .select({ id: user.id, email: user.email, name: user.name, bannedUserId: userBan.userId })
    .from(user)
    .leftJoin(userBan, eq(userBan.userId, user.id))
    .where(
      and(
        inArray(user.id, inDomain),
        input.search ? or(contains(user.email, input.search), contains(user.name, input.search)) : undefined,
        after === undefined ? undefined : gt(user.email, after.email),
      ),
    )
    .orderBy(asc(user.email))
    .limit(input.limit + 1);
  const page = byEmail.page(rows, input.limit, (row) => ({ email: row.email }));

  const rolesOf = new Map<string, { roleId: string; roleName: string }[]>();
  if (page.items.length > 0) {
    const assignments = await db
      .select({ userId: roleAssignment.userId, roleId: role.id, roleName: role.name })
      .from(roleAssignment)
      .innerJoin(role, eq(role.id, roleAssignment.roleId))
      .where(
        and(
          eq(roleAssignment.domainId, domainId),
          inArray(
            roleAssignment.userId,
            page.items.map((row) => row.id),
          ),
        ),
      )
      .orderBy(asc(role.name));
    for (const { userId, roleId, roleName } of assignments) {
      let list = rolesOf.get(userId);
      if (!list) rolesOf.set(userId, (list = []));
      list.push({ roleId, roleName });
    }
  }

  return {
    items: page.items.map((row) => ({
      id: row.id,
      email: row.email,
      name: row.name,
      roles: rolesOf.get(row.id) ?? [],
      banned: row.bannedUserId !== null,
    })),
    nextCursor: page.nextCursor,
  };
}

/** A domain picker (scopes offered on the users and clients pages) holds at most this many domains, as one page of domains does. */
const DOMAIN_OPTIONS_MAX = 100;

/** The domains in `scope`, by name, as a picker offers them: every domain (up to the cap) for a global scope. */
export async function domainOptions(db: Executor, scope: PermissionScope): Promise<{ id: string; name: string }[]> {
  if (!scope.all && scope.domainIds.length === 0) return [];
  return db
    .select({ id: domain.id, name: domain.name })
    .from(domain)
    .where(scope.all ? undefined : inArray(domain.id, scope.domainIds))
    .orderBy(asc(domain.name), asc(domain.id))
    .limit(DOMAIN_OPTIONS_MAX);
}
