import { randomUUID } from "node:crypto";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  auditEvent,
  domain,
  passkey,
  role,
  twoFactor,
  user,
  verification,
} from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { TEST_PASSWORD, authRequest, createSignedInOwner, createTestAuth, signUp } from "@/server/testing/auth";
import { createDomain, grantRole } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { codeAt, enrolTotp, insertPasskeyRow } from "@/server/testing/two-factor";
import { connectAs } from "@/server/mcp/testing";
import { callerAs } from "@/server/testing/trpc";
import { ageSignIn as ageSignInOf } from "@/server/testing/step-up";
import { createTRPCContext } from "@/server/trpc/context";
import { appRouter } from "@/server/trpc/root";
import { MFA_ENROLMENT_REQUIRED } from "@/server/users/mfa";
import { ReauthenticationRequired } from "./step-up";

let database: TestDatabase;
let auth: Auth;
let owner: { userId: string; email: string; cookie: string };

beforeAll(async () => {
  // Owner and admin require a second factor, as migrated.
  database = await createTestDatabase({ roleMfaRequirement: "as-migrated" });
  auth = await createTestAuth(database.db);
  owner = await createSignedInOwner(database.db, auth);
  owner = { ...owner, cookie: (await enrolTotp(auth, owner.cookie)).cookie };
});

afterAll(() => database.destroy());

async function caller(cookie: string) {
  return callerAs({ db: database.db, auth }, cookie);
}

/** What a refused call says, or "ok". */
async function outcome(call: Promise<unknown>): Promise<string> {
  try {
    await call;
    return "ok";
  } catch (error) {
    if (error instanceof TRPCError) return `${error.code}: ${error.message}`;
    throw error;
  }
}

async function ageSignIn(cookie: string, by?: number) {
  return ageSignInOf({ db: database.db, auth }, cookie, by);
}

type Caller = Awaited<ReturnType<typeof caller>>;

async function createConfidentialClient(as: Caller) {
  const { client } = await as.clients.create({
    name: `Step-up ${randomUUID().slice(0, 8)}`,
    type: "confidential",
    redirectUris: ["https://app.example.com/callback"],
    scopes: ["openid"],
    domainId: null,
  });
  return client;
}

async function auditCount(action: string, targetId: string): Promise<number> {
  return database.db.$count(auditEvent, and(eq(auditEvent.action, action), eq(auditEvent.targetId, targetId)));
}

// ---------------------------------------------------------------------------------------------
// Enforcement

test("a new admin without a second factor is refused everything but enrolment, until they enrol", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  const asAdmin = await caller(admin.cookie);

  const refused = await outcome(asAdmin.users.list({}));
  expect(refused).toBe(`FORBIDDEN: ${MFA_ENROLMENT_REQUIRED}: your role "admin" requires a second factor. Set up an authenticator app or a passkey on Account > Security.`);
  expect(await outcome(asAdmin.account.sessions())).toMatch(/^FORBIDDEN: MFA enrolment required/);
  // What the enrolment page needs keeps working.
  expect(await asAdmin.me.get()).toMatchObject({ id: admin.userId });
  expect(await asAdmin.account.mfaRequirement()).toEqual({
    required: true,
    requiredBy: ['role "admin"'],
    status: { enrolled: false, methods: [], passkeys: 0 },
  });

  const { cookie } = await enrolTotp(auth, admin.cookie);
  const enrolled = await caller(cookie);
  expect(await outcome(enrolled.users.list({}))).toBe("ok");
  expect((await enrolled.account.mfaRequirement()).status).toEqual({ enrolled: true, methods: ["totp"], passkeys: 0 });
});

test("a passkey satisfies the requirement as well as an authenticator app", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  await insertPasskeyRow(database.db, admin.userId);
  expect(await outcome((await caller(admin.cookie)).users.list({}))).toBe("ok");
});

