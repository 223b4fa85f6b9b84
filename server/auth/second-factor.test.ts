import { eq } from "drizzle-orm";
import { symmetricEncrypt } from "better-auth/crypto";
import { TOTP, URI } from "otpauth";
import { expect, test } from "vitest";
import { attemptLimit, auditEvent, twoFactor, user } from "@/db/schema";
import { MFA_LOCKOUT_SECONDS, MFA_MAX_FAILED_ATTEMPTS } from "@/server/auth/auth";
import { accountAttemptKey, networkAttemptKey } from "@/server/auth/plugins/second-factor-lockout";
import { TEST_PASSWORD, authRequest, cookieHeader, signUp, authTestBed } from "@/server/testing/auth";
import { auditRows } from "@/server/testing/authz";
import { codeAt, sessionUserId, enrolledUser, passwordSignIn, wrongCode } from "@/server/testing/two-factor";
import { clientAddresses } from "@/server/testing/http-request";

const bed = authTestBed({ owner: true });

/** A client address of its own, so that no two tests share a per-IP lock. */
const nextIp = clientAddresses("192.0.2");

function verifyTotp(code: string, cookie: string, ip: string, extra: Record<string, unknown> = {}) {
  return authRequest(bed.auth, "/two-factor/verify-totp", { body: { code, ...extra }, cookie, ip });
}

function verifyBackupCode(code: string, cookie: string, ip: string) {
  return authRequest(bed.auth, "/two-factor/verify-backup-code", { body: { code }, cookie, ip });
}

function auditRowsOf(action: string, userId: string) {
  return auditRows(bed.database.db, { action, targetId: userId });
}

async function attemptsOf(key: string) {
  const [row] = await bed.database.db.select().from(attemptLimit).where(eq(attemptLimit.key, key));
  return row;
}

async function storedBackupCodes(userId: string): Promise<string> {
  const [row] = await bed.database.db.select({ backupCodes: twoFactor.backupCodes }).from(twoFactor).where(eq(twoFactor.userId, userId));
  return row?.backupCodes ?? "";
}

test("five wrong codes from one IP, across two accounts, lock that IP out of second-factor checks; other IPs carry on", async () => {
  const alice = await enrolledUser(bed.auth);
  const bob = await enrolledUser(bed.auth);
  const network = nextIp();
  const elsewhere = nextIp();
  const aliceChallenge = await passwordSignIn(bed.auth, alice.email);
  const bobChallenge = await passwordSignIn(bed.auth, bob.email);

  for (let attempt = 0; attempt < 3; attempt += 1) {
    expect((await verifyTotp(wrongCode(alice.totp), aliceChallenge.cookie, network)).status).toBe(401);
  }
  for (let attempt = 0; attempt < 2; attempt += 1) {
    expect((await verifyTotp(wrongCode(bob.totp), bobChallenge.cookie, network)).status).toBe(401);
  }

  const refused = await verifyTotp(codeAt(bob.totp), bobChallenge.cookie, network);
  expect(refused.status).toBe(429);
  expect(await refused.json()).toMatchObject({
    code: "MFA_NETWORK_LOCKED",
    message: "Too many wrong codes from this network. Try again in 15 minutes.",
  });
  const wait = Number(refused.headers.get("retry-after"));
  expect(wait).toBeGreaterThan(MFA_LOCKOUT_SECONDS - 60);
  expect(wait).toBeLessThanOrEqual(MFA_LOCKOUT_SECONDS);
  expect(await sessionUserId(bed.auth, cookieHeader(refused))).toBeNull();
  // Backup codes are second-factor checks too.
  expect((await verifyBackupCode(alice.backupCodes[0]!, aliceChallenge.cookie, network)).status).toBe(429);

  // Neither account reached its own limit, so both sign in from another network, with the same challenges.
  const aliceIn = await verifyTotp(codeAt(alice.totp), aliceChallenge.cookie, elsewhere);
  expect(aliceIn.status).toBe(200);
  expect(await sessionUserId(bed.auth, cookieHeader(aliceIn))).toBe(alice.userId);
  expect((await verifyTotp(codeAt(bob.totp, 1), bobChallenge.cookie, elsewhere)).status).toBe(200);

  expect(await attemptsOf(networkAttemptKey(network))).toMatchObject({ attempts: MFA_MAX_FAILED_ATTEMPTS, lockedUntil: expect.any(Date) });
  const locks = await bed.database.db.select().from(auditEvent).where(eq(auditEvent.action, "auth.mfa_locked"));
  const networkLocks = locks.filter((row) => row.ip === network);
  expect(networkLocks).toHaveLength(1);
  expect(networkLocks[0]).toMatchObject({ targetId: bob.userId, actorUserId: null, details: { scope: "ip" } });
  expect(locks.filter((row) => row.targetId === alice.userId || row.targetId === bob.userId)).toHaveLength(1);
});

