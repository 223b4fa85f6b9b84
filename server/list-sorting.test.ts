import { eq, inArray } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { MEMBER_ROLE_ID, domain, oauthClient, oauthConsent, session, user, userBan, userSignIn } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { CLIENT_SORTS } from "@/server/clients/inputs";
import { DOMAIN_SORTS } from "@/server/domains/inputs";
import { GRANT_SORTS } from "@/server/grants/inputs";
import { ROLE_SORTS } from "@/server/roles/inputs";
import { SESSION_SORTS } from "@/server/sessions/inputs";
import { encodeCursor } from "@/server/paging";
import { signUp, uniqueEmail } from "@/server/testing/auth";
import { createCustomRole, createDomain, createMember, grantRole, openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { seedClientRow } from "@/server/testing/grants";
import { rejection } from "@/server/testing/outcome";
import { USER_SORTS } from "@/server/users/inputs";

// Every sortable list, walked page by page in each order and direction: rows with equal sort values
// (same name, same millisecond) straddle page boundaries, and the pages together must hold every row
// exactly once, in order.

let database: TestDatabase;
let auth: Auth;
let personas: Personas;
let tenant: { id: string };
const memberIds: string[] = [];
const clientIds: string[] = [];
const domainIds: string[] = [];
const sessionIds: string[] = [];
const grantIds: string[] = [];

const AT = new Date(Date.UTC(2026, 0, 1));

beforeAll(async () => {
  ({ database, auth, personas } = await openPersonaTestBed());
  const { db } = database;
  tenant = await createDomain(db, { name: "Sorting" });
  for (let index = 0; index < 7; index += 1) {
    const member = await createMember({ db, auth }, tenant.id, `sort-${index}`);
    memberIds.push(member.userId);
    // Three groups of equal names and creation times, and two users who never signed in.
    await db
      .update(user)
      .set({ name: `Name ${index % 3}`, createdAt: new Date(AT.getTime() + (index % 3)) })
      .where(eq(user.id, member.userId));
    // Every user has a row (0 until the first sign-in, migration 0014); these sign-ins are set by hand.
    const lastSignInAt = index >= 2 ? new Date(AT.getTime() + (index % 2)) : new Date(0);
    await db.update(userSignIn).set({ lastSignInAt }).where(eq(userSignIn.userId, member.userId));
  }
  const clientDomain = await createDomain(db, { name: "Sorting clients" });
  for (let index = 0; index < 6; index += 1) {
    const client = await seedClientRow(db, clientDomain.id, { name: `Client ${index % 2}` });
    clientIds.push(client.clientId);
    await db.update(oauthClient).set({ createdAt: new Date(AT.getTime() + (index % 3)) }).where(eq(oauthClient.clientId, client.clientId));
  }
  clientDomainId = clientDomain.id;
  for (let index = 0; index < 5; index += 1) {
    const row = await createDomain(db, { name: `Sorted ${index % 2}`, slug: `sorted-${index}-x` });
    domainIds.push(row.id);
    await db.update(domain).set({ createdAt: new Date(AT.getTime() + (index % 2)) }).where(eq(domain.id, row.id));
  }
  // Browser sessions of one member, and grants (remembered consents) of every member, with equal times.
  const sessionOwner = memberIds[4]!;
  await db.delete(session).where(eq(session.userId, sessionOwner));
  for (let index = 0; index < 5; index += 1) {
    const id = `sorting-session-${index}`;
    sessionIds.push(id);
    await db.insert(session).values({
      id,
      token: `sorting-token-${index}`,
      userId: sessionOwner,
      expiresAt: new Date(Date.now() + 86_400_000),
      createdAt: new Date(AT.getTime() + (index % 2)),
      updatedAt: new Date(AT.getTime() + (index % 3)),
    });
  }
  for (let index = 0; index < 7; index += 1) {
    const userId = memberIds[index]!;
    const clientId = clientIds[index % 3]!;
    grantIds.push(`${userId} ${clientId}`);
    await db.insert(oauthConsent).values({
      id: `sorting-consent-${index}`,
      userId,
      clientId,
      scopes: ["openid"],
      createdAt: new Date(AT.getTime() + (index % 2)),
      updatedAt: new Date(AT.getTime() + (index % 2)),
    });
  }
  for (const name of ["sort-b", "Sort-a", "sort-C"]) await createCustomRole(db, [], `${name}-${Date.now()}`);
}, 120_000);

afterAll(() => database?.destroy());

let clientDomainId: string;

type Direction = "asc" | "desc";

/** Every page of a list, limit 2, asserting that no page repeats a row. */
async function walk<Item>(
  call: (cursor: string | undefined) => Promise<{ items: Item[]; nextCursor: string | null }>,
  idOf: (item: Item) => string,
): Promise<Item[]> {
  const seen: Item[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page += 1) {
    const result = await call(cursor);
    seen.push(...result.items);
    if (result.nextCursor === null) break;
    cursor = result.nextCursor;
  }
  expect(new Set(seen.map(idOf)).size).toBe(seen.length);
  return seen;
}

/** Each row's (value, id) strictly after the previous one's in the direction asked. */
function expectOrdered(keys: Array<[string | number, string]>, direction: Direction) {
  for (let index = 1; index < keys.length; index += 1) {
    const [previousValue, previousId] = keys[index - 1]!;
    const [value, id] = keys[index]!;
    const compared = previousValue < value ? -1 : previousValue > value ? 1 : previousId < id ? -1 : 1;
    expect(compared).toBe(direction === "asc" ? -1 : 1);
  }
}

const DIRECTIONS: Direction[] = ["asc", "desc"];

describe("users.list", () => {
  test.each(USER_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, pages of 2 hold every member once, in order",
    async (by, direction) => {
      const rows = await walk(
        (cursor) => personas.owner.caller.users.list({ domainId: tenant.id, limit: 2, sort: { by, direction }, cursor }),
        (row) => row.id,
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...memberIds].sort());
      const value = (row: (typeof rows)[number]) =>
        by === "email" ? row.email : by === "name" ? row.name : by === "createdAt" ? new Date(row.createdAt).getTime() : (row.lastSignInAt?.getTime() ?? 0);
      expectOrdered(
        rows.map((row) => [value(row), row.id]),
        direction,
      );
    },
  );

  test("never-signed-in users have no last sign-in; a sign-in sets it", async () => {
    const page = await personas.owner.caller.users.list({ domainId: tenant.id, sort: { by: "lastSignIn", direction: "asc" } });
    expect(page.items.slice(0, 2).map((row) => row.lastSignInAt)).toEqual([null, null]);
    const fresh = await signUp(auth, uniqueEmail("signs-in"));
    await grantRole(database.db, fresh.userId, MEMBER_ROLE_ID, tenant.id);
    const [row] = await database.db.select().from(userSignIn).where(eq(userSignIn.userId, fresh.userId));
    // The row the trigger added holds 0 until a sign-in; signing up signed in.
    expect(row?.lastSignInAt.getTime()).toBeGreaterThan(0);
    memberIds.push(fresh.userId);
  });
});

