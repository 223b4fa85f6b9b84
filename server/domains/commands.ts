import { randomUUID } from "node:crypto";
import { TRPCError } from "@trpc/server";
import { and, asc, countDistinct, eq, inArray, ne } from "drizzle-orm";
import type { Database, Executor } from "@/db/client";
import { domain, domainEmailDomain, roleAssignment, rolePermission, type MfaPolicy } from "@/db/schema";
import { recordEvent, type AuditActor } from "@/server/audit/record";
import type { Authority } from "@/server/authz/authority";
import { assertHoldsAll, authorizeIn, requireGlobally } from "@/server/authz/guard";
import { countDomainClients, deleteDomainClients } from "@/server/oauth/clients";
import { isPermission, type Permission } from "@/server/shared/permissions";

export const DOMAIN_NOT_FOUND = "Domain not found.";
const DEFAULT_MFA_POLICY: MfaPolicy = "optional";

// ---------------------------------------------------------------------------------------------
// Rules: what the commands enforce, and what the queries' `can` flags ask of the same functions.

const IN_THE_DOMAIN = { visibleWith: "domains:read", notFound: DOMAIN_NOT_FOUND } as const;

/**
 * The permission each procedure on one domain checks in that domain itself (a domain is scoped to
 * itself). The router hands these to `rowProcedure`, and the queries' flags check the same ones with
 * `authorizeIn`, the function `rowProcedure` uses: a domain the caller cannot read is not found.
 */
export const ROW_ACCESS = {
  read: { permission: "domains:read", ...IN_THE_DOMAIN },
  edit: { permission: "domains:write", ...IN_THE_DOMAIN },
  delete: { permission: "domains:delete", ...IN_THE_DOMAIN },
  readMembers: { permission: "users:read", ...IN_THE_DOMAIN },
} as const satisfies Record<string, { permission: Permission; visibleWith: Permission; notFound: string }>;

/** Domains are global objects: creating one needs domains:write globally. */
export function assertMayCreate(authority: Authority): void {
  requireGlobally(authority, "domains:write");
}

/** Claiming email domains or choosing an MFA policy on creation needs domains:admin globally. */
export function assertMayCreateWithPolicy(authority: Authority): void {
  requireGlobally(authority, "domains:admin");
}

/** Which sign-ups join a domain and whether its members need MFA is domains:admin's, in the domain. */
export function assertMayChangePolicy(authority: Authority, domainId: string): void {
  authorizeIn(authority, { permission: "domains:admin", domainId, ...IN_THE_DOMAIN });
}

// ---------------------------------------------------------------------------------------------
// Commands: each one transaction that writes its audit event.

interface Acting {
  db: Database;
  actor: AuditActor;
  authority: Authority;
}

interface DomainFields {
  name: string;
  slug: string;
  description: string;
  mfaPolicy: MfaPolicy;
  emailDomains: string[];
}

/** Creates a domain and returns its id. */
export async function createDomain(
  { db, actor, authority }: Acting,
  input: { name: string; slug: string; description?: string; emailDomains?: string[]; mfaPolicy?: MfaPolicy },
): Promise<string> {
  assertMayCreate(authority);
  const emailDomains = input.emailDomains ?? [];
  const mfaPolicy = input.mfaPolicy ?? DEFAULT_MFA_POLICY;
  if (emailDomains.length > 0 || mfaPolicy !== DEFAULT_MFA_POLICY) assertMayCreateWithPolicy(authority);

  return db.transaction(async (tx) => {
    await assertSlugFree(tx, input.slug, null);
    await assertEmailDomainsFree(tx, authority, emailDomains, null);
    const id = randomUUID();
    await tx.insert(domain).values({ id, name: input.name, slug: input.slug, description: input.description ?? "", mfaPolicy });
    await replaceEmailDomains(tx, id, emailDomains);
    await recordEvent(tx, actor, {
      action: "domain.created",
      targetType: "domain",
      targetId: id,
      domainId: id,
      details: { name: input.name, slug: input.slug, emailDomains, mfaPolicy },
    });
    return id;
  });
}

/**
 * Changes the given fields of a domain the caller may edit (checked by the procedure) and returns
 * its id. Nothing differs: no write and no audit event, so a form saved unchanged leaves no trace.
 */
export async function updateDomain(
  { db, actor, authority }: Acting,
  id: string,
  input: Partial<DomainFields>,
): Promise<string> {
  return db.transaction(async (tx) => {
    const current = await currentDomain(tx, id);
    const before: DomainFields = { ...current, emailDomains: await emailDomainsOf(tx, current.id) };
    const changedBefore: Partial<DomainFields> = {};
    const changedAfter: Partial<DomainFields> = {};
    for (const field of ["name", "slug", "description", "mfaPolicy"] as const) {
      const next = input[field];
      if (next !== undefined && next !== before[field]) {
        Object.assign(changedBefore, { [field]: before[field] });
        Object.assign(changedAfter, { [field]: next });
      }
    }
    if (input.emailDomains !== undefined && !sameSet(input.emailDomains, before.emailDomains)) {
      changedBefore.emailDomains = before.emailDomains;
      changedAfter.emailDomains = input.emailDomains;
    }
    if (Object.keys(changedAfter).length === 0) return current.id;

    if (changedAfter.emailDomains !== undefined || changedAfter.mfaPolicy !== undefined) assertMayChangePolicy(authority, current.id);
    if (changedAfter.slug !== undefined) await assertSlugFree(tx, changedAfter.slug, current.id);
    if (changedAfter.emailDomains !== undefined) await assertEmailDomainsFree(tx, authority, changedAfter.emailDomains, current.id);

    const { emailDomains, ...columns } = changedAfter;
    await tx
      .update(domain)
      .set({ ...columns, updatedAt: new Date() })
      .where(eq(domain.id, current.id));
    if (emailDomains !== undefined) await replaceEmailDomains(tx, current.id, emailDomains);
    await recordEvent(tx, actor, {
      action: "domain.updated",
      targetType: "domain",
      targetId: current.id,
      domainId: current.id,
      details: { before: changedBefore, after: changedAfter },
    });
    return current.id;
  });
}