test("an IP lock lasts 15 minutes from the wrong code that began it", async () => {
  const alice = await enrolledUser(bed.auth);
  const bob = await enrolledUser(bed.auth);
  const network = nextIp();
  const aliceChallenge = await passwordSignIn(bed.auth, alice.email);
  const bobChallenge = await passwordSignIn(bed.auth, bob.email);
  for (let attempt = 0; attempt < 3; attempt += 1) await verifyTotp(wrongCode(alice.totp), aliceChallenge.cookie, network);
  for (let attempt = 0; attempt < 2; attempt += 1) await verifyTotp(wrongCode(bob.totp), bobChallenge.cookie, network);
  expect((await verifyTotp(codeAt(alice.totp), aliceChallenge.cookie, network)).status).toBe(429);

  // Move the counter back in time instead of waiting.
  const key = networkAttemptKey(network);
  const shiftBack = async (seconds: number) => {
    const row = (await attemptsOf(key))!;
    const earlier = (at: Date) => new Date(at.getTime() - seconds * 1000);
    await bed.database.db
      .update(attemptLimit)
      .set({ windowStartedAt: earlier(row.windowStartedAt), lockedUntil: row.lockedUntil && earlier(row.lockedUntil) })
      .where(eq(attemptLimit.key, key));
  };
  await shiftBack(MFA_LOCKOUT_SECONDS - 30);
  const stillLocked = await verifyTotp(codeAt(alice.totp), aliceChallenge.cookie, network);
  expect(stillLocked.status).toBe(429);
  expect(Number(stillLocked.headers.get("retry-after"))).toBeLessThanOrEqual(30);
  expect(await stillLocked.json()).toMatchObject({ message: "Too many wrong codes from this network. Try again in 1 minute." });

  await shiftBack(30);
  expect((await verifyTotp(codeAt(alice.totp), aliceChallenge.cookie, network)).status).toBe(200);
});

test("an account locked by wrong codes from many IPs is audited once with scope user", async () => {
  const account = await enrolledUser(bed.auth);
  const challenge = await passwordSignIn(bed.auth, account.email);
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    expect((await verifyTotp(wrongCode(account.totp), challenge.cookie, nextIp())).status).toBe(401);
  }
  const retry = await passwordSignIn(bed.auth, account.email);
  const locked = await verifyTotp(codeAt(account.totp), retry.cookie, nextIp());
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(MFA_LOCKOUT_SECONDS - 60);

  const locks = await auditRowsOf("auth.mfa_locked", account.userId);
  expect(locks).toHaveLength(1);
  expect(locks[0]).toMatchObject({ actorUserId: null, details: { scope: "user" } });
});

