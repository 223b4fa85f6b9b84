import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, expect, test } from "vitest";
import { AUDITOR_ROLE_ID, MEMBER_ROLE_ID } from "@/db/schema";
import { Authority } from "@/server/authz/authority";
import type { Permission } from "@/server/shared/permissions";
import { createDomain, grantRole } from "@/server/testing/authz";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { SMALL_MEMBERSHIP, listUsers } from "./queries";
import { listUsersInput, type ListUsersInput } from "./inputs";

let database: TestDatabase;
let big: { id: string };
let small: { id: string };

const BIG_SIZE = SMALL_MEMBERSHIP + 150;

/** Rows written with SQL: the plans under test only switch past thousands of members. */
async function insertMembers(domainId: string, count: number, prefix: string): Promise<void> {
  await database.client.execute({
    sql: `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
          INSERT INTO user (id, name, email) SELECT ? || i, 'Member ' || i, lower(hex(randomblob(4))) || '-' || ? || i || '@bulk.test' FROM n`,
    args: [count, prefix, prefix],
  });
  await database.client.execute({
    sql: `INSERT INTO role_assignment (id, user_id, role_id, domain_id)
          SELECT 'ra-' || id, id, ?, ? FROM user WHERE id LIKE ? || '%'`,
    args: [MEMBER_ROLE_ID, domainId, prefix],
  });
}

async function insertUser(domainId: string, email: string): Promise<string> {
  const id = randomUUID();
  await database.client.execute({ sql: "INSERT INTO user (id, name, email) VALUES (?, 'Late', ?)", args: [id, email] });
  await grantRole(database.db, id, MEMBER_ROLE_ID, domainId);
  return id;
}

beforeAll(async () => {
  database = await createTestDatabase();
  big = await createDomain(database.db);
  small = await createDomain(database.db);
  await insertMembers(big.id, BIG_SIZE, "big-");
  await insertMembers(small.id, 30, "small-");
});

afterAll(() => database.destroy());

function readerIn(domainIds: string[], permissions: Permission[] = ["users:read"]): Authority {
  return new Authority(new Set(), new Map(domainIds.map((id) => [id, new Set(permissions)])));
}

const globalReader = new Authority(new Set<Permission>(["users:read"]), new Map());

async function everyPage(
  authority: Authority,
  raw: Partial<ListUsersInput>,
  between?: (page: number) => Promise<void>,
): Promise<{ id: string; email: string }[]> {
  const seen: { id: string; email: string }[] = [];
  let cursor: string | undefined;
  let page = 0;
  do {
    const result = await listUsers(database.db, authority, "reader", listUsersInput.parse({ ...raw, cursor }));
    seen.push(...result.items);
    cursor = result.nextCursor ?? undefined;
    page += 1;
    if (cursor && between) await between(page);
  } while (cursor);
  return seen;
}

function expectEmailOrder(rows: { email: string }[]) {
  const emails = rows.map((row) => row.email);
  expect(emails).toEqual([...emails].sort());
  expect(new Set(emails).size).toBe(emails.length);
}

test("a domain too large for the member-first plan pages through every member once, in email order", async () => {
  const rows = await everyPage(globalReader, { domainId: big.id, limit: 100 });
  expect(rows).toHaveLength(BIG_SIZE);
  expectEmailOrder(rows);
});

test("a domain reader of a large domain sees its members and no one else", async () => {
  const rows = await everyPage(readerIn([big.id]), { limit: 100 });
  expect(rows).toHaveLength(BIG_SIZE);
  expect(rows.every((row) => row.id.startsWith("big-"))).toBe(true);
});

