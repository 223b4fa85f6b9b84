import { TRPCError } from "@trpc/server";
import { and, asc, countDistinct, eq, gt, inArray, ne, or, sql, type SQL } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import { z } from "zod";
import type { Executor } from "@/db/client";
import {
  MFA_POLICIES,
  domain,
  domainEmailDomain,
  role,
  roleAssignment,
  rolePermission,
  user,
  userBan,
  type MfaPolicy,
} from "@/db/schema";
import type { Authority, PermissionScope } from "./authority";
import { isPermission, type Permission } from "@/server/shared/permissions";
import { cursorInputSchema, decodeCursor, encodeCursor } from "@/server/paging";

export const DOMAIN_NOT_FOUND = "Domain not found.";
export const DEFAULT_MFA_POLICY: MfaPolicy = "optional";
export const PAGE_SIZE_DEFAULT = 50;
export const PAGE_SIZE_MAX = 100;
export const MAX_EMAIL_DOMAINS = 20;

// Inputs of the domains router, here rather than in the router so that MCP tools can reuse them.

export const idSchema = z.string("Give an id.").min(1, "Give an id.").max(100, "An id is at most 100 characters.");

export const domainNameSchema = z
  .string("Give the domain a name.")
  .trim()
  .min(1, "Give the domain a name.")
  .max(100, "A domain name is at most 100 characters.");

const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const slugSchema = z
  .string("Give the domain a slug.")
  .trim()
  .toLowerCase()
  .min(1, "Give the domain a slug.")
  .max(63, "A slug is at most 63 characters.")
  .regex(
    SLUG_PATTERN,
    "A slug uses lowercase letters, digits and hyphens, and starts and ends with a letter or digit (for example acme-eu).",
  );

export const descriptionSchema = z.string().trim().max(1000, "A description is at most 1000 characters.");

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A DNS host name with at least two labels. A numeric last label is refused because no top-level
 * domain is numeric, which also keeps IPv4 addresses out.
 */
export function isEmailDomainName(value: string): boolean {
  if (value.length > 253) return false;
  const labels = value.split(".");
  if (labels.length < 2) return false;
  if (!labels.every((label) => DNS_LABEL.test(label))) return false;
  return !/^[0-9]+$/.test(labels[labels.length - 1] ?? "");
}

const emailDomainSchema = z
  .string("An email domain is a host name such as example.com.")
  .trim()
  .toLowerCase()
  .max(253, "An email domain is at most 253 characters.")
  .refine(isEmailDomainName, {
    error: (issue) =>
      `“${String(issue.input)}” is not a valid email domain; write a host name such as example.com (no @, no spaces, international names in their xn-- form).`,
  });

export const emailDomainsSchema = z
  .array(emailDomainSchema)
  .max(MAX_EMAIL_DOMAINS, `A domain can claim at most ${MAX_EMAIL_DOMAINS} email domains.`)
  .transform((values) => [...new Set(values)].sort());

export const mfaPolicySchema = z.enum(MFA_POLICIES, 'The MFA policy is "off", "optional" or "required".');

const searchSchema = z.string().trim().max(100, "Search for at most 100 characters.").optional();

function limitSchema(thing: string, things: string) {
  return z
    .number()
    .int("The page size is a whole number.")
    .min(1, `Ask for at least 1 ${thing} per page.`)
    .max(PAGE_SIZE_MAX, `Ask for at most ${PAGE_SIZE_MAX} ${things} per page.`)
    .default(PAGE_SIZE_DEFAULT)
    .describe(`How many ${things} per page, 1 to ${PAGE_SIZE_MAX} (default ${PAGE_SIZE_DEFAULT}).`);
}

export const listDomainsInput = z
  .object({
    search: searchSchema.describe("Part of a domain's name or slug, matched case-insensitively."),
    cursor: cursorInputSchema,
    limit: limitSchema("domain", "domains"),
  })
  .prefault({});

export const domainIdInput = z.object({ id: idSchema.describe("The domain's id.") });

export const createDomainInput = z.object({
  name: domainNameSchema.describe("The display name, 1 to 100 characters."),
  slug: slugSchema.describe("The unique URL name: lowercase letters, digits and inner hyphens, at most 63 characters."),
  description: descriptionSchema.optional().describe("What the domain is for, at most 1000 characters."),
  emailDomains: emailDomainsSchema
    .optional()
    .describe(
      "Host names (such as example.com) whose new sign-ups join this domain; at most 20, each claimed by one domain only. Needs domains:admin.",
    ),
  mfaPolicy: mfaPolicySchema
    .optional()
    .describe('Whether members must use MFA: "off", "optional" (default) or "required". Anything but the default needs domains:admin.'),
});