test("a lock the plugin decides on its own (wrong codes spread over more than 15 minutes) is honoured and audited once", async () => {
  const account = await enrolledUser(bed.auth);
  const challenge = await passwordSignIn(bed.auth, account.email);
  const key = accountAttemptKey(account.userId);
  for (let attempt = 0; attempt < 3; attempt += 1) await verifyTotp(wrongCode(account.totp), challenge.cookie, nextIp());
  // Gatehouse's window runs out; the plugin counts consecutive failures however far apart.
  const row = (await attemptsOf(key))!;
  await bed.database.db
    .update(attemptLimit)
    .set({ windowStartedAt: new Date(row.windowStartedAt.getTime() - (MFA_LOCKOUT_SECONDS + 60) * 1000) })
    .where(eq(attemptLimit.key, key));
  const retry = await passwordSignIn(bed.auth, account.email);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    expect((await verifyTotp(wrongCode(account.totp), retry.cookie, nextIp())).status).toBe(401);
  }
  expect((await attemptsOf(key))?.attempts).toBe(2);

  const third = await passwordSignIn(bed.auth, account.email);
  const locked = await verifyTotp(codeAt(account.totp), third.cookie, nextIp());
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(MFA_LOCKOUT_SECONDS - 60);
  expect((await attemptsOf(key))?.lockedUntil?.getTime()).toBeGreaterThan(Date.now());
  expect((await auditRowsOf("auth.mfa_locked", account.userId)).map((lock) => lock.details)).toEqual([{ scope: "user" }]);
});

test("five wrong codes from one IP for one account lock both, each audited once", async () => {
  const account = await enrolledUser(bed.auth);
  const network = nextIp();
  const challenge = await passwordSignIn(bed.auth, account.email);
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    await verifyTotp(wrongCode(account.totp), challenge.cookie, network);
  }
  const retry = await passwordSignIn(bed.auth, account.email);
  expect((await verifyTotp(codeAt(account.totp), retry.cookie, network)).status).toBe(429);
  const locks = await auditRowsOf("auth.mfa_locked", account.userId);
  expect(locks.map((row) => row.details).sort((a, b) => String(a.scope).localeCompare(String(b.scope)))).toEqual([
    { scope: "ip" },
    { scope: "user" },
  ]);
});

test("wrong codes from a signed-in session do not count towards the IP lock", async () => {
  const account = await enrolledUser(bed.auth);
  const network = nextIp();
  // A signed-in user re-checking a code (a step-up) is not answering a sign-in challenge.
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS - 1; attempt += 1) {
    expect((await verifyTotp(wrongCode(account.totp), account.cookie, network)).status).toBe(401);
  }
  expect(await attemptsOf(networkAttemptKey(network))).toBeUndefined();
  const challenge = await passwordSignIn(bed.auth, account.email);
  expect((await verifyTotp(codeAt(account.totp), challenge.cookie, network)).status).toBe(200);
  // The right code starts the account's count afresh.
  expect(await attemptsOf(accountAttemptKey(account.userId))).toBeUndefined();
});

test("wrong codes while confirming a new authenticator app count towards the account's lock", async () => {
  const account = await signUp(bed.auth);
  const enabled = await authRequest(bed.auth, "/two-factor/enable", { body: { password: TEST_PASSWORD }, cookie: account.cookie });
  const totp = URI.parse(((await enabled.json()) as { totpURI: string }).totpURI) as TOTP;
  for (let attempt = 0; attempt < MFA_MAX_FAILED_ATTEMPTS; attempt += 1) {
    expect((await verifyTotp(wrongCode(totp), account.cookie, nextIp())).status).toBe(401);
  }
  const locked = await verifyTotp(codeAt(totp), account.cookie, nextIp());
  expect(locked.status).toBe(429);
  expect(await locked.json()).toMatchObject({ code: "ACCOUNT_TEMPORARILY_LOCKED" });
  expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(MFA_LOCKOUT_SECONDS - 60);
  const [row] = await bed.database.db.select({ twoFactorEnabled: user.twoFactorEnabled }).from(user).where(eq(user.id, account.userId));
  expect(row?.twoFactorEnabled).toBe(false);
  const locks = await auditRowsOf("auth.mfa_locked", account.userId);
  expect(locks.map((lock) => lock.details)).toEqual([{ scope: "user" }]);
});