/**
 * Deletes a domain the caller may delete (checked by the procedure). One with members or OAuth
 * clients only with `cascade`, which removes its role assignments, email domains and clients (their
 * tokens revoked) in the same transaction.
 */
export async function deleteDomain(
  { db, actor, authority }: Acting,
  id: string,
  cascade: boolean,
): Promise<{ id: string; removedAssignments: number; removedClients: number }> {
  return db.transaction(async (tx) => {
    const current = await currentDomain(tx, id);
    const memberCount = await countMembers(tx, current.id);
    const clientCount = await countDomainClients(tx, current.id);
    if ((memberCount > 0 || clientCount > 0) && !cascade) {
      const held = [memberCount > 0 ? members(memberCount) : null, clientCount > 0 ? clients(clientCount) : null].filter(Boolean);
      throw new TRPCError({
        code: "CONFLICT",
        message: `Domain “${current.name}” still has ${held.join(" and ")}. Remove them first, or delete it with cascade.`,
      });
    }
    if (memberCount > 0) {
      // A cascade takes these roles away from their holders, which nobody may do beyond their own permissions.
      assertHoldsAll(authority, await permissionsAssignedIn(tx, current.id), current.id, "remove");
    }
    const { removedAssignments } = await removeDomainDependents(tx, current.id);
    const removedClients = await deleteDomainClients(tx, current.id);
    await tx.delete(domain).where(eq(domain.id, current.id));
    await recordEvent(tx, actor, {
      action: "domain.deleted",
      targetType: "domain",
      targetId: current.id,
      domainId: current.id,
      details: { name: current.name, slug: current.slug, removedAssignments, removedClients },
    });
    return { id: current.id, removedAssignments, removedClients: removedClients.length };
  });
}

// ---------------------------------------------------------------------------------------------
// What the commands read and write inside their transaction.

/** The domain as it is inside the transaction: it may have gone since the procedure loaded it. */
async function currentDomain(tx: Executor, id: string) {
  const [row] = await tx
    .select({ id: domain.id, name: domain.name, slug: domain.slug, description: domain.description, mfaPolicy: domain.mfaPolicy })
    .from(domain)
    .where(eq(domain.id, id))
    .limit(1);
  if (!row) throw new TRPCError({ code: "NOT_FOUND", message: DOMAIN_NOT_FOUND });
  return row;
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((value, index) => value === b[index]);
}

function members(count: number): string {
  return count === 1 ? "1 member" : `${count} members`;
}

function clients(count: number): string {
  return count === 1 ? "1 OAuth client" : `${count} OAuth clients`;
}

/** Refuses a slug another domain already has (the caller learns nothing more than that it is taken). */
async function assertSlugFree(tx: Executor, slug: string, exceptDomainId: string | null): Promise<void> {
  const [taken] = await tx
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
async function assertEmailDomainsFree(
  tx: Executor,
  authority: Authority,
  emailDomains: readonly string[],
  exceptDomainId: string | null,
): Promise<void> {
  if (emailDomains.length === 0) return;
  const [claim] = await tx
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
  if (!claim) return;
  const owner = authority.has("domains:read", claim.domainId) ? `domain “${claim.domainName}”` : "another domain";
  throw new TRPCError({ code: "CONFLICT", message: `“${claim.emailDomain}” already belongs to ${owner}.` });
}

async function emailDomainsOf(tx: Executor, domainId: string): Promise<string[]> {
  const rows = await tx
    .select({ emailDomain: domainEmailDomain.emailDomain })
    .from(domainEmailDomain)
    .where(eq(domainEmailDomain.domainId, domainId))
    .orderBy(asc(domainEmailDomain.emailDomain));
  return rows.map((row) => row.emailDomain);
}

async function replaceEmailDomains(tx: Executor, domainId: string, emailDomains: readonly string[]): Promise<void> {
  await tx.delete(domainEmailDomain).where(eq(domainEmailDomain.domainId, domainId));
  if (emailDomains.length > 0) {
    await tx.insert(domainEmailDomain).values(emailDomains.map((emailDomain) => ({ emailDomain, domainId })));
  }
}

async function countMembers(tx: Executor, domainId: string): Promise<number> {
  const [row] = await tx
    .select({ members: countDistinct(roleAssignment.userId) })
    .from(roleAssignment)
    .where(eq(roleAssignment.domainId, domainId));
  return row?.members ?? 0;
}

/** Every permission carried by a role assigned in the domain: what a cascade would take away. */
async function permissionsAssignedIn(tx: Executor, domainId: string): Promise<Permission[]> {
  const rows = await tx
    .selectDistinct({ permission: rolePermission.permission })
    .from(roleAssignment)
    .innerJoin(rolePermission, eq(rolePermission.roleId, roleAssignment.roleId))
    .where(eq(roleAssignment.domainId, domainId));
  return rows.map((row) => row.permission).filter(isPermission);
}

/** Removes the role assignments and email domains that hang off a domain, so the row itself can go. */
async function removeDomainDependents(tx: Executor, domainId: string): Promise<{ removedAssignments: number }> {
  const assignments = await tx
    .delete(roleAssignment)
    .where(eq(roleAssignment.domainId, domainId))
    .returning({ id: roleAssignment.id });
  await tx.delete(domainEmailDomain).where(eq(domainEmailDomain.domainId, domainId));
  return { removedAssignments: assignments.length };
}