export const updateDomainInput = z.object({
  id: idSchema.describe("The domain's id."),
  name: domainNameSchema.optional().describe("The new display name."),
  slug: slugSchema.optional().describe("The new unique URL name."),
  description: descriptionSchema.optional().describe("The new description; an empty string clears it."),
  emailDomains: emailDomainsSchema
    .optional()
    .describe("The complete new set of claimed email domains (replaces the old set). Changing it needs domains:admin."),
  mfaPolicy: mfaPolicySchema.optional().describe("The new MFA policy. Changing it needs domains:admin."),
});

export const deleteDomainInput = z.object({
  id: idSchema.describe("The domain's id."),
  cascade: z
    .boolean()
    .default(false)
    .describe("Also remove every role assignment and email domain of the domain. Without it, only an empty domain can be deleted."),
});

export const listMembersInput = z.object({
  id: idSchema.describe("The domain's id."),
  search: searchSchema.describe("Part of a member's email address or name, matched case-insensitively."),
  cursor: cursorInputSchema,
  limit: limitSchema("member", "members"),
});

export type DomainRow = typeof domain.$inferSelect;

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

/** Completes a page of domain rows with their email domains and member counts: one query each. */
export async function toDomainItems(db: Executor, rows: DomainRow[]): Promise<DomainItem[]> {
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

export async function toDomainItem(db: Executor, row: DomainRow): Promise<DomainItem> {
  const [item] = await toDomainItems(db, [row]);
  if (!item) throw new Error(`Domain ${row.id} could not be completed.`);
  return item;
}

export async function findDomain(db: Executor, id: string): Promise<DomainRow> {
  const [row] = await db.select().from(domain).where(eq(domain.id, id)).limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: DOMAIN_NOT_FOUND });
  return row;
}

/** Refuses a slug another domain already has (the caller learns nothing more than that it is taken). */
export async function assertSlugFree(db: Executor, slug: string, exceptDomainId: string | null): Promise<void> {
  const [taken] = await db
    .select({ id: domain.id })
    .from(domain)
    .where(exceptDomainId === null ? eq(domain.slug, slug) : and(eq(domain.slug, slug), ne(domain.id, exceptDomainId)))
    .limit(1);
  if (taken) throw new TRPCError({ code: "CONFLICT", message: `The slug “${slug}” is already taken.` });
}

/**
 * An email domain joins sign-ups to exactly one tenant. The other tenant is named only to callers
 * who may see it, so the message cannot be used to discover tenants.
 */
export async function assertEmailDomainsFree(
  db: Executor,
  authority: Authority,
  emailDomains: readonly string[],
  exceptDomainId: string | null,
): Promise<void> {
  if (emailDomains.length === 0) return;
  const claims = await db
    .select({ emailDomain: domainEmailDomain.emailDomain, domainId: domain.id, domainName: domain.name })
    .from(domainEmailDomain)
    .innerJoin(domain, eq(domain.id, domainEmailDomain.domainId))
    .where(
      exceptDomainId === null
        ? inArray(domainEmailDomain.emailDomain, [...emailDomains])
        : and(inArray(domainEmailDomain.emailDomain, [...emailDomains]), ne(domainEmailDomain.domainId, exceptDomainId)),
    )
    .orderBy(asc(domainEmailDomain.emailDomain))
    .limit(1);
  const [claim] = claims;
  if (!claim) return;
  const owner = authority.has("domains:read", claim.domainId) ? `domain “${claim.domainName}”` : "another domain";
  throw new TRPCError({ code: "CONFLICT", message: `“${claim.emailDomain}” already belongs to ${owner}.` });
}

export async function emailDomainsOf(db: Executor, domainId: string): Promise<string[]> {
  const rows = await db
    .select({ emailDomain: domainEmailDomain.emailDomain })
    .from(domainEmailDomain)
    .where(eq(domainEmailDomain.domainId, domainId))
    .orderBy(asc(domainEmailDomain.emailDomain));
  return rows.map((row) => row.emailDomain);
}

