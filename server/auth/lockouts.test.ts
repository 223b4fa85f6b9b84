import { and, eq, sql } from "drizzle-orm";
import { expect, test } from "vitest";
import { auditEvent } from "@/db/schema";
import { MFA_MAX_FAILED_ATTEMPTS } from "@/server/auth/auth";
import { STEP_UP_ATTEMPTS } from "@/server/auth/step-up";
import { TEST_PASSWORD, authRequest, cookieHeader, authTestBed } from "@/server/testing/auth";
import { codeAt, enrolledUser, passwordSignIn, sessionUserId, wrongCode } from "@/server/testing/two-factor";
import { callerAs } from "@/server/testing/trpc";
import { clientAddresses } from "@/server/testing/http-request";

/**
 * Every lockout counted under a parallel burst: 100 requests at once, through the real handler or
 * tRPC caller, and at most the limit of them get their secret checked. Each test counts the checks
 * themselves (the audit rows written for a wrong answer), not the answers, so a check that slipped
 * through and was then refused would still be counted.
 */

const BURST = 100;

const bed = authTestBed({ owner: true });

/** A client address of its own, so that no two requests (or tests) share a per-IP lock unless meant to. */
const nextIp = clientAddresses("10.14");

/** How many wrong second-factor codes for `userIds` were actually checked: each one is audited with its reason. */
async function checkedWrongCodes(userIds: string[], reason: "INVALID_CODE" | "INVALID_BACKUP_CODE"): Promise<number> {
  const rows = await bed.database.db
    .select({ targetId: auditEvent.targetId, reason: sql<string>`json_extract(${auditEvent.details}, '$.reason')` })
    .from(auditEvent)
    .where(eq(auditEvent.action, "auth.mfa_failed"));
  return rows.filter((row) => row.reason === reason && userIds.includes(row.targetId ?? "")).length;
}

/**
 * Password sign-ins of an enrolled account, each waiting at its own second-factor challenge. Someone
 * who has the password can open as many as they like.
 */
async function challenges(email: string, count: number): Promise<string[]> {
  const cookies: string[] = [];
  for (let index = 0; index < count; index += 1) cookies.push((await passwordSignIn(bed.auth, email)).cookie);
  return cookies;
}

test(`${BURST} parallel wrong step-up passwords: at most ${STEP_UP_ATTEMPTS.maxAttempts} are checked, then even the right one is refused`, async () => {
  const account = await enrolledUser(bed.auth);
  const caller = await callerAs({ db: bed.database.db, auth: bed.auth }, account.cookie);
  const outcomes = await Promise.allSettled(
    Array.from({ length: BURST }, (_, index) => caller.account.reauthenticate({ method: "password", password: `wrong-password-${index}-x` })),
  );
  expect(outcomes.every((outcome) => outcome.status === "rejected")).toBe(true);
  const checked = await bed.database.db.$count(
    auditEvent,
    and(eq(auditEvent.action, "auth.step_up_failed"), eq(auditEvent.targetId, account.userId)),
  );
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBeLessThanOrEqual(STEP_UP_ATTEMPTS.maxAttempts);
  await expect(caller.account.reauthenticate({ method: "password", password: TEST_PASSWORD })).rejects.toMatchObject({ code: "TOO_MANY_REQUESTS" });
});

test(`${BURST} parallel wrong authenticator codes for one account's sign-in challenges: at most ${MFA_MAX_FAILED_ATTEMPTS} are checked`, async () => {
  const account = await enrolledUser(bed.auth);
  const cookies = await challenges(account.email, 20);
  // One address per request, so that only the account's own limit can stop them.
  const responses = await Promise.all(
    Array.from({ length: BURST }, (_, index) =>
      authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie: cookies[index % cookies.length], ip: nextIp() }),
    ),
  );
  expect(responses.some((response) => response.ok)).toBe(false);
  expect(responses.filter((response) => response.status === 429).length).toBeGreaterThanOrEqual(BURST - MFA_MAX_FAILED_ATTEMPTS);
  const checked = await checkedWrongCodes([account.userId], "INVALID_CODE");
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBeLessThanOrEqual(MFA_MAX_FAILED_ATTEMPTS);

  // The account is locked now: a right code at a new challenge is refused too, and says when to retry.
  const [retry] = await challenges(account.email, 1);
  const locked = await authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp) }, cookie: retry, ip: nextIp() });
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
  expect(await sessionUserId(bed.auth, cookieHeader(locked))).toBeNull();
  const locks = await bed.database.db
    .select({ details: auditEvent.details })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "auth.mfa_locked"), eq(auditEvent.targetId, account.userId)));
  expect(locks.map((row) => row.details)).toEqual([{ scope: "user" }]);
});