describe("clients.list", () => {
  test.each(CLIENT_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, pages of 2 hold every client once, in order",
    async (by, direction) => {
      const rows = await walk(
        (cursor) => personas.owner.caller.clients.list({ domainId: clientDomainId, limit: 2, sort: { by, direction }, cursor }),
        (row) => row.clientId,
      );
      expect(rows.map((row) => row.clientId).sort()).toEqual([...clientIds].sort());
      expectOrdered(
        rows.map((row) => [by === "name" ? row.name : new Date(row.createdAt).getTime(), row.clientId]),
        direction,
      );
    },
  );
});

describe("domains.list", () => {
  test.each(DOMAIN_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, pages of 2 hold every domain once, in order",
    async (by, direction) => {
      const rows = await walk(
        (cursor) => personas.owner.caller.domains.list({ search: "sorted-", limit: 2, sort: { by, direction }, cursor }),
        (row) => row.id,
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...domainIds].sort());
      expectOrdered(
        rows.map((row) => [by === "slug" ? row.slug : by === "name" ? row.name : new Date(row.createdAt).getTime(), row.id]),
        direction,
      );
    },
  );
});

describe("sessions.list", () => {
  test.each(SESSION_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, pages of 2 hold every session once, in order",
    async (by, direction) => {
      const rows = await walk(
        (cursor) => personas.owner.caller.sessions.list({ userId: memberIds[4]!, limit: 2, sort: { by, direction }, cursor }),
        (row) => row.id,
      );
      expect(rows.map((row) => row.id).sort()).toEqual([...sessionIds].sort());
      expectOrdered(
        rows.map((row) => [(by === "createdAt" ? row.createdAt : row.lastSeenAt).getTime(), row.id]),
        direction,
      );
    },
  );
});

describe("grants.list", () => {
  test.each(GRANT_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, pages of 2 hold every grant once, in order",
    async (by, direction) => {
      const id = (row: { userId: string; clientId: string }) => `${row.userId} ${row.clientId}`;
      const rows = await walk(
        (cursor) => personas.owner.caller.grants.list({ domainId: clientDomainId, limit: 2, sort: { by, direction }, cursor }),
        id,
      );
      expect(rows.map(id).sort()).toEqual([...grantIds].sort());
      // Never used, a grant's last activity is its creation.
      expectOrdered(
        rows.map((row) => [(by === "createdAt" ? row.createdAt : (row.lastUsedAt ?? row.createdAt)).getTime(), id(row)]),
        direction,
      );
    },
  );
});