test("backup codes are stored as hashes, work once however they are typed, and each use is audited", async () => {
  const account = await enrolledUser(bed.auth);
  const stored = await storedBackupCodes(account.userId);
  const digests = JSON.parse(stored) as string[];
  expect(digests).toHaveLength(10);
  for (const digest of digests) expect(digest).toMatch(/^sha256:[\w-]{43}$/);
  for (const code of account.backupCodes) {
    expect(stored).not.toContain(code);
    expect(stored).not.toContain(code.replace("-", ""));
  }

  const [code] = account.backupCodes as [string];
  const network = nextIp();
  const challenge = await passwordSignIn(bed.auth, account.email);
  // People copy codes with stray spaces or drop the dash.
  const used = await verifyBackupCode(` ${code.replace("-", " ")} `, challenge.cookie, network);
  expect(used.status).toBe(200);
  expect(await sessionUserId(bed.auth, cookieHeader(used))).toBe(account.userId);

  const [audited] = await auditRowsOf("auth.backup_code_used", account.userId);
  expect(audited).toMatchObject({ actorUserId: account.userId, details: { remaining: 9 } });
  expect(JSON.stringify(audited)).not.toContain(code);
  expect(await auditRowsOf("auth.sign_in", account.userId)).toEqual(
    expect.arrayContaining([expect.objectContaining({ details: { method: "password", secondFactor: "backup_code" } })]),
  );
  // The account page counts what is left through the plugin.
  const { backupCodes } = await bed.auth.api.viewBackupCodes({ body: { userId: account.userId } });
  expect(backupCodes).toHaveLength(9);

  const again = await passwordSignIn(bed.auth, account.email);
  const reused = await verifyBackupCode(code, again.cookie, network);
  expect(reused.status).toBe(401);
  expect(await reused.json()).toMatchObject({ code: "INVALID_BACKUP_CODE" });
  expect(await auditRowsOf("auth.backup_code_used", account.userId)).toHaveLength(1);
  expect((await verifyBackupCode(account.backupCodes[1]!.replace("-", ""), again.cookie, network)).status).toBe(200);
});

test("backup codes stored encrypted before hashing still work and are stored as hashes after the next use", async () => {
  const account = await enrolledUser(bed.auth);
  const encrypted = await symmetricEncrypt({ key: bed.auth.options.secret as string, data: JSON.stringify(account.backupCodes) });
  await bed.database.db.update(twoFactor).set({ backupCodes: encrypted }).where(eq(twoFactor.userId, account.userId));

  const challenge = await passwordSignIn(bed.auth, account.email);
  expect((await verifyBackupCode(account.backupCodes[0]!, challenge.cookie, nextIp())).status).toBe(200);
  const stored = JSON.parse(await storedBackupCodes(account.userId)) as string[];
  expect(stored).toHaveLength(9);
  for (const digest of stored) expect(digest.startsWith("sha256:")).toBe(true);
});

test("trusting a device for 30 days skips the challenge on that device only", async () => {
  const account = await enrolledUser(bed.auth);
  const network = nextIp();
  const challenge = await passwordSignIn(bed.auth, account.email);
  const verified = await verifyTotp(codeAt(account.totp), challenge.cookie, network, { trustDevice: true });
  expect(verified.status).toBe(200);
  const trust = verified.headers.getSetCookie().find((cookie) => cookie.startsWith("gatehouse.trust_device="));
  expect(trust).toBeDefined();
  expect(trust).toMatch(/Max-Age=2592000/i);
  const trustCookie = trust!.split(";")[0]!;

  const trusted = await passwordSignIn(bed.auth, account.email, { cookie: trustCookie, ip: network });
  expect(trusted.body.twoFactorRedirect).toBeUndefined();
  expect(await sessionUserId(bed.auth, trusted.cookie)).toBe(account.userId);

  const untrusted = await passwordSignIn(bed.auth, account.email, { ip: network });
  expect(untrusted.body.twoFactorRedirect).toBe(true);
  expect(await sessionUserId(bed.auth, untrusted.cookie)).toBeNull();
});
