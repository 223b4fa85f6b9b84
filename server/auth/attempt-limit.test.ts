import { afterAll, beforeAll, expect, test } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import {
  attemptsLockedUntil,
  claimAttempt,
  clearAttempts,
  recordFailedAttempt,
  releaseAttempt,
  type AttemptPolicy,
} from "./attempt-limit";

const POLICY: AttemptPolicy = { maxAttempts: 5, windowMs: 15 * 60_000, lockoutMs: 15 * 60_000 };
let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database?.destroy());

test("of 100 parallel claims on one key, exactly the limit go ahead", async () => {
  const claims = await Promise.all(Array.from({ length: 100 }, () => claimAttempt(database.db, "parallel", POLICY)));
  expect(claims.filter((claim) => claim.allowed)).toHaveLength(POLICY.maxAttempts);
});

test("the failure that reaches the limit locks the key once, and a locked key refuses until the lock ends", async () => {
  const now = Date.now();
  const locks: (Date | null)[] = [];
  for (let attempt = 0; attempt < POLICY.maxAttempts; attempt += 1) {
    expect(await claimAttempt(database.db, "lock", POLICY, now)).toEqual({ allowed: true });
    locks.push(await recordFailedAttempt(database.db, "lock", POLICY, now));
  }
  expect(locks.filter(Boolean)).toHaveLength(1);
  expect(locks.at(-1)?.getTime()).toBe(now + POLICY.lockoutMs);
  expect(await claimAttempt(database.db, "lock", POLICY, now + 1000)).toEqual({ allowed: false, retryAfterMs: POLICY.lockoutMs - 1000 });
  expect(await attemptsLockedUntil(database.db, "lock", now + 1000)).not.toBeNull();
  // A right answer during the lock does not lift it.
  await clearAttempts(database.db, "lock");
  expect((await claimAttempt(database.db, "lock", POLICY, now + 2000)).allowed).toBe(false);
  expect(await claimAttempt(database.db, "lock", POLICY, now + POLICY.lockoutMs + 1)).toEqual({ allowed: true });
});

test("a window that has run out starts the count again", async () => {
  const now = Date.now();
  for (let attempt = 0; attempt < POLICY.maxAttempts; attempt += 1) await claimAttempt(database.db, "window", POLICY, now);
  expect((await claimAttempt(database.db, "window", POLICY, now + 1)).allowed).toBe(false);
  expect(await claimAttempt(database.db, "window", POLICY, now + POLICY.windowMs + 1)).toEqual({ allowed: true });
});

test("clearing forgets a key's attempts; releasing gives back only one", async () => {
  for (let attempt = 0; attempt < POLICY.maxAttempts; attempt += 1) {
    await claimAttempt(database.db, "cleared", POLICY);
    await claimAttempt(database.db, "released", POLICY);
  }
  await clearAttempts(database.db, "cleared");
  await releaseAttempt(database.db, "released");
  const again = await Promise.all(Array.from({ length: 10 }, () => claimAttempt(database.db, "cleared", POLICY)));
  expect(again.filter((claim) => claim.allowed)).toHaveLength(POLICY.maxAttempts);
  const oneMore = await Promise.all(Array.from({ length: 10 }, () => claimAttempt(database.db, "released", POLICY)));
  expect(oneMore.filter((claim) => claim.allowed)).toHaveLength(1);
});