test("a domain's required policy binds its members; optional and off do not", async () => {
  const strict = await createDomain(database.db, { name: "Strict Co" });
  const relaxed = await createDomain(database.db, { name: "Relaxed Co" });
  await database.db.update(domain).set({ mfaPolicy: "required" }).where(eq(domain.id, strict.id));
  await database.db.update(domain).set({ mfaPolicy: "off" }).where(eq(domain.id, relaxed.id));

  const bound = await signUp(auth);
  await grantRole(database.db, bound.userId, MEMBER_ROLE_ID, strict.id);
  const free = await signUp(auth);
  await grantRole(database.db, free.userId, MEMBER_ROLE_ID, relaxed.id);

  expect(await outcome((await caller(bound.cookie)).account.connectedApps())).toBe(
    `FORBIDDEN: ${MFA_ENROLMENT_REQUIRED}: your domain "Strict Co" requires a second factor. Set up an authenticator app or a passkey on Account > Security.`,
  );
  expect(await outcome((await caller(free.cookie)).account.connectedApps())).toBe("ok");

  // Switching the policy back off frees the member at the next call.
  await (await caller(owner.cookie)).domains.update({ id: strict.id, mfaPolicy: "optional" });
  expect(await outcome((await caller(bound.cookie)).account.connectedApps())).toBe("ok");
});

test("a custom role can require MFA, and the flag can be switched off on a built-in role", async () => {
  const asOwner = await caller(owner.cookie);
  const strictRole = await asOwner.roles.create({ name: `strict-${randomUUID().slice(0, 8)}`, permissions: ["users:read"], requiresMfa: true });
  expect(strictRole.requiresMfa).toBe(true);
  const holder = await signUp(auth);
  await grantRole(database.db, holder.userId, strictRole.id);
  expect(await outcome((await caller(holder.cookie)).users.list({}))).toMatch(/your role "strict-[0-9a-f]+" requires a second factor/);

  await asOwner.roles.update({ id: strictRole.id, requiresMfa: false });
  expect(await outcome((await caller(holder.cookie)).users.list({}))).toBe("ok");

  const events = await database.db
    .select({ details: auditEvent.details })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "role.updated"), eq(auditEvent.targetId, strictRole.id)));
  expect(events.map((event) => event.details)).toEqual([{ before: { requiresMfa: true }, after: { requiresMfa: false } }]);

  const [admin] = await database.db.select({ requiresMfa: role.requiresMfa }).from(role).where(eq(role.id, ADMIN_ROLE_ID));
  expect(admin?.requiresMfa).toBe(true);
});

// ---------------------------------------------------------------------------------------------
// Removing factors

test("switching off the authenticator app is refused while a policy requires it, unless a passkey remains", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  const { cookie } = await enrolTotp(auth, admin.cookie);

  const refused = await authRequest(auth, "/two-factor/disable", { body: { password: TEST_PASSWORD }, cookie });
  expect(refused.status).toBe(403);
  expect(await refused.json()).toMatchObject({ code: "MFA_REQUIRED_BY_POLICY" });
  const [stillOn] = await database.db.select({ on: user.twoFactorEnabled }).from(user).where(eq(user.id, admin.userId));
  expect(stillOn?.on).toBe(true);

  await insertPasskeyRow(database.db, admin.userId);
  const allowed = await authRequest(auth, "/two-factor/disable", { body: { password: TEST_PASSWORD }, cookie });
  expect(allowed.status).toBe(200);
});

test("deleting the last passkey: refused under a policy, needs that factor proved recently otherwise", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  const adminKey = (await insertPasskeyRow(database.db, admin.userId)).id;
  const underPolicy = await authRequest(auth, "/passkey/delete-passkey", { body: { id: adminKey }, cookie: admin.cookie });
  expect(underPolicy.status).toBe(403);
  expect(await underPolicy.json()).toMatchObject({ code: "MFA_REQUIRED_BY_POLICY" });

  const member = await signUp(auth);
  const memberKey = (await insertPasskeyRow(database.db, member.userId)).id;
  await ageSignIn(member.cookie);
  const stale = await authRequest(auth, "/passkey/delete-passkey", { body: { id: memberKey }, cookie: member.cookie });
  expect(stale.status).toBe(403);
  expect(await stale.json()).toMatchObject({ code: "REAUTH_REQUIRED" });

  // The password does not stand in for the factor being removed.
  await (await caller(member.cookie)).account.reauthenticate({ method: "password", password: TEST_PASSWORD });
  const passwordOnly = await authRequest(auth, "/passkey/delete-passkey", { body: { id: memberKey }, cookie: member.cookie });
  expect(passwordOnly.status).toBe(403);
  expect(await passwordOnly.json()).toMatchObject({ code: "REAUTH_REQUIRED", secondFactor: true });
  expect(await database.db.$count(passkey, eq(passkey.userId, member.userId))).toBe(1);
});

