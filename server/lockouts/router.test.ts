import { and, eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, MEMBER_ROLE_ID, attemptLimit, auditEvent } from "@/db/schema";
import { MFA_MAX_FAILED_ATTEMPTS } from "@/server/auth/auth";
import { claimAttempt, lockAttempts } from "@/server/auth/attempt-limit";
import { networkAttemptKey } from "@/server/auth/plugins/second-factor-lockout";
import { STEP_UP_ATTEMPTS } from "@/server/auth/step-up";
import { TEST_PASSWORD, authRequest, cookieHeader } from "@/server/testing/auth";
import { grantRole, personaTestBed, type Personas } from "@/server/testing/authz";
import { outcome } from "@/server/testing/outcome";
import { callerAs } from "@/server/testing/trpc";
import { codeAt, enrolledUser, passwordSignIn, sessionUserId, wrongCode } from "@/server/testing/two-factor";

const bed = personaTestBed();

let addressSequence = 0;
/** A client address of its own, so that only the account's limit can lock. */
const nextIp = () => `10.16.${Math.floor(addressSequence / 250)}.${(addressSequence++ % 250) + 1}`;

/** An account with an authenticator app in `domainId`, its codes locked by wrong ones at a real sign-in challenge. */
async function accountWithLockedCodes(domainId: string) {
  const account = await enrolledUser(bed.auth);
  await grantRole(bed.database.db, account.userId, MEMBER_ROLE_ID, domainId);
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    const { cookie } = await passwordSignIn(bed.auth, account.email, { ip: nextIp() });
    await authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie, ip: nextIp() });
  }
  return account;
}

/** The right code at a new sign-in challenge: whether it signs the account in. */
async function signsInWithRightCode(account: Awaited<ReturnType<typeof enrolledUser>>): Promise<boolean> {
  const { cookie } = await passwordSignIn(bed.auth, account.email, { ip: nextIp() });
  const answer = await authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp) }, cookie, ip: nextIp() });
  return answer.ok && (await sessionUserId(bed.auth, cookieHeader(answer))) === account.userId;
}

/** A signed-in account whose step-ups are locked by wrong passwords. */
async function accountWithLockedStepUp(domainId: string) {
  const account = await enrolledUser(bed.auth);
  await grantRole(bed.database.db, account.userId, MEMBER_ROLE_ID, domainId);
  const caller = await callerAs(bed.deps(), account.cookie);
  for (let attempt = 0; attempt < STEP_UP_ATTEMPTS.maxAttempts; attempt += 1) {
    await outcome(caller.account.reauthenticate({ method: "password", password: `wrong-password-${attempt}-x` }));
  }
  return { ...account, caller };
}

/** A network locked out through the limiter itself, as the second-factor plugin locks one. */
async function lockedNetwork() {
  const address = nextIp();
  await claimAttempt(bed.database.db, networkAttemptKey(address), STEP_UP_ATTEMPTS);
  await lockAttempts(bed.database.db, networkAttemptKey(address), new Date(Date.now() + 15 * 60_000));
  return address;
}

test("the list shows an account's lockouts to readers of users where it belongs, and a network's to global readers only", async () => {
  const inA = await accountWithLockedCodes(bed.personas.domainA.id);
  const inB = await accountWithLockedStepUp(bed.personas.domainB.id);
  const address = await lockedNetwork();

  const seenBy = async (caller: Personas["owner"]["caller"]) => (await caller.lockouts.list({})).items;
  const asOwner = await seenBy(bed.personas.owner.caller);
  expect(asOwner.find((row) => row.userId === inA.userId)).toMatchObject({ limit: "account-codes", email: inA.email, domainId: bed.personas.domainA.id, can: { unlock: true } });
  expect(asOwner.find((row) => row.userId === inB.userId)).toMatchObject({ limit: "account-step-up", attempts: STEP_UP_ATTEMPTS.maxAttempts, can: { unlock: true } });
  expect(asOwner.find((row) => row.address === address)).toMatchObject({ limit: "network-codes", userId: null, can: { unlock: true } });
  for (const row of asOwner) expect(row.lockedUntil.getTime()).toBeGreaterThan(Date.now());

  const asDomainAdminA = await seenBy(bed.personas.domainAdminA.caller);
  expect(asDomainAdminA.map((row) => row.userId)).toContain(inA.userId);
  expect(asDomainAdminA.filter((row) => row.userId === inB.userId || row.address !== null)).toEqual([]);

  // The auditor reads every lockout and may clear none.
  expect((await seenBy(bed.personas.auditor.caller)).every((row) => !row.can.unlock)).toBe(true);
  expect(await outcome(bed.personas.member.caller.lockouts.list({}))).toBe("FORBIDDEN");
});

