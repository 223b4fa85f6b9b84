import { randomUUID } from "node:crypto";
import { expect } from "vitest";
import { and, eq, isNull } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  ADMIN_ROLE_ID,
  AUDITOR_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  auditEvent,
  domain,
  domainEmailDomain,
  role,
  roleAssignment,
  rolePermission,
} from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import type { Permission } from "@/server/shared/permissions";
import { createSignedInOwner, createTestAuth, signUp, uniqueEmail } from "./auth";
import { createTestDatabase, testBed, type TestDatabase } from "./db";
import { outcome, rejection, unique } from "./outcome";
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

/** A signed-up account holding the member role in `domainId`, so administrators of that domain can see it. */
export async function createMember(deps: { db: Database; auth: Auth }, domainId: string, prefix = "member") {
  const created = await signUp(deps.auth, uniqueEmail(prefix));
  await grantRole(deps.db, created.userId, MEMBER_ROLE_ID, domainId);
  return created;
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

/** A migrated database, the real auth instance on it, and the matrix personas: what router tests start from. */
export async function openPersonaTestBed() {
  const database = await createTestDatabase();
  const auth = await createTestAuth(database.db);
  const personas = await createPersonas({ db: database.db, auth });
  return { database, auth, personas };
}

/** The persona test bed of one test file (see openPersonaTestBed and testBed), with `deps()` for the factories. */
export function personaTestBed() {
  return testBed(async () => {
    const opened = await openPersonaTestBed();
    return { ...opened, deps: () => ({ db: opened.database.db, auth: opened.auth }) };
  });
}

/**
 * The cast of the allow/deny matrices: every built-in kind of caller, with two tenants so that
 * a domain-admin can be tried both inside and outside their domain.
 */
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

/** A cell of an allow/deny matrix: the call succeeds, or the tRPC code it is refused with. */
export type Expected = "ok" | "FORBIDDEN" | "NOT_FOUND" | "UNAUTHORIZED";

/**
 * The row of a procedure any reader may call wherever it holds the permission: lists are scoped
 * rather than refused, so the domain-admin looking at B gets an empty page, not a refusal.
 */
export const READABLE_ANYWHERE: Readonly<Record<PersonaName, Expected>> = {
  owner: "ok",
  admin: "ok",
  domainAdminOnA: "ok",
  domainAdminOnB: "ok",
  auditor: "ok",
  member: "FORBIDDEN",
  anonymous: "UNAUTHORIZED",
};

type MatrixRowOutcomes = Record<PersonaName, Expected>;

/** Every (procedure, persona, expected outcome) cell of a matrix, for `test.each`; a row is its outcomes or carries them as `expected`. */
export function matrixCases<P extends string>(matrix: Record<P, MatrixRowOutcomes | { expected: MatrixRowOutcomes }>) {
  const outcomesOf = (row: MatrixRowOutcomes | { expected: MatrixRowOutcomes }) => ("expected" in row ? row.expected : row);
  return (Object.keys(matrix) as P[]).flatMap((procedure) =>
    MATRIX_PERSONAS.map((persona) => [procedure, persona, outcomesOf(matrix[procedure])[persona]] as const),
  );
}

/** Runs a matrix cell by counting audit rows: the outcome, and exactly one new row when an allowed call is a mutation. */
export async function expectCellOutcome(db: Database, call: () => Promise<unknown>, expected: Expected, mutation: boolean) {
  const eventsBefore = await countAuditRows(db);
  expect(await outcome(call())).toBe(expected);
  expect((await countAuditRows(db)) - eventsBefore).toBe(mutation && expected === "ok" ? 1 : 0);
}

/** The domain a matrix row acts in: the domain-admin's own A, the foreign B, and A for everyone else. */
export function matrixDomain(personas: Personas, name: PersonaName): string {
  return name === "domainAdminOnB" ? personas.domainB.id : personas.domainA.id;
}

/** The user id a matrix persona's audit rows name as actor (none for the anonymous caller). */
export function matrixActorId(personas: Personas, name: PersonaName): string | null {
  if (name === "anonymous") return null;
  if (name === "domainAdminOnA" || name === "domainAdminOnB") return personas.domainAdminA.userId;
  return personas[name].userId;
}

/** A custom role holding exactly `permissions`, written directly so a test does not go through the roles router. */
export async function createCustomRole(db: Database, permissions: readonly Permission[], name = unique("Custom")) {
  const id = `role_${randomUUID()}`;
  await db.insert(role).values({ id, name });
  if (permissions.length > 0) {
    await db.insert(rolePermission).values(permissions.map((permission) => ({ roleId: id, permission })));
  }
  return { id, name };
}

/** A fresh user holding, for each entry, a custom role with exactly those permissions in that domain (global when null). */
export async function createPersonaWith(
  deps: { db: Database; auth: Auth },
  grants: readonly { permissions: readonly Permission[]; domainId: string | null }[],
): Promise<Persona> {
  const persona = await createPersona(deps, null, null, "custom");
  for (const { permissions, domainId } of grants) {
    const granted = await createCustomRole(deps.db, permissions);
    await grantRole(deps.db, persona.userId, granted.id, domainId);
  }
  return persona;
}

/** The audit rows a call wrote, whatever it returned or threw. */
export async function eventsDuring<T>(db: Database, call: () => Promise<T>) {
  const before = new Set((await auditRows(db)).map((row) => row.id));
  const result = await call().then(
    (value) => ({ value, error: undefined }),
    (error: unknown) => ({ value: undefined, error }),
  );
  const events = (await auditRows(db)).filter((row) => !before.has(row.id));
  return { ...result, events };
}

/** Runs `call` and checks that it failed with `code` (and `message`) without writing an audit event. */
export async function expectRefused(
  db: TestDatabase["db"],
  call: Promise<unknown>,
  code: string,
  message?: string | RegExp,
) {
  const eventsBefore = await countAuditRows(db);
  const error = await rejection(call);
  expect(error.code).toBe(code);
  if (typeof message === "string") expect(error.message).toBe(message);
  else if (message) expect(error.message).toMatch(message);
  expect(await countAuditRows(db)).toBe(eventsBefore);
  return error;
}

/**
 * Checks that a router's procedures are exactly the matrix's rows, and that each describes itself
 * in a sentence and declares the access `accessOf` derives from its matrix row.
 */
export function expectMatrixCoversRouter<Row>(
  router: { _def: { procedures: object } },
  matrix: Record<string, Row>,
  accessOf: (row: Row) => unknown,
) {
  expect(Object.keys(router._def.procedures).sort()).toEqual(Object.keys(matrix).sort());
  for (const [name, procedure] of Object.entries(router._def.procedures)) {
    const meta = (procedure as { _def: { meta?: { description?: string; access?: unknown } } })._def.meta;
    expect(meta?.description, name).toMatch(/\S.*\.$/);
    expect(meta?.access, name).toEqual(accessOf(matrix[name] as Row));
  }
}

/** The access a procedure guarded by the one permission its matrix row names declares. */
export const permissionAccess = (row: { permission: Permission }) => ({ kind: "permissions", permissions: [row.permission] });

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
