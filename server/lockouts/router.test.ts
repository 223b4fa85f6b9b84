import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, attemptLimit, auditEvent } from "@/db/schema";
import { MFA_MAX_FAILED_ATTEMPTS, type Auth } from "@/server/auth/auth";
import { claimAttempt, lockAttempts } from "@/server/auth/attempt-limit";
import { networkAttemptKey } from "@/server/auth/plugins/second-factor-lockout";
import { STEP_UP_ATTEMPTS } from "@/server/auth/step-up";
import { TEST_PASSWORD, authRequest, cookieHeader } from "@/server/testing/auth";
import { grantRole, openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { outcome } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { codeAt, enrolledUser, passwordSignIn, sessionUserId, wrongCode } from "@/server/testing/two-factor";

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => ({ database, auth, personas } = await openPersonaTestBed()));

afterAll(() => database.destroy());

let addressSequence = 0;
/** A client address of its own, so that only the account's limit can lock. */
const nextIp = () => `10.16.${Math.floor(addressSequence / 250)}.${(addressSequence++ % 250) + 1}`;

/** An account with an authenticator app in `domainId`, its codes locked by wrong ones at a real sign-in challenge. */
async function accountWithLockedCodes(domainId: string) {
  const account = await enrolledUser(auth);
  await grantRole(database.db, account.userId, MEMBER_ROLE_ID, domainId);
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    const { cookie } = await passwordSignIn(auth, account.email, { ip: nextIp() });
    await authRequest(auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie, ip: nextIp() });
  }
  return account;
}

/** The right code at a new sign-in challenge: whether it signs the account in. */
async function signsInWithRightCode(account: Awaited<ReturnType<typeof enrolledUser>>): Promise<boolean> {
  const { cookie } = await passwordSignIn(auth, account.email, { ip: nextIp() });
  const answer = await authRequest(auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp) }, cookie, ip: nextIp() });
  return answer.ok && (await sessionUserId(auth, cookieHeader(answer))) === account.userId;
}

/** A signed-in account whose step-ups are locked by wrong passwords. */
async function accountWithLockedStepUp(domainId: string) {
  const account = await enrolledUser(auth);
  await grantRole(database.db, account.userId, MEMBER_ROLE_ID, domainId);
  const caller = await callerAs({ db: database.db, auth }, account.cookie);
  for (let attempt = 0; attempt < STEP_UP_ATTEMPTS.maxAttempts; attempt += 1) {
    await outcome(caller.account.reauthenticate({ method: "password", password: `wrong-password-${attempt}-x` }));
  }
  return { ...account, caller };
}

/** A network locked out through the limiter itself, as the second-factor plugin locks one. */
async function lockedNetwork() {
  const address = nextIp();
  await claimAttempt(database.db, networkAttemptKey(address), STEP_UP_ATTEMPTS);
  await lockAttempts(database.db, networkAttemptKey(address), new Date(Date.now() + 15 * 60_000));
  return address;
}

test("the list shows an account's lockouts to readers of users where it belongs, and a network's to global readers only", async () => {
  const inA = await accountWithLockedCodes(personas.domainA.id);
  const inB = await accountWithLockedStepUp(personas.domainB.id);
  const address = await lockedNetwork();

  const seenBy = async (caller: Personas["owner"]["caller"]) => (await caller.lockouts.list({})).items;
  const asOwner = await seenBy(personas.owner.caller);
  expect(asOwner.find((row) => row.userId === inA.userId)).toMatchObject({ limit: "account-codes", email: inA.email, domainId: personas.domainA.id, can: { unlock: true } });
  expect(asOwner.find((row) => row.userId === inB.userId)).toMatchObject({ limit: "account-step-up", attempts: STEP_UP_ATTEMPTS.maxAttempts, can: { unlock: true } });
  expect(asOwner.find((row) => row.address === address)).toMatchObject({ limit: "network-codes", userId: null, can: { unlock: true } });
  for (const row of asOwner) expect(row.lockedUntil.getTime()).toBeGreaterThan(Date.now());

  const asDomainAdminA = await seenBy(personas.domainAdminA.caller);
  expect(asDomainAdminA.map((row) => row.userId)).toContain(inA.userId);
  expect(asDomainAdminA.filter((row) => row.userId === inB.userId || row.address !== null)).toEqual([]);

  // The auditor reads every lockout and may clear none.
  expect((await seenBy(personas.auditor.caller)).every((row) => !row.can.unlock)).toBe(true);
  expect(await outcome(personas.member.caller.lockouts.list({}))).toBe("FORBIDDEN");
});