test("a domain administrator clears a lockout in their domain: the account signs in again, its count starts afresh, and it is audited", async () => {
  const account = await accountWithLockedCodes(bed.personas.domainA.id);
  expect(await signsInWithRightCode(account)).toBe(false);
  const [row] = (await bed.personas.domainAdminA.caller.lockouts.list({})).items.filter((item) => item.userId === account.userId);

  await expect(bed.personas.domainAdminA.caller.lockouts.unlock({ key: row!.key })).resolves.toEqual({ cleared: true });

  expect(await bed.database.db.$count(attemptLimit, eq(attemptLimit.key, row!.key))).toBe(0);
  expect(await signsInWithRightCode(account)).toBe(true);
  const [event] = await bed.database.db
    .select()
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "lockout.cleared"), eq(auditEvent.targetId, account.userId)));
  expect(event).toMatchObject({ actorUserId: bed.personas.domainAdminA.userId, domainId: bed.personas.domainA.id, targetType: "user" });
  expect(event!.details).toMatchObject({ limit: "account-codes", attempts: MFA_MAX_FAILED_ATTEMPTS });
  // Cleared once: a second call finds nothing to clear.
  expect(await outcome(bed.personas.domainAdminA.caller.lockouts.unlock({ key: row!.key }))).toBe("NOT_FOUND");
});

test("a cleared step-up lockout lets the account confirm it is them again", async () => {
  const account = await accountWithLockedStepUp(bed.personas.domainA.id);
  expect(await outcome(account.caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }))).toBe("TOO_MANY_REQUESTS");
  const [row] = (await bed.personas.admin.caller.lockouts.list({})).items.filter((item) => item.userId === account.userId);
  await bed.personas.admin.caller.lockouts.unlock({ key: row!.key });
  expect(await outcome(account.caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD }))).toBe("ok");
});

test("lockouts across domains, of networks and of one's own account are refused, and change nothing", async () => {
  const inB = await accountWithLockedCodes(bed.personas.domainB.id);
  const address = await lockedNetwork();
  const rows = (await bed.personas.owner.caller.lockouts.list({})).items;
  const keyOf = (match: (row: (typeof rows)[number]) => boolean) => rows.find(match)!.key;
  const clearings = () => bed.database.db.$count(auditEvent, eq(auditEvent.action, "lockout.cleared"));
  const clearedBefore = await clearings();

  // Another tenant's lockout, and a network's, are not there for a domain administrator of A.
  expect(await outcome(bed.personas.domainAdminA.caller.lockouts.unlock({ key: keyOf((row) => row.userId === inB.userId) }))).toBe("NOT_FOUND");
  expect(await outcome(bed.personas.domainAdminA.caller.lockouts.unlock({ key: keyOf((row) => row.address === address) }))).toBe("NOT_FOUND");
  // Reading is not clearing.
  expect(await outcome(bed.personas.auditor.caller.lockouts.unlock({ key: keyOf((row) => row.userId === inB.userId) }))).toBe("FORBIDDEN");

  // A locked administrator cannot lift their own lock: it is what holds back a stolen session.
  const lockedAdmin = await accountWithLockedStepUp(bed.personas.domainA.id);
  await grantRole(bed.database.db, lockedAdmin.userId, ADMIN_ROLE_ID);
  const ownKey = (await lockedAdmin.caller.lockouts.list({})).items.find((row) => row.userId === lockedAdmin.userId)!.key;
  expect(await outcome(lockedAdmin.caller.lockouts.unlock({ key: ownKey }))).toBe("FORBIDDEN");

  for (const key of [keyOf((row) => row.userId === inB.userId), keyOf((row) => row.address === address), ownKey]) {
    expect(await bed.database.db.$count(attemptLimit, eq(attemptLimit.key, key))).toBe(1);
  }
  expect(await clearings()).toBe(clearedBefore);
});

test("bad or unknown lockout names are a 4xx, never a 500", async () => {
  const unlock = (key: unknown) => outcome(bed.personas.owner.caller.lockouts.unlock({ key } as { key: string }));
  expect(await unlock("")).toBe("BAD_REQUEST");
  expect(await unlock("x".repeat(301))).toBe("BAD_REQUEST");
  expect(await unlock(42)).toBe("BAD_REQUEST");
  expect(await unlock("mfa:user:no-such-account")).toBe("NOT_FOUND");
  // A counter that only throttles (emails per address) is no lockout.
  await claimAttempt(bed.database.db, "emails-per-address:/send-verification-email:someone@example.com", STEP_UP_ATTEMPTS);
  expect(await unlock("emails-per-address:/send-verification-email:someone@example.com")).toBe("NOT_FOUND");
  expect(await outcome(bed.personas.owner.caller.lockouts.list({ cursor: "not-a-cursor" }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.lockouts.list({ limit: 0 }))).toBe("BAD_REQUEST");
});