// ---------------------------------------------------------------------------------------------
// Step-up

test("rotating a client secret needs a sign-in from the last 10 minutes; the password renews it", async () => {
  const asOwner = await caller(owner.cookie);
  const client = await createConfidentialClient(asOwner);

  await ageSignIn(owner.cookie);
  const stale = asOwner.clients.rotateSecret({ clientId: client.clientId });
  await expect(stale).rejects.toMatchObject({ code: "FORBIDDEN", cause: expect.any(ReauthenticationRequired) });
  await expect(stale).rejects.toThrow("To rotate a client secret, confirm it is you: enter your password or an authentication code.");

  expect(await outcome(asOwner.account.reauthenticate({ method: "password", password: "not-the-password-at-all" }))).toBe(
    "BAD_REQUEST: That password is not right.",
  );
  await expect(asOwner.clients.rotateSecret({ clientId: client.clientId })).rejects.toMatchObject({ code: "FORBIDDEN" });

  await asOwner.account.reauthenticate({ method: "password", password: TEST_PASSWORD });
  await expect(asOwner.clients.rotateSecret({ clientId: client.clientId })).resolves.toMatchObject({ clientId: client.clientId });
  expect(await auditCount("auth.step_up", owner.userId)).toBeGreaterThanOrEqual(1);

  // Ten minutes later the step-up has worn off again.
  await ageSignIn(owner.cookie);
  await expect(asOwner.clients.rotateSecret({ clientId: client.clientId })).rejects.toMatchObject({ code: "FORBIDDEN" });
});

test("an authenticator code works for step-up too, and a wrong one does not", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  const { cookie, totp } = await enrolTotp(auth, admin.cookie);
  await ageSignIn(cookie);
  const asAdmin = await caller(cookie);
  const target = await signUp(auth);

  expect(await outcome(asAdmin.sessions.revokeAllForUser({ userId: target.userId }))).toMatch(/^FORBIDDEN: To revoke all/);
  const wrong = codeAt(totp) === "000000" ? "111111" : "000000";
  expect(await outcome(asAdmin.account.reauthenticate({ method: "totp", code: wrong }))).toBe("BAD_REQUEST: That code is not right.");
  await asAdmin.account.reauthenticate({ method: "totp", code: codeAt(totp) });
  expect(await outcome(asAdmin.sessions.revokeAllForUser({ userId: target.userId }))).toBe("ok");
});

test("five wrong step-up attempts lock step-up for that user, even with the right password", async () => {
  const member = await signUp(auth);
  const asMember = await caller(member.cookie);
  for (let attempt = 0; attempt < 5; attempt += 1) {
    expect(await outcome(asMember.account.reauthenticate({ method: "password", password: `wrong-password-${attempt}-x` }))).toBe(
      "BAD_REQUEST: That password is not right.",
    );
  }
  expect(await outcome(asMember.account.reauthenticate({ method: "password", password: TEST_PASSWORD }))).toBe(
    "TOO_MANY_REQUESTS: Too many wrong attempts to confirm it is you. Try again in 15 minutes.",
  );
  expect(await auditCount("auth.step_up_failed", member.userId)).toBe(5);
  expect(await auditCount("auth.step_up", member.userId)).toBe(0);
});

test("role grants, domain deletion and bulk client revocation are behind step-up as well", async () => {
  const asOwner = await caller(owner.cookie);
  await ageSignIn(owner.cookie);
  const target = await signUp(auth);
  const doomed = await createDomain(database.db);
  const client = await createConfidentialClient(asOwner);

  expect(await outcome(asOwner.roles.assign({ userId: target.userId, roleId: MEMBER_ROLE_ID, domainId: doomed.id }))).toMatch(
    /^FORBIDDEN: To grant a role/,
  );
  expect(await outcome(asOwner.domains.delete({ id: doomed.id }))).toMatch(/^FORBIDDEN: To delete a domain/);
  expect(await outcome(asOwner.grants.revokeAllForClient({ clientId: client.clientId }))).toMatch(/^FORBIDDEN: To revoke all/);
  // Refused before writing anything.
  expect(await database.db.$count(domain, eq(domain.id, doomed.id))).toBe(1);
});