export async function replaceEmailDomains(db: Executor, domainId: string, emailDomains: readonly string[]): Promise<void> {
  await db.delete(domainEmailDomain).where(eq(domainEmailDomain.domainId, domainId));
  if (emailDomains.length > 0) {
    await db.insert(domainEmailDomain).values(emailDomains.map((emailDomain) => ({ emailDomain, domainId })));
  }
}

export async function countMembers(db: Executor, domainId: string): Promise<number> {
  const [row] = await db
    .select({ members: countDistinct(roleAssignment.userId) })
    .from(roleAssignment)
    .where(eq(roleAssignment.domainId, domainId));
  return row?.members ?? 0;
}

/** Every permission carried by a role assigned in the domain: what a cascade would take away. */
export async function permissionsAssignedIn(db: Executor, domainId: string): Promise<Permission[]> {
  const rows = await db
    .selectDistinct({ permission: rolePermission.permission })
    .from(roleAssignment)
    .innerJoin(rolePermission, eq(rolePermission.roleId, roleAssignment.roleId))
    .where(eq(roleAssignment.domainId, domainId));
  return rows.map((row) => row.permission).filter(isPermission);
}

/**
 * Removes everything that hangs off a domain so the domain row itself can be deleted. Call it
 * inside the deleting transaction; resources that later gain a domain (OAuth clients) extend it.
 */
export async function removeDomainDependents(
  tx: Executor,
  domainId: string,
): Promise<{ removedAssignments: number; removedEmailDomains: number }> {
  const assignments = await tx
    .delete(roleAssignment)
    .where(eq(roleAssignment.domainId, domainId))
    .returning({ id: roleAssignment.id });
  const emailDomains = await tx
    .delete(domainEmailDomain)
    .where(eq(domainEmailDomain.domainId, domainId))
    .returning({ emailDomain: domainEmailDomain.emailDomain });
  return { removedAssignments: assignments.length, removedEmailDomains: emailDomains.length };
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Case-insensitive substring match; instr() rather than LIKE so that % and _ in a search are literal. */
function contains(column: SQLiteColumn, needle: string): SQL {
  return sql`instr(lower(${column}), ${needle.toLowerCase()}) > 0`;
}

const slugCursor = z.object({ slug: z.string() });
const emailCursor = z.object({ email: z.string() });

/** Domains visible in `scope`, ordered by slug (unique, so it is the whole keyset). */
export async function listDomains(
  db: Executor,
  scope: PermissionScope,
  input: { search?: string; cursor?: string; limit: number },
): Promise<Page<DomainItem>> {
  if (!scope.all && scope.domainIds.length === 0) return { items: [], nextCursor: null };
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, slugCursor).slug;
  const rows = await db
    .select()
    .from(domain)
    .where(
      and(
        scope.all ? undefined : inArray(domain.id, scope.domainIds),
        input.search ? or(contains(domain.name, input.search), contains(domain.slug, input.search)) : undefined,
        after === undefined ? undefined : gt(domain.slug, after),
      ),
    )
    .orderBy(asc(domain.slug))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];
  return {
    items: await toDomainItems(db, page),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ slug: last.slug }) : null,
  };
}

export interface DomainMember {
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
  const after = input.cursor === undefined ? undefined : decodeCursor(input.cursor, emailCursor).email;
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
        after === undefined ? undefined : gt(user.email, after),
      ),
    )
    .orderBy(asc(user.email))
    .limit(input.limit + 1);
  const page = rows.slice(0, input.limit);
  const last = page[page.length - 1];

  const rolesOf = new Map<string, { roleId: string; roleName: string }[]>();
  if (page.length > 0) {
    const assignments = await db
      .select({ userId: roleAssignment.userId, roleId: role.id, roleName: role.name })
      .from(roleAssignment)
      .innerJoin(role, eq(role.id, roleAssignment.roleId))
      .where(
        and(
          eq(roleAssignment.domainId, domainId),
          inArray(
            roleAssignment.userId,
            page.map((row) => row.id),
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
    items: page.map((row) => ({
      id: row.id,
      email: row.email,
      name: row.name,
      roles: rolesOf.get(row.id) ?? [],
      banned: row.bannedUserId !== null,
    })),
    nextCursor: rows.length > input.limit && last ? encodeCursor({ email: last.email }) : null,
  };
}
