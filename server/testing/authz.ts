import { randomUUID } from "node:crypto";
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  ADMIN_ROLE_ID,
  AUDITOR_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  auditEvent,
  domain,
  domainEmailDomain,
  roleAssignment,
} from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { createSignedInOwner, createTestAuth, signUp, uniqueEmail } from "./auth";
import { createTestDatabase } from "./db";
import { callerAs } from "./trpc";

let domainSequence = 0;

/** A domain row written directly: tests of other features need tenants without going through the router. */
export async function createDomain(
  db: Database,
  options: { name?: string; slug?: string; emailDomains?: string[] } = {},
): Promise<{ id: string; slug: string; name: string }> {
  domainSequence += 1;
  const slug = options.slug ?? `tenant-${domainSequence}-${randomUUID().slice(0, 8)}`;
  const row = { id: randomUUID(), name: options.name ?? `Tenant ${domainSequence}`, slug };
  await db.insert(domain).values(row);
  for (const emailDomain of options.emailDomains ?? []) {
    await db.insert(domainEmailDomain).values({ emailDomain, domainId: row.id });
  }
  return row;
}

export async function grantRole(db: Database, userId: string, roleId: string, domainId: string | null = null) {
  await db.insert(roleAssignment).values({ id: randomUUID(), userId, roleId, domainId });
}

export async function hasRole(db: Database, userId: string, roleId: string, domainId: string | null) {
  const rows = await db
    .select({ id: roleAssignment.id })
    .from(roleAssignment)
    .where(
      and(
        eq(roleAssignment.userId, userId),
        eq(roleAssignment.roleId, roleId),
        domainId === null ? isNull(roleAssignment.domainId) : eq(roleAssignment.domainId, domainId),
      ),
    );
  return rows.length > 0;
}

export type Caller = Awaited<ReturnType<typeof callerAs>>;

export interface Persona {
  userId: string;
  email: string;
  cookie: string;
  caller: Caller;
}

/** A signed-up user holding `roleId` in `domainId` (global when null), with a caller acting as them. */
export async function createPersona(
  deps: { db: Database; auth: Auth },
  roleId: string | null,
  domainId: string | null = null,
  prefix = "persona",
): Promise<Persona> {
  const { userId, email, cookie } = await signUp(deps.auth, uniqueEmail(prefix));
  if (roleId) await grantRole(deps.db, userId, roleId, domainId);
  return { userId, email, cookie, caller: await callerAs(deps, cookie) };
}

/**
 * The cast of the allow/deny matrices: every built-in kind of caller, with two tenants so that
 * a domain-admin can be tried both inside and outside their domain.
 */
/** A migrated database, the real auth instance on it, and the matrix personas: what router tests start from. */
export async function openPersonaTestBed() {
  const database = await createTestDatabase();
  const auth = await createTestAuth(database.db);
  const personas = await createPersonas({ db: database.db, auth });
  return { database, auth, personas };
}

export async function createPersonas(deps: { db: Database; auth: Auth }) {
  const ownerAccount = await createSignedInOwner(deps.db, deps.auth);
  const owner: Persona = { ...ownerAccount, caller: await callerAs(deps, ownerAccount.cookie) };
  const domainA = await createDomain(deps.db, { name: "Domain A" });
  const domainB = await createDomain(deps.db, { name: "Domain B" });
  const admin = await createPersona(deps, ADMIN_ROLE_ID, null, "admin");
  const domainAdminA = await createPersona(deps, DOMAIN_ADMIN_ROLE_ID, domainA.id, "domain-admin-a");
  const auditor = await createPersona(deps, AUDITOR_ROLE_ID, null, "auditor");
  const member = await createPersona(deps, null, null, "member");
  const anonymous = await callerAs(deps);
  return { owner, admin, domainAdminA, auditor, member, anonymous, domainA, domainB };
}

export type Personas = Awaited<ReturnType<typeof createPersonas>>;

/** The rows of an allow/deny matrix: the domain-admin appears twice, acting on its own domain A and on B. */
export type PersonaName = "owner" | "admin" | "domainAdminOnA" | "domainAdminOnB" | "auditor" | "member" | "anonymous";

export const MATRIX_PERSONAS: readonly PersonaName[] = [
  "owner",
  "admin",
  "domainAdminOnA",
  "domainAdminOnB",
  "auditor",
  "member",
  "anonymous",
];

export function matrixCaller(personas: Personas, name: PersonaName): Caller {
  switch (name) {
    case "domainAdminOnA":
    case "domainAdminOnB":
      return personas.domainAdminA.caller;
    case "anonymous":
      return personas.anonymous;
    default:
      return personas[name].caller;
  }
}

/** Audit rows in insertion order, for asserting that a mutation wrote exactly what it should. */
export async function auditRows(db: Database, filter: { action?: string; targetId?: string } = {}) {
  const rows = await db
    .select()
    .from(auditEvent)
    .where(
      and(
        filter.action ? eq(auditEvent.action, filter.action) : undefined,
        filter.targetId ? eq(auditEvent.targetId, filter.targetId) : undefined,
      ),
    )
    .orderBy(auditEvent.at, auditEvent.id);
  return rows;
}

export async function countAuditRows(db: Database): Promise<number> {
  return (await db.$count(auditEvent));
}
