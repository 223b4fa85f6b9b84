import { eq } from "drizzle-orm";
import { afterEach, beforeEach, expect, test } from "vitest";
import { createDatabase } from "@/db/client";
import { setupToken, user } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { isOwner, ownerExists } from "@/server/authz/owner";
import { DomainError } from "@/server/errors";
import { TEST_PASSWORD, TEST_PUBLIC_URL, authRequest, createTestAuth, signIn } from "@/server/testing/auth";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { SETUP_TOKEN_TTL_MS, bootstrapOwner, completeSetup, isSetupTokenUsable } from "./owner";

let database: TestDatabase;
let auth: Auth;

beforeEach(async () => {
  database = await createTestDatabase();
  auth = await createTestAuth(database.db);
});

afterEach(() => database.destroy());

const owner = { name: "Ada Owner", email: "ada@example.com", password: TEST_PASSWORD };

async function issueLink(now = new Date()) {
  const result = await bootstrapOwner({ db: database.db, auth }, { publicUrl: TEST_PUBLIC_URL }, now);
  if (result.kind !== "link") throw new Error(`expected a setup link, got ${result.kind}`);
  return new URL(result.url).searchParams.get("token") ?? "";
}

async function expectDomainError(promise: Promise<unknown>, code: DomainError["code"]) {
  const error = await promise.catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(DomainError);
  expect((error as DomainError).code).toBe(code);
  return error as DomainError;
}

test("configured admin credentials create a global owner who can sign in", async () => {
  const result = await bootstrapOwner(
    { db: database.db, auth },
    { publicUrl: TEST_PUBLIC_URL, adminEmail: owner.email, adminPassword: owner.password },
  );
  expect(result).toEqual({ kind: "created", email: owner.email });
  const [created] = await database.db.select().from(user).where(eq(user.email, owner.email));
  expect(created).toBeDefined();
  expect(await isOwner(database.db, created!.id)).toBe(true);
  await expect(signIn(auth, owner.email)).resolves.toHaveProperty("cookie");
});

test("instances starting at once with the same admin credentials create one owner, and every one of them starts", async () => {
  // A second connection to the same file, as a second instance has.
  const other = createDatabase(database.url);
  try {
    const otherAuth = await createTestAuth(other.db);
    const options = { publicUrl: TEST_PUBLIC_URL, adminEmail: owner.email, adminPassword: owner.password };
    const results = await Promise.all([
      bootstrapOwner({ db: database.db, auth }, options),
      bootstrapOwner({ db: other.db, auth: otherAuth }, options),
    ]);
    expect(results.map((result) => result.kind).sort()).toEqual(["created", "exists"]);
    expect(await database.db.select().from(user).where(eq(user.email, owner.email))).toHaveLength(1);
  } finally {
    other.client.close();
  }
});

test("a weak configured admin password is refused and creates nothing", async () => {
  const error = await expectDomainError(
    bootstrapOwner({ db: database.db, auth }, { publicUrl: TEST_PUBLIC_URL, adminEmail: owner.email, adminPassword: "short" }),
    "INVALID_INPUT",
  );
  expect(error.fields?.password).toMatch(/12 characters/);
  expect(await ownerExists(database.db)).toBe(false);
  expect(await database.db.select().from(user)).toHaveLength(0);
});

test("without credentials, start issues a one-hour setup link and stores only its hash", async () => {
  const now = new Date("2026-01-01T00:00:00Z");
  const result = await bootstrapOwner({ db: database.db, auth }, { publicUrl: TEST_PUBLIC_URL }, now);
  expect(result.kind).toBe("link");
  if (result.kind !== "link") return;
  expect(result.url).toMatch(/^http:\/\/localhost:3000\/setup\?token=[\w-]{40,}$/);
  expect(result.expiresAt.getTime() - now.getTime()).toBe(SETUP_TOKEN_TTL_MS);
  const token = new URL(result.url).searchParams.get("token")!;
  const stored = await database.db.select().from(setupToken);
  expect(stored).toHaveLength(1);
  expect(stored[0]!.tokenHash).not.toContain(token);
});