test(`${BURST} parallel wrong authenticator codes at a single sign-in challenge: at most ${MFA_MAX_FAILED_ATTEMPTS} are checked`, async () => {
  const account = await enrolledUser(bed.auth);
  const [cookie] = await challenges(account.email, 1);
  await Promise.all(
    Array.from({ length: BURST }, () =>
      authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie, ip: nextIp() }),
    ),
  );
  const checked = await checkedWrongCodes([account.userId], "INVALID_CODE");
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBeLessThanOrEqual(MFA_MAX_FAILED_ATTEMPTS);
});

test(`${BURST} parallel wrong backup codes for one account: at most ${MFA_MAX_FAILED_ATTEMPTS} are checked`, async () => {
  const account = await enrolledUser(bed.auth);
  const cookies = await challenges(account.email, 20);
  await Promise.all(
    Array.from({ length: BURST }, (_, index) =>
      authRequest(bed.auth, "/two-factor/verify-backup-code", {
        body: { code: `wrong-${String(index).padStart(5, "0")}` },
        cookie: cookies[index % cookies.length],
        ip: nextIp(),
      }),
    ),
  );
  const checked = await checkedWrongCodes([account.userId], "INVALID_BACKUP_CODE");
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBeLessThanOrEqual(MFA_MAX_FAILED_ATTEMPTS);
  // The codes the account holds still work once the lock ends; none was used up by the burst.
  const { backupCodes } = await bed.auth.api.viewBackupCodes({ body: { userId: account.userId } });
  expect(backupCodes).toHaveLength(10);
});

test(`${BURST} parallel wrong codes from one address, across ten accounts: at most ${MFA_MAX_FAILED_ATTEMPTS} are checked`, async () => {
  const accounts = await Promise.all(Array.from({ length: 10 }, () => enrolledUser(bed.auth)));
  const pending = (await Promise.all(accounts.map(async (account) => (await challenges(account.email, 2)).map((cookie) => ({ account, cookie }))))).flat();
  const network = nextIp();
  const responses = await Promise.all(
    Array.from({ length: BURST }, (_, index) => {
      const { account, cookie } = pending[index % pending.length]!;
      return authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: wrongCode(account.totp) }, cookie, ip: network });
    }),
  );
  const checked = await checkedWrongCodes(
    accounts.map((account) => account.userId),
    "INVALID_CODE",
  );
  expect(checked).toBeGreaterThan(0);
  expect(checked).toBeLessThanOrEqual(MFA_MAX_FAILED_ATTEMPTS);

  expect(responses.filter((response) => response.status === 429).length).toBeGreaterThanOrEqual(BURST - MFA_MAX_FAILED_ATTEMPTS);
  const networkLocks = await bed.database.db
    .select({ details: auditEvent.details })
    .from(auditEvent)
    .where(and(eq(auditEvent.action, "auth.mfa_locked"), eq(auditEvent.ip, network)));
  expect(networkLocks.map((row) => row.details)).toEqual([{ scope: "ip" }]);

  // The address is locked out of every challenge now, even with a right code.
  const { account, cookie } = pending[0]!;
  const locked = await authRequest(bed.auth, "/two-factor/verify-totp", { body: { code: codeAt(account.totp) }, cookie, ip: network });
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "MFA_NETWORK_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(14 * 60);
});