test("rows inserted between pages of a large domain neither repeat nor hide existing rows", async () => {
  const tenant = await createDomain(database.db);
  await insertMembers(tenant.id, SMALL_MEMBERSHIP + 10, `grow-${randomUUID().slice(0, 6)}-`);
  const before = await everyPage(globalReader, { domainId: tenant.id, limit: 100 });
  const inserted: string[] = [];
  const during = await everyPage(globalReader, { domainId: tenant.id, limit: 100 }, async (page) => {
    if (page > 5) return;
    inserted.push(await insertUser(tenant.id, `0000-${page}-${randomUUID()}@late.test`));
    inserted.push(await insertUser(tenant.id, `zzzz-${page}-${randomUUID()}@late.test`));
  });
  expectEmailOrder(during);
  const duringIds = new Set(during.map((row) => row.id));
  for (const row of before) expect(duringIds.has(row.id)).toBe(true);
  expect(during.length).toBeGreaterThan(before.length);
});

test("the role filter works on both plans", async () => {
  const large = await createDomain(database.db);
  const tiny = await createDomain(database.db);
  const run = randomUUID().slice(0, 6);
  await insertMembers(large.id, SMALL_MEMBERSHIP + 10, `role-large-${run}-`);
  await insertMembers(tiny.id, 5, `role-tiny-${run}-`);
  const holder = await insertUser(large.id, `auditor-${randomUUID()}@bulk.test`);
  await grantRole(database.db, holder, AUDITOR_ROLE_ID, large.id);
  const tinyHolder = await insertUser(tiny.id, `auditor-${randomUUID()}@bulk.test`);
  await grantRole(database.db, tinyHolder, AUDITOR_ROLE_ID, tiny.id);

  const auditors = await everyPage(readerIn([large.id, tiny.id]), { roleId: AUDITOR_ROLE_ID });
  expect(auditors.map((row) => row.id).sort()).toEqual([holder, tinyHolder].sort());
  const largeMembers = await everyPage(readerIn([large.id]), { roleId: MEMBER_ROLE_ID, limit: 100 });
  expect(largeMembers).toHaveLength(SMALL_MEMBERSHIP + 11);
  expectEmailOrder(largeMembers);
  expect(largeMembers.some((row) => row.id === tinyHolder)).toBe(false);
  const largeAuditors = await everyPage(readerIn([large.id, tiny.id]), { roleId: AUDITOR_ROLE_ID, domainId: large.id });
  expect(largeAuditors.map((row) => row.id)).toEqual([holder]);
  const tinyMembers = await everyPage(globalReader, { roleId: MEMBER_ROLE_ID, domainId: tiny.id });
  expect(tinyMembers).toHaveLength(6);
});

test("a small domain is listed in email order with search applied", async () => {
  const rows = await everyPage(readerIn([small.id]), { limit: 7 });
  expect(rows.length).toBeGreaterThanOrEqual(30);
  expectEmailOrder(rows);
  const searched = await everyPage(readerIn([small.id]), { search: "SMALL-1" });
  expect(searched.map((row) => row.id).sort()).toEqual(
    rows.filter((row) => row.email.includes("small-1")).map((row) => row.id).sort(),
  );
});

test("a caller who can read users nowhere sees nobody", async () => {
  const none = new Authority(new Set(), new Map([[small.id, new Set<Permission>(["users:write"])]]));
  expect(await listUsers(database.db, none, "reader", listUsersInput.parse({}))).toEqual({ items: [], nextCursor: null, total: 0 });
});


test("the first page counts every user matching the filters on both plans, and later pages skip the count", async () => {
  const first = async (authority: Authority, raw: Partial<ListUsersInput>) =>
    listUsers(database.db, authority, "reader", listUsersInput.parse({ limit: 5, ...raw }));

  const large = await first(globalReader, { domainId: big.id });
  expect(large.total).toBe(BIG_SIZE);
  const tiny = await first(readerIn([small.id]), { search: "small-1" });
  const matching = (await everyPage(readerIn([small.id]), { search: "small-1" })).length;
  expect(matching).toBeGreaterThan(5);
  expect(tiny.total).toBe(matching);

  const second = await listUsers(database.db, globalReader, "reader", listUsersInput.parse({ domainId: big.id, limit: 5, cursor: large.nextCursor }));
  expect(second.items).toHaveLength(5);
  expect(second).not.toHaveProperty("total");
});