test("once an owner exists, start issues nothing", async () => {
  const token = await issueLink();
  await completeSetup({ db: database.db, auth }, token, owner);
  const again = await bootstrapOwner({ db: database.db, auth }, { publicUrl: TEST_PUBLIC_URL });
  expect(again).toEqual({ kind: "exists" });
});

test("the setup link creates the owner and works only once", async () => {
  const token = await issueLink();
  const { userId } = await completeSetup({ db: database.db, auth }, token, owner);
  expect(await isOwner(database.db, userId)).toBe(true);
  expect(await isSetupTokenUsable(database.db, token)).toBe(false);
  await expectDomainError(
    completeSetup({ db: database.db, auth }, token, { ...owner, email: "second@example.com" }),
    "SETUP_COMPLETE",
  );
  expect(await database.db.select().from(user)).toHaveLength(1);
});

test("public sign-up opens once the owner exists, and creates ordinary members", async () => {
  const token = await issueLink();
  await completeSetup({ db: database.db, auth }, token, owner);
  const response = await authRequest(auth, "/sign-up/email", {
    body: { name: "Member", email: "member@example.com", password: TEST_PASSWORD },
  });
  expect(response.status).toBe(200);
  const { user: member } = (await response.json()) as { user: { id: string } };
  expect(await isOwner(database.db, member.id)).toBe(false);
});

test("an expired setup link is refused and creates nothing", async () => {
  const issuedAt = new Date("2026-01-01T00:00:00Z");
  const token = await issueLink(issuedAt);
  const justAfter = new Date(issuedAt.getTime() + SETUP_TOKEN_TTL_MS + 1);
  expect(await isSetupTokenUsable(database.db, token, justAfter)).toBe(false);
  await expectDomainError(completeSetup({ db: database.db, auth }, token, owner, justAfter), "SETUP_TOKEN_INVALID");
  expect(await ownerExists(database.db)).toBe(false);
});

test("a link is usable until just before it expires", async () => {
  const issuedAt = new Date("2026-01-01T00:00:00Z");
  const token = await issueLink(issuedAt);
  const justBefore = new Date(issuedAt.getTime() + SETUP_TOKEN_TTL_MS - 1);
  await expect(completeSetup({ db: database.db, auth }, token, owner, justBefore)).resolves.toHaveProperty("userId");
});

test("an unknown token is refused", async () => {
  await issueLink();
  await expectDomainError(completeSetup({ db: database.db, auth }, "not-a-real-token", owner), "SETUP_TOKEN_INVALID");
  expect(await ownerExists(database.db)).toBe(false);
});

test("a newer start's link replaces the older unused one", async () => {
  const first = await issueLink();
  const second = await issueLink();
  expect(await isSetupTokenUsable(database.db, first)).toBe(false);
  expect(await isSetupTokenUsable(database.db, second)).toBe(true);
});

test("invalid owner details get field errors, write nothing and leave the link usable", async () => {
  const token = await issueLink();
  const error = await expectDomainError(
    completeSetup({ db: database.db, auth }, token, { name: "", email: "nope", password: "short" }),
    "INVALID_INPUT",
  );
  expect(Object.keys(error.fields ?? {}).sort()).toEqual(["email", "name", "password"]);
  expect(await database.db.select().from(user)).toHaveLength(0);
  expect(await isSetupTokenUsable(database.db, token)).toBe(true);
});

test("concurrent submissions of one link create exactly one owner", async () => {
  const token = await issueLink();
  const results = await Promise.allSettled(
    ["a", "b", "c", "d"].map((suffix) =>
      completeSetup({ db: database.db, auth }, token, { ...owner, email: `owner-${suffix}@example.com` }),
    ),
  );
  expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
  expect(await database.db.select().from(user)).toHaveLength(1);
});