test("a domain administrator clears a lockout in their domain: the account signs in again, its count starts afresh, and it is audited", async () => {
  const account = await accountWithLockedCodes(personas.domainA.id);
  expect(await signsInWithRightCode(account)).toBe(false);
  const [row] = (await personas.domainAdminA.caller.lockouts.list({})).items.filter((item) => item.userId === account.userId);

  await expect(personas.domainAdminA.caller.lockouts.unlock({ key: row!.key })).resolves.toEqual({ cleared: true });

  expect(await database.db.$count(attemptLimit, eq(attemptLimit.key, row!.key))).toBe(0);
  expect(await signsInWithRightCode(account)).toBe(true);
  const [event] = await database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "lockout.cleared"), eq(auditEvent.targetId, account.userId)));
  expect(event).toMatchObject({ actorUserId: personas.domainAdminA.userId, domainId: personas.domainA.id, targetType: "user" });
  expect(event!.details).toMatchObject({ limit: "account-codes", attempts: MFA_MAX_FAILED_ATTEMPTS });
  // Cleared once: a second call finds nothing to clear.
  expect(await outcome(personas.domainAdminA.caller.lockouts.unlock({ key: row!.key }))).toBe("NOT_FOUND");
});

test("a cleared step-up lockout lets the account confirm it is them again", async () => {
  const account = await accountWithLockedStepUp(personas.domainA.id);
  expect(await outcome(account.caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }))).toBe("TOO_MANY_REQUESTS");
  const [row] = (await personas.admin.caller.lockouts.list({})).items.filter((item) => item.userId === account.userId);
  await personas.admin.caller.lockouts.unlock({ key: row!.key });
  expect(await outcome(account.caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }))).toBe("ok");
});

test("lockouts across domains, of networks and of one's own account are refused, and change nothing", async () => {
  const inB = await accountWithLockedCodes(personas.domainB.id);
  const address = await lockedNetwork();
  const rows = (await personas.owner.caller.lockouts.list({})).items;
  const keyOf = (match: (row: (typeof rows)[number]) => boolean) => rows.find(match)!.key;
  const clearings = () => database.db.$count(auditEvent, eq(auditEvent.action, "lockout.cleared"));
  const clearedBefore = await clearings();

  // Another tenant's lockout, and a network's, are not there for a domain administrator of A.
  expect(await outcome(personas.domainAdminA.caller.lockouts.unlock({ key: keyOf((row) => row.userId === inB.userId) }))).toBe("NOT_FOUND");
  expect(await outcome(personas.domainAdminA.caller.lockouts.unlock({ key: keyOf((row) => row.address === address) }))).toBe("NOT_FOUND");
  // Reading is not clearing.
  expect(await outcome(personas.auditor.caller.lockouts.unlock({ key: keyOf((row) => row.userId === inB.userId) }))).toBe("FORBIDDEN");

  // A locked administrator cannot lift their own lock: it is what holds back a stolen session.
  const lockedAdmin = await accountWithLockedStepUp(personas.domainA.id);
  await grantRole(database.db, lockedAdmin.userId, ADMIN_ROLE_ID);
  const ownKey = (await lockedAdmin.caller.lockouts.list({})).items.find((row) => row.userId === lockedAdmin.userId)!.key;
  expect(await outcome(lockedAdmin.caller.lockouts.unlock({ key: ownKey }))).toBe("FORBIDDEN");

  for (const key of [keyOf((row) => row.userId === inB.userId), keyOf((row) => row.address === address), ownKey]) {
    expect(await database.db.$count(attemptLimit, eq(attemptLimit.key, key))).toBe(1);
  }
  expect(await clearings()).toBe(clearedBefore);
});

test("bad or unknown lockout names are a 4xx, never a 500", async () => {
  const unlock = (key: unknown) => outcome(personas.owner.caller.lockouts.unlock({ key } as { key: string }));
  expect(await unlock("")).toBe("BAD_REQUEST");
  expect(await unlock("x".repeat(301))).toBe("BAD_REQUEST");
  expect(await unlock(42)).toBe("BAD_REQUEST");
  expect(await unlock("mfa:user:no-such-account")).toBe("NOT_FOUND");
  // A counter that only throttles (emails per address) is no lockout.
  await claimAttempt(database.db, "emails-per-address:/send-verification-email:someone@example.com", STEP_UP_ATTEMPTS);
  expect(await unlock("emails-per-address:/send-verification-email:someone@example.com")).toBe("NOT_FOUND");
  expect(await outcome(personas.owner.caller.lockouts.list({ cursor: "not-a-cursor" }))).toBe("BAD_REQUEST");
  expect(await outcome(personas.owner.caller.lockouts.list({ limit: 0 }))).toBe("BAD_REQUEST");
});