test("over HTTP the refusal is a 403 whose data says REAUTH_REQUIRED, for the console to prompt and retry", async () => {
  await ageSignIn(owner.cookie);
  const doomed = await createDomain(database.db);
  const request = new Request("http://localhost:3000/api/trpc/domains.delete", {
    method: "POST",
    headers: { cookie: owner.cookie, "content-type": "application/json", origin: "http://localhost:3000" },
    body: JSON.stringify({ json: { id: doomed.id } }),
  });
  const response = await fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext({ db: database.db, auth, headers: request.headers }),
  });
  expect(response.status).toBe(403);
  const payload = (await response.json()) as { error: { json: { data: { reason?: string; code: string } } } };
  expect(payload.error.json.data).toMatchObject({ code: "FORBIDDEN", reason: "REAUTH_REQUIRED" });
});

test("through MCP, step-up judges the sign-in the token was authorized in", async () => {
  const target = await signUp(auth);
  const fresh = await connectAs({ db: database.db, auth }, owner.userId);
  const stale = await connectAs({ db: database.db, auth }, owner.userId, { signIn: "none" });
  try {
    const refused = await stale.call("revoke_all_for_user", { userId: target.userId });
    expect(refused.isError).toBe(true);
    expect(JSON.stringify(refused.content)).toContain("authorize this client again");
    const allowed = await fresh.call("revoke_all_for_user", { userId: target.userId });
    expect(allowed.isError).toBeFalsy();
  } finally {
    await fresh.close();
    await stale.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Administrator reset

test("an administrator resets a user's MFA: factors and trusted devices go, audited, and the user must enrol again", async () => {
  const admin = await signUp(auth);
  await grantRole(database.db, admin.userId, ADMIN_ROLE_ID);
  const enrolledAdmin = await enrolTotp(auth, admin.cookie);
  await insertPasskeyRow(database.db, admin.userId);
  await database.db.insert(verification).values({
    id: randomUUID(),
    identifier: "trust-device-record",
    value: admin.userId,
    expiresAt: new Date(Date.now() + 86_400_000),
  });
  const asOwner = await caller(owner.cookie);
  await asOwner.account.reauthenticate({ method: "password", password: TEST_PASSWORD });

  const detailBefore = await asOwner.users.get({ id: admin.userId });
  expect(detailBefore.mfa).toEqual({ enrolled: true, methods: ["totp", "passkey"], passkeys: 1 });

  await expect(asOwner.users.resetMfa({ id: admin.userId })).resolves.toEqual({
    id: admin.userId,
    mfa: { enrolled: false, methods: [], passkeys: 0 },
  });
  expect(await database.db.$count(twoFactor, eq(twoFactor.userId, admin.userId))).toBe(0);
  expect(await database.db.$count(passkey, eq(passkey.userId, admin.userId))).toBe(0);
  expect(await database.db.$count(verification, eq(verification.value, admin.userId))).toBe(0);
  const [event] = await database.db
    .select({ details: auditEvent.details, actor: auditEvent.actorUserId })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "user.mfa_reset"), eq(auditEvent.targetId, admin.userId)));
  expect(event).toMatchObject({ actor: owner.userId, details: { methods: ["totp", "passkey"], passkeys: 1 } });

  expect(await outcome((await caller(enrolledAdmin.cookie)).users.list({}))).toMatch(/^FORBIDDEN: MFA enrolment required/);
  expect(await outcome(asOwner.users.resetMfa({ id: admin.userId }))).toMatch(/^CONFLICT: .* has no second factor to reset\.$/);
  expect(await outcome(asOwner.users.resetMfa({ id: owner.userId }))).toMatch(/^FORBIDDEN: Change your own second factors/);
});

test("resetting MFA needs step-up like the other destructive actions", async () => {
  const member = await signUp(auth);
  await insertPasskeyRow(database.db, member.userId);
  await ageSignIn(owner.cookie);
  const asOwner = await caller(owner.cookie);
  expect(await outcome(asOwner.users.resetMfa({ id: member.userId }))).toMatch(/^FORBIDDEN: To reset a user's MFA/);
  expect(await database.db.$count(passkey, eq(passkey.userId, member.userId))).toBe(1);
  expect(await database.db.$count(auditEvent, sql`${auditEvent.action} = 'user.mfa_reset' and ${auditEvent.targetId} = ${member.userId}`)).toBe(0);
});