describe("roles.list", () => {
  test.each(ROLE_SORTS.flatMap((by) => DIRECTIONS.map((direction) => [by, direction] as const)))(
    "sorted by %s %s, regardless of case",
    async (by, direction) => {
      const rows = await personas.owner.caller.roles.list({ sort: { by, direction } });
      expect(rows.filter((row) => /^sort-/i.test(row.name))).toHaveLength(3);
      expectOrdered(
        rows.map((row) => [row.name.toLowerCase(), row.id]),
        direction,
      );
    },
  );

  test("without a sort, the built-in roles come first", async () => {
    const rows = await personas.owner.caller.roles.list();
    const firstCustom = rows.findIndex((row) => !row.builtIn);
    expect(rows.slice(firstCustom).every((row) => !row.builtIn)).toBe(true);
  });
});

describe("a cursor continues only its own list and order", () => {
  test("a cursor of another sort, direction or list, or a tampered one, is BAD_REQUEST", async () => {
    const byName = await personas.owner.caller.users.list({ domainId: tenant.id, limit: 2, sort: { by: "name", direction: "asc" } });
    const cursor = byName.nextCursor!;
    expect(cursor).toEqual(expect.any(String));
    const refusals = [
      personas.owner.caller.users.list({ domainId: tenant.id, limit: 2, sort: { by: "name", direction: "desc" }, cursor }),
      personas.owner.caller.users.list({ domainId: tenant.id, limit: 2, sort: { by: "email", direction: "asc" }, cursor }),
      personas.owner.caller.clients.list({ limit: 2, sort: { by: "name", direction: "asc" }, cursor }),
      personas.owner.caller.domains.list({ limit: 2, sort: { by: "name", direction: "asc" }, cursor }),
      personas.owner.caller.sessions.list({ limit: 2, cursor }),
      personas.owner.caller.grants.list({ limit: 2, cursor }),
      // A number where the order compares text.
      personas.owner.caller.users.list({
        limit: 2,
        sort: { by: "name", direction: "asc" },
        cursor: encodeCursor({ list: "users", by: "name", direction: "asc", value: 5, id: "x" }),
      }),
      personas.owner.caller.users.list({ limit: 2, cursor: encodeCursor({ email: "a@example.com" }) }),
    ];
    for (const refusal of refusals) {
      expect(await rejection(refusal)).toMatchObject({ code: "BAD_REQUEST", message: expect.stringMatching(/cursor/) });
    }
  });

  test("an unknown sort column is BAD_REQUEST naming the choices", async () => {
    expect(await rejection(personas.owner.caller.users.list({ sort: { by: "password" as never, direction: "asc" } }))).toMatchObject({
      code: "BAD_REQUEST",
      message: expect.stringMatching(/email, name, createdAt, lastSignIn/),
    });
  });
});

describe("users.banMany", () => {
  test("bans every user of the batch, one audit event each", async () => {
    const ids = memberIds.slice(0, 2);
    await personas.owner.caller.users.banMany({ ids });
    const banned = await database.db.select({ userId: userBan.userId }).from(userBan).where(inArray(userBan.userId, ids));
    expect(banned.map((row) => row.userId).sort()).toEqual([...ids].sort());
  });

  test("a batch with one user of another domain is refused whole and changes nothing", async () => {
    const outsider = await createMember({ db: database.db, auth }, personas.domainB.id, "outsider");
    const insider = await createMember({ db: database.db, auth }, personas.domainA.id, "insider");
    const refusal = await rejection(personas.domainAdminA.caller.users.banMany({ ids: [insider.userId, outsider.userId] }));
    expect(refusal).toMatchObject({ code: "NOT_FOUND", message: expect.stringContaining(outsider.userId) });
    expect(refusal.message).toMatch(/Nothing was changed/);
    const banned = await database.db.select().from(userBan).where(inArray(userBan.userId, [insider.userId, outsider.userId]));
    expect(banned).toEqual([]);
  });

  test("more than 100 ids, none, or a repeated id is BAD_REQUEST", async () => {
    for (const ids of [[], Array.from({ length: 101 }, (_, index) => `id-${index}`), ["same", "same"]]) {
      expect(await rejection(personas.owner.caller.users.banMany({ ids }))).toMatchObject({ code: "BAD_REQUEST" });
    }
  });
});
