import { afterAll, beforeAll, expect, test } from "vitest";
import type { Auth } from "@/server/auth/auth";
import { signUp } from "@/server/testing/auth";
import { grantRole, openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { unique } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => ({ database, auth, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

const EVERY_SECTION = { users: true, roles: true, domains: true, clients: true, sessions: true, audit: true };
const NO_SECTION = { users: false, roles: false, domains: false, clients: false, sessions: false, audit: false };

test("me.console opens every section to those who read everything, and none to a member", async () => {
  for (const persona of [personas.owner, personas.admin, personas.auditor, personas.domainAdminA]) {
    expect(await persona.caller.me.console()).toEqual(EVERY_SECTION);
  }
  expect(await personas.member.caller.me.console()).toEqual(NO_SECTION);
});

test("me.console opens a section for its read permission held in a single domain", async () => {
  const reader = await signUp(auth);
  const role = await personas.owner.caller.roles.create({ name: unique("session-readers"), permissions: ["tokens:read", "audit:read"] });
  await grantRole(database.db, reader.userId, role.id, personas.domainB.id);
  const caller = await callerAs({ db: database.db, auth }, reader.cookie);
  expect(await caller.me.console()).toEqual({ ...NO_SECTION, sessions: true, audit: true });
});

test("me.console needs a signed-in caller", async () => {
  await expect(personas.anonymous.me.console()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
});
