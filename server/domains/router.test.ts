import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { ADMIN_ROLE_ID, DOMAIN_ADMIN_ROLE_ID, MEMBER_ROLE_ID, domain, domainEmailDomain, roleAssignment, userBan } from "@/db/schema";
import { ID_MAX_LENGTH } from "@/server/ids";
import type { Permission } from "@/server/shared/permissions";
import { followVerificationLink, signUp, uniqueEmail } from "@/server/testing/auth";
import { auditRows, countAuditRows, createDomain, createPersona, createPersonaWith, expectCellOutcome, type Expected, grantRole, type Caller, matrixCaller, matrixCases, READABLE_ANYWHERE, type PersonaName, personaTestBed } from "@/server/testing/authz";
import { outcome, rejection, unique } from "@/server/testing/outcome";

const bed = personaTestBed();

const deps = () => bed.deps();

/** A fresh user holding, for each entry, a custom role with exactly those permissions in that domain (global when null). */
const personaWith = (grants: { permissions: Permission[]; domainId: string | null }[]) => createPersonaWith(deps(), grants);

async function domainRow(id: string) {
  const [row] = await bed.database.db.select().from(domain).where(eq(domain.id, id));
  return row;
}

async function emailDomainsOf(id: string) {
  const rows = await bed.database.db
    .select({ emailDomain: domainEmailDomain.emailDomain })
    .from(domainEmailDomain)
    .where(eq(domainEmailDomain.domainId, id));
  return rows.map((row) => row.emailDomain).sort();
}

async function assignmentsIn(id: string) {
  return bed.database.db.select().from(roleAssignment).where(eq(roleAssignment.domainId, id));
}

// ---------------------------------------------------------------------------------------------
// Allow/deny matrix

const callerOf = (name: PersonaName): Caller => matrixCaller(bed.personas, name);

/**
 * The domain a persona acts on: the domain-admin's own domain A or the foreign domain B, and a
 * fresh empty domain for everyone else so that a successful update or delete leaves A and B alone.
 */
async function targetFor(name: PersonaName): Promise<string> {
  if (name === "domainAdminOnA") return bed.personas.domainA.id;
  if (name === "domainAdminOnB") return bed.personas.domainB.id;
  return (await createDomain(bed.database.db, { slug: unique("matrix") })).id;
}

type Procedure = "list" | "get" | "create" | "update" | "delete" | "members";

const IN_OWN_DOMAIN: Record<PersonaName, Expected> = { ...READABLE_ANYWHERE, domainAdminOnB: "NOT_FOUND" };

// Built-in domain-admins hold domains:read only, so the write checks refuse them before any lookup.
const WRITE: Record<PersonaName, Expected> = {
  ...READABLE_ANYWHERE,
  domainAdminOnA: "FORBIDDEN",
  domainAdminOnB: "FORBIDDEN",
  auditor: "FORBIDDEN",
};

const MATRIX: Record<Procedure, Record<PersonaName, Expected>> = {
  list: READABLE_ANYWHERE,
  get: IN_OWN_DOMAIN,
  create: WRITE,
  update: WRITE,
  delete: WRITE,
  members: IN_OWN_DOMAIN,
};

const MUTATIONS = new Set<Procedure>(["create", "update", "delete"]);

async function invoke(procedure: Procedure, caller: Caller, target: string): Promise<unknown> {
  switch (procedure) {
    case "list":
      return caller.domains.list({});
    case "get":
      return caller.domains.get({ id: target });
    case "create":
      return caller.domains.create({ name: "Matrix domain", slug: unique("created") });
    case "update":
      return caller.domains.update({ id: target, name: `Renamed ${unique("name")}` });
    case "delete":
      return caller.domains.delete({ id: target });
    case "members":
      return caller.domains.members({ id: target });
  }
}

const MATRIX_CASES = matrixCases(MATRIX);

test.each(MATRIX_CASES)("domains.%s as %s is %s", async (procedure, persona, expected) => {
  const target = await targetFor(persona);
  await expectCellOutcome(bed.database.db, () => invoke(procedure, callerOf(persona), target), expected, MUTATIONS.has(procedure));
});

// ---------------------------------------------------------------------------------------------
// list

test("list returns the documented item shape with email domains and distinct member counts", async () => {
  const stem = unique("shape");
  const created = await bed.personas.owner.caller.domains.create({
    name: "Shape Co",
    slug: stem,
    description: "  For the shape test  ",
    emailDomains: [`b.${stem}.test`, `a.${stem}.test`],
    mfaPolicy: "required",
  });
  const first = await createPersona(deps(), MEMBER_ROLE_ID, created.id);
  await grantRole(bed.database.db, first.userId, DOMAIN_ADMIN_ROLE_ID, created.id);
  await createPersona(deps(), MEMBER_ROLE_ID, created.id);

  const page = await bed.personas.owner.caller.domains.list({ search: stem });
  expect(page).toEqual({
    items: [
      {
        id: created.id,
        name: "Shape Co",
        slug: stem,
        description: "For the shape test",
        mfaPolicy: "required",
        emailDomains: [`a.${stem}.test`, `b.${stem}.test`],
        memberCount: 2,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
        can: { edit: true, editPolicy: true, delete: true },
      },
    ],
    nextCursor: null,
    can: { create: true, createWithPolicy: true },
  });
});

test("a domain-admin of A lists only A, while an auditor lists every domain", async () => {
  const domainAdminPage = await bed.personas.domainAdminA.caller.domains.list({ limit: 100 });
  expect(domainAdminPage.items.map((item) => item.id)).toEqual([bed.personas.domainA.id]);
  expect(domainAdminPage.nextCursor).toBeNull();

  const auditorIds = new Set<string>();
  let cursor: string | undefined;
  do {
    const page = await bed.personas.auditor.caller.domains.list({ limit: 100, cursor });
    for (const item of page.items) auditorIds.add(item.id);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  expect(auditorIds).toContain(bed.personas.domainA.id);
  expect(auditorIds).toContain(bed.personas.domainB.id);
});

test("a user holding domains:read in two domains lists exactly those two", async () => {
  const first = await createDomain(bed.database.db, { slug: unique("two-a") });
  const second = await createDomain(bed.database.db, { slug: unique("two-b") });
  const reader = await personaWith([
    { permissions: ["domains:read"], domainId: first.id },
    { permissions: ["domains:read"], domainId: second.id },
  ]);
  const page = await reader.caller.domains.list({});
  expect(page.items.map((item) => item.id).sort()).toEqual([first.id, second.id].sort());
});

test("list search matches name or slug case-insensitively and treats % and _ literally", async () => {
  const stem = unique("search");
  const byName = await createDomain(bed.database.db, { slug: `${stem}-x`, name: `Zebra ${stem.toUpperCase()} Works` });
  const bySlug = await createDomain(bed.database.db, { slug: `${stem}-y`, name: "Unrelated" });
  const page = await bed.personas.owner.caller.domains.list({ search: stem.toUpperCase() });
  expect(page.items.map((item) => item.id)).toEqual([byName.id, bySlug.id]);
  expect((await bed.personas.owner.caller.domains.list({ search: "%" })).items).toEqual([]);
  expect((await bed.personas.owner.caller.domains.list({ search: "_" })).items).toEqual([]);
});

test("pages stay correct when domains are inserted between pages: no duplicates, no skips", async () => {
  const stem = unique("page");
  const slugs = ["b", "d", "f", "h", "j", "l", "n"].map((letter) => `${stem}-${letter}`);
  for (const slug of slugs) await createDomain(bed.database.db, { slug });

  const seen: string[] = [];
  let page = await bed.personas.owner.caller.domains.list({ search: stem, limit: 2 });
  seen.push(...page.items.map((item) => item.slug));
  // Rows that sort before, between and after the pages already read.
  await createDomain(bed.database.db, { slug: `${stem}-a` });
  await createDomain(bed.database.db, { slug: `${stem}-e` });
  await createDomain(bed.database.db, { slug: `${stem}-m` });
  while (page.nextCursor) {
    page = await bed.personas.owner.caller.domains.list({ search: stem, limit: 2, cursor: page.nextCursor });
    seen.push(...page.items.map((item) => item.slug));
    await createDomain(bed.database.db, { slug: `${stem}-${seen.length}` });
  }

  expect(new Set(seen).size).toBe(seen.length);
  for (const slug of slugs) expect(seen).toContain(slug);
  expect(seen).toEqual([...seen].sort());
  expect(seen).not.toContain(`${stem}-a`);
});

test("limit is 1 to 100 and a cursor that was not issued by the list is refused", async () => {
  expect(await outcome(bed.personas.owner.caller.domains.list({ limit: 0 }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.domains.list({ limit: 101 }))).toBe("BAD_REQUEST");
  const error = await rejection(bed.personas.owner.caller.domains.list({ cursor: "not-a-cursor" }));
  expect(error.code).toBe("BAD_REQUEST");
  expect(error.message).toBe("This page cursor is not valid; load the list again from the first page.");
  const wrongShape = Buffer.from(JSON.stringify({ email: "x" })).toString("base64url");
  expect(await outcome(bed.personas.owner.caller.domains.list({ cursor: wrongShape }))).toBe("BAD_REQUEST");
});

// ---------------------------------------------------------------------------------------------
// get

test("get of an unknown id is NOT_FOUND with a sentence", async () => {
  const error = await rejection(bed.personas.owner.caller.domains.get({ id: randomUUID() }));
  expect(error.code).toBe("NOT_FOUND");
  expect(error.message).toBe("Domain not found.");
});

test("get of a foreign domain and of a missing one look the same to a domain-admin", async () => {
  const foreign = await rejection(bed.personas.domainAdminA.caller.domains.get({ id: bed.personas.domainB.id }));
  const missing = await rejection(bed.personas.domainAdminA.caller.domains.get({ id: randomUUID() }));
  expect([foreign.code, foreign.message]).toEqual([missing.code, missing.message]);
});

test("ids longer than the one id schema allows or empty are BAD_REQUEST", async () => {
  expect(await outcome(bed.personas.owner.caller.domains.get({ id: "" }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.domains.get({ id: "x".repeat(ID_MAX_LENGTH + 1) }))).toBe("BAD_REQUEST");
});

test("a domain writer without domains:admin may edit the name but not the policy, delete nothing and create nothing", async () => {
  const target = await createDomain(bed.database.db, { slug: unique("flags") });
  const writer = await personaWith([{ permissions: ["domains:read", "domains:write"], domainId: target.id }]);

  const page = await writer.caller.domains.list({});
  expect(page.can).toEqual({ create: false, createWithPolicy: false });
  expect(page.items.map((item) => [item.id, item.can])).toEqual([[target.id, { edit: true, editPolicy: false, delete: false }]]);
  expect(await writer.caller.domains.get({ id: target.id })).toMatchObject({
    can: { edit: true, editPolicy: false, delete: false },
    sees: { members: false, auditLog: false },
  });

  // The flags say what the mutations then do.
  expect(await outcome(writer.caller.domains.update({ id: target.id, name: "Renamed by its writer" }))).toBe("ok");
  expect(await outcome(writer.caller.domains.update({ id: target.id, mfaPolicy: "required" }))).toBe("FORBIDDEN");
  expect(await outcome(writer.caller.domains.delete({ id: target.id }))).toBe("FORBIDDEN");
  expect(await outcome(writer.caller.domains.create({ name: "Not allowed", slug: unique("not-allowed") }))).toBe("FORBIDDEN");
});

test("a global writer without domains:admin may create domains, but not with a policy", async () => {
  const writer = await personaWith([{ permissions: ["domains:read", "domains:write"], domainId: null }]);
  expect((await writer.caller.domains.list({ limit: 1 })).can).toEqual({ create: true, createWithPolicy: false });
  expect(await outcome(writer.caller.domains.create({ name: "Plain", slug: unique("plain") }))).toBe("ok");
  expect(await outcome(writer.caller.domains.create({ name: "Strict", slug: unique("strict"), mfaPolicy: "required" }))).toBe("FORBIDDEN");
});

test.each(["owner", "domainAdminA", "auditor"] as const)(
  "what get says %s sees of domain A agrees with domains.members and audit.list",
  async (name) => {
    const caller = bed.personas[name].caller;
    const { sees } = await caller.domains.get({ id: bed.personas.domainA.id });
    const expected = (seen: boolean) => (seen ? "ok" : expect.stringMatching(/^(FORBIDDEN|NOT_FOUND)$/));
    expect(await outcome(caller.domains.members({ id: bed.personas.domainA.id }))).toEqual(expected(sees.members));
    expect(await outcome(caller.audit.list({ domainId: bed.personas.domainA.id }))).toEqual(expected(sees.auditLog));
  },
);

test("a reader of a domain without users:read or audit:read there sees neither its members nor its audit log", async () => {
  const target = await createDomain(bed.database.db, { slug: unique("reader") });
  const reader = await personaWith([{ permissions: ["domains:read"], domainId: target.id }]);
  const { can, sees } = await reader.caller.domains.get({ id: target.id });
  expect({ can, sees }).toEqual({ can: { edit: false, editPolicy: false, delete: false }, sees: { members: false, auditLog: false } });
  expect(await outcome(reader.caller.domains.members({ id: target.id }))).toBe("FORBIDDEN");
});

// ---------------------------------------------------------------------------------------------
// create

test("create writes the domain and exactly one domain.created event naming it", async () => {
  const slug = unique("acme");
  const eventsBefore = await countAuditRows(bed.database.db);
  const created = await bed.personas.owner.caller.domains.create({
    name: "  Acme Corp  ",
    slug,
    emailDomains: [` ACME-${slug}.Example `, `acme-${slug}.example`],
  });

  expect(created).toMatchObject({
    name: "Acme Corp",
    slug,
    description: "",
    mfaPolicy: "optional",
    emailDomains: [`acme-${slug}.example`],
    memberCount: 0,
  });
  expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
  expect(await domainRow(created.id)).toMatchObject({ name: "Acme Corp", slug });
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore + 1);
  const [event] = (await auditRows(bed.database.db, { action: "domain.created" })).filter((row) => row.targetId === created.id);
  expect(event).toMatchObject({
    actorUserId: bed.personas.owner.userId,
    targetType: "domain",
    targetId: created.id,
    domainId: created.id,
    details: { name: "Acme Corp", slug, emailDomains: [`acme-${slug}.example`], mfaPolicy: "optional" },
  });
});

test("slugs are trimmed and lowercased, and one to 63 characters are accepted", async () => {
  const upper = unique("Upper-Case");
  expect((await bed.personas.owner.caller.domains.create({ name: "Upper", slug: `  ${upper.toUpperCase()} ` })).slug).toBe(
    upper.toLowerCase(),
  );
  expect((await bed.personas.owner.caller.domains.create({ name: "Single", slug: "q" })).slug).toBe("q");
  const longest = `${unique("max")}-`.padEnd(62, "x") + "9";
  expect(longest).toHaveLength(63);
  expect((await bed.personas.owner.caller.domains.create({ name: "Longest", slug: longest })).slug).toBe(longest);
});

test.each([
  ["empty", ""],
  ["leading hyphen", "-acme"],
  ["trailing hyphen", "acme-"],
  ["underscore", "ac_me"],
  ["space inside", "ac me"],
  ["dot", "acme.eu"],
  ["non-ASCII letter", "acmé"],
  ["64 characters", "a".repeat(64)],
])("a slug with a %s is BAD_REQUEST and nothing is written", async (_case, slug) => {
  const domainsBefore = await bed.database.db.$count(domain);
  const eventsBefore = await countAuditRows(bed.database.db);
  const error = await rejection(bed.personas.owner.caller.domains.create({ name: "Bad slug", slug }));
  expect(error.code).toBe("BAD_REQUEST");
  expect(await bed.database.db.$count(domain)).toBe(domainsBefore);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("a duplicate slug is CONFLICT with nothing written", async () => {
  const slug = unique("dup");
  await bed.personas.owner.caller.domains.create({ name: "First", slug });
  const domainsBefore = await bed.database.db.$count(domain);
  const eventsBefore = await countAuditRows(bed.database.db);

  const error = await rejection(
    bed.personas.owner.caller.domains.create({ name: "Second", slug: slug.toUpperCase(), emailDomains: [`${slug}.example`] }),
  );
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe(`The slug “${slug}” is already taken.`);
  expect(await bed.database.db.$count(domain)).toBe(domainsBefore);
  expect(await bed.database.db.$count(domainEmailDomain, eq(domainEmailDomain.emailDomain, `${slug}.example`))).toBe(0);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("an email domain claimed twice is CONFLICT naming the owner when the caller can see it", async () => {
  const stem = unique("claimed");
  const holder = await bed.personas.owner.caller.domains.create({ name: "Holder Inc", slug: stem, emailDomains: [`${stem}.example`] });
  const eventsBefore = await countAuditRows(bed.database.db);

  const error = await rejection(
    bed.personas.owner.caller.domains.create({ name: "Taker", slug: `${stem}-2`, emailDomains: [`${stem}.EXAMPLE`] }),
  );
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe(`“${stem}.example” already belongs to domain “Holder Inc”.`);
  expect(await emailDomainsOf(holder.id)).toEqual([`${stem}.example`]);
  expect(await bed.database.db.$count(domain, eq(domain.slug, `${stem}-2`))).toBe(0);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("the conflict does not name a domain the caller cannot see", async () => {
  const stem = unique("hidden");
  await createDomain(bed.database.db, { name: "Secret Tenant", slug: stem, emailDomains: [`${stem}.example`] });
  const own = await createDomain(bed.database.db, { slug: `${stem}-own` });
  const creator = await personaWith([
    { permissions: ["domains:write", "domains:admin"], domainId: null },
    { permissions: ["domains:read"], domainId: own.id },
  ]);
  const error = await rejection(
    creator.caller.domains.create({ name: "Grabber", slug: `${stem}-new`, emailDomains: [`${stem}.example`] }),
  );
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe(`“${stem}.example” already belongs to another domain.`);
  expect(error.message).not.toContain("Secret Tenant");
});

test.each([
  ["a single label", "localhost"],
  ["an @", "@example.com"],
  ["an email address", "someone@example.com"],
  ["a space", "exa mple.com"],
  ["an empty label", "example..com"],
  ["a leading dot", ".example.com"],
  ["a label starting with a hyphen", "-example.com"],
  ["a label ending with a hyphen", "example-.com"],
  ["an IPv4 address", "192.168.1.1"],
  ["a numeric top-level label", "example.123"],
  ["a 64-character label", `${"a".repeat(64)}.com`],
  ["a URL", "https://example.com"],
  ["an underscore", "ex_ample.com"],
  ["nothing", ""],
])("an email domain with %s is BAD_REQUEST", async (_case, emailDomain) => {
  const eventsBefore = await countAuditRows(bed.database.db);
  const error = await rejection(
    bed.personas.owner.caller.domains.create({ name: "Bad host", slug: unique("badhost"), emailDomains: [emailDomain] }),
  );
  expect(error.code).toBe("BAD_REQUEST");
  expect(error.message).toContain(emailDomain === "" ? "is not a valid email domain" : `“${emailDomain}” is not a valid email domain`);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("more than 20 email domains is BAD_REQUEST", async () => {
  const stem = unique("many");
  const hosts = Array.from({ length: 21 }, (_, index) => `h${index}.${stem}.example`);
  expect(
    await outcome(bed.personas.owner.caller.domains.create({ name: "Many", slug: stem, emailDomains: hosts })),
  ).toBe("BAD_REQUEST");
  expect(
    await outcome(bed.personas.owner.caller.domains.create({ name: "Many", slug: stem, emailDomains: hosts.slice(0, 20) })),
  ).toBe("ok");
});

test("names are trimmed, must not be blank, and are at most 100 characters", async () => {
  expect(await outcome(bed.personas.owner.caller.domains.create({ name: "   ", slug: unique("blank") }))).toBe("BAD_REQUEST");
  expect(await outcome(bed.personas.owner.caller.domains.create({ name: "n".repeat(101), slug: unique("long") }))).toBe(
    "BAD_REQUEST",
  );
  expect(await outcome(bed.personas.owner.caller.domains.create({ name: "n".repeat(100), slug: unique("max") }))).toBe("ok");
});

test("an unknown MFA policy is BAD_REQUEST", async () => {
  const input = { name: "Policy", slug: unique("policy"), mfaPolicy: "sometimes" } as unknown as Parameters<
    Caller["domains"]["create"]
  >[0];
  expect(await outcome(bed.personas.owner.caller.domains.create(input))).toBe("BAD_REQUEST");
});

test("create needs domains:write globally, not in some domain", async () => {
  const scoped = await personaWith([{ permissions: ["domains:read", "domains:write", "domains:admin"], domainId: bed.personas.domainA.id }]);
  const error = await rejection(scoped.caller.domains.create({ name: "Nope", slug: unique("scoped") }));
  expect(error.code).toBe("FORBIDDEN");
  expect(error.message).toBe("You need the domains:write permission globally.");
});

test("claiming email domains or a non-default MFA policy on create needs domains:admin globally", async () => {
  const writer = await personaWith([{ permissions: ["domains:read", "domains:write"], domainId: null }]);
  const eventsBefore = await countAuditRows(bed.database.db);

  const withHosts = await rejection(
    writer.caller.domains.create({ name: "Hosts", slug: unique("hosts"), emailDomains: [`${unique("h")}.example`] }),
  );
  expect(withHosts.code).toBe("FORBIDDEN");
  expect(withHosts.message).toContain("domains:admin");
  const withPolicy = await rejection(writer.caller.domains.create({ name: "Policy", slug: unique("mfa"), mfaPolicy: "required" }));
  expect(withPolicy.code).toBe("FORBIDDEN");
  expect(withPolicy.message).toContain("domains:admin");
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);

  const plain = await writer.caller.domains.create({ name: "Plain", slug: unique("plain"), mfaPolicy: "optional", emailDomains: [] });
  expect(plain.mfaPolicy).toBe("optional");
});

// ---------------------------------------------------------------------------------------------
// update

test("update records only the changed fields, before and after, and sets updatedAt", async () => {
  const stem = unique("upd");
  const created = await bed.personas.owner.caller.domains.create({
    name: "Before",
    slug: stem,
    description: "Same",
    emailDomains: [`old.${stem}.example`, `kept.${stem}.example`],
  });
  await new Promise((resolve) => setTimeout(resolve, 5));

  const updated = await bed.personas.owner.caller.domains.update({
    id: created.id,
    name: "After",
    description: "Same",
    emailDomains: [`kept.${stem}.example`, `new.${stem}.example`],
    mfaPolicy: "required",
  });
  expect(updated).toMatchObject({
    name: "After",
    slug: stem,
    description: "Same",
    mfaPolicy: "required",
    emailDomains: [`kept.${stem}.example`, `new.${stem}.example`],
  });
  expect(updated.updatedAt.getTime()).toBeGreaterThan(created.updatedAt.getTime());
  expect(await emailDomainsOf(created.id)).toEqual([`kept.${stem}.example`, `new.${stem}.example`]);

  const events = (await auditRows(bed.database.db, { action: "domain.updated" })).filter((row) => row.targetId === created.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({ actorUserId: bed.personas.owner.userId, targetType: "domain", domainId: created.id });
  expect(events[0]?.details).toEqual({
    before: { name: "Before", mfaPolicy: "optional", emailDomains: [`kept.${stem}.example`, `old.${stem}.example`] },
    after: { name: "After", mfaPolicy: "required", emailDomains: [`kept.${stem}.example`, `new.${stem}.example`] },
  });
});

test("an update that changes nothing writes nothing and records no event", async () => {
  const stem = unique("noop");
  const created = await bed.personas.owner.caller.domains.create({ name: "Same", slug: stem, emailDomains: [`${stem}.example`] });
  const eventsBefore = await countAuditRows(bed.database.db);
  const result = await bed.personas.owner.caller.domains.update({
    id: created.id,
    name: " Same ",
    slug: stem.toUpperCase(),
    emailDomains: [`${stem}.example`, `${stem}.EXAMPLE`],
    mfaPolicy: "optional",
  });
  expect(result).toEqual(created);
  expect((await domainRow(created.id))?.updatedAt).toEqual(created.updatedAt);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("update to a slug another domain has is CONFLICT and leaves both unchanged", async () => {
  const first = await bed.personas.owner.caller.domains.create({ name: "First", slug: unique("first") });
  const second = await bed.personas.owner.caller.domains.create({ name: "Second", slug: unique("second") });
  const eventsBefore = await countAuditRows(bed.database.db);
  const error = await rejection(bed.personas.owner.caller.domains.update({ id: second.id, name: "Changed", slug: first.slug }));
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe(`The slug “${first.slug}” is already taken.`);
  expect(await domainRow(second.id)).toMatchObject({ name: "Second", slug: second.slug });
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("update to an email domain another domain claims is CONFLICT and keeps the old set", async () => {
  const stem = unique("upclaim");
  await bed.personas.owner.caller.domains.create({ name: "Claimer", slug: stem, emailDomains: [`${stem}.example`] });
  const other = await bed.personas.owner.caller.domains.create({ name: "Other", slug: `${stem}-o`, emailDomains: [`o.${stem}.example`] });
  const eventsBefore = await countAuditRows(bed.database.db);
  const error = await rejection(
    bed.personas.owner.caller.domains.update({ id: other.id, emailDomains: [`o.${stem}.example`, `${stem}.example`] }),
  );
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe(`“${stem}.example” already belongs to domain “Claimer”.`);
  expect(await emailDomainsOf(other.id)).toEqual([`o.${stem}.example`]);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("update of an unknown domain is NOT_FOUND", async () => {
  expect(await outcome(bed.personas.owner.caller.domains.update({ id: randomUUID(), name: "Ghost" }))).toBe("NOT_FOUND");
});

test("a domain-scoped writer can edit their domain but not see another, and needs domains:admin for security settings", async () => {
  const own = await createDomain(bed.database.db, { slug: unique("own"), name: "Own" });
  const foreign = await createDomain(bed.database.db, { slug: unique("foreign") });
  const writer = await personaWith([{ permissions: ["domains:read", "domains:write"], domainId: own.id }]);

  expect((await writer.caller.domains.update({ id: own.id, description: "Edited" })).description).toBe("Edited");
  expect(await outcome(writer.caller.domains.update({ id: foreign.id, name: "Taken over" }))).toBe("NOT_FOUND");
  expect(await outcome(writer.caller.domains.create({ name: "New", slug: unique("new") }))).toBe("FORBIDDEN");

  const eventsBefore = await countAuditRows(bed.database.db);
  const policy = await rejection(writer.caller.domains.update({ id: own.id, mfaPolicy: "required" }));
  expect(policy.code).toBe("FORBIDDEN");
  expect(policy.message).toBe("You need the domains:admin permission in this domain.");
  const hosts = await rejection(writer.caller.domains.update({ id: own.id, emailDomains: [`${unique("w")}.example`] }));
  expect(hosts.code).toBe("FORBIDDEN");
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
  expect(await domainRow(own.id)).toMatchObject({ mfaPolicy: "optional" });

  // Sending the current values back (as a form does) is not a change, so it needs no domains:admin.
  expect(await outcome(writer.caller.domains.update({ id: own.id, name: "Own", mfaPolicy: "optional", emailDomains: [] }))).toBe(
    "ok",
  );
});

test("a domain admin of domain settings can change them in their domain only", async () => {
  const own = await createDomain(bed.database.db, { slug: unique("sec") });
  const securityAdmin = await personaWith([
    { permissions: ["domains:read", "domains:write", "domains:admin"], domainId: own.id },
  ]);
  const updated = await securityAdmin.caller.domains.update({
    id: own.id,
    mfaPolicy: "off",
    emailDomains: [`${unique("sec")}.example`],
  });
  expect(updated.mfaPolicy).toBe("off");
  expect(updated.emailDomains).toHaveLength(1);
});

// ---------------------------------------------------------------------------------------------
// delete

test("delete of a domain with members is CONFLICT without cascade and changes nothing", async () => {
  const stem = unique("busy");
  const busy = await bed.personas.owner.caller.domains.create({ name: "Busy", slug: stem, emailDomains: [`${stem}.example`] });
  await createPersona(deps(), MEMBER_ROLE_ID, busy.id);
  await createPersona(deps(), DOMAIN_ADMIN_ROLE_ID, busy.id);
  const eventsBefore = await countAuditRows(bed.database.db);

  const error = await rejection(bed.personas.owner.caller.domains.delete({ id: busy.id }));
  expect(error.code).toBe("CONFLICT");
  expect(error.message).toBe("Domain “Busy” still has 2 members. Remove them first, or delete it with cascade.");
  expect(await domainRow(busy.id)).toBeDefined();
  expect(await assignmentsIn(busy.id)).toHaveLength(2);
  expect(await emailDomainsOf(busy.id)).toEqual([`${stem}.example`]);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("delete with cascade removes assignments, email domains and the domain in one go with one event", async () => {
  const stem = unique("cascade");
  const doomed = await bed.personas.owner.caller.domains.create({
    name: "Doomed",
    slug: stem,
    emailDomains: [`${stem}.example`, `second.${stem}.example`],
  });
  const alice = await createPersona(deps(), MEMBER_ROLE_ID, doomed.id);
  await grantRole(bed.database.db, alice.userId, DOMAIN_ADMIN_ROLE_ID, doomed.id);
  await createPersona(deps(), MEMBER_ROLE_ID, doomed.id);
  const eventsBefore = await countAuditRows(bed.database.db);

  const result = await bed.personas.owner.caller.domains.delete({ id: doomed.id, cascade: true });

  expect(result).toEqual({ id: doomed.id, removedAssignments: 3, removedClients: 0 });
  expect(await domainRow(doomed.id)).toBeUndefined();
  expect(await assignmentsIn(doomed.id)).toEqual([]);
  expect(await emailDomainsOf(doomed.id)).toEqual([]);
  // Accounts and their global roles survive; only the tenant's grants go.
  expect(await bed.database.db.$count(roleAssignment, eq(roleAssignment.userId, alice.userId))).toBe(1);
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore + 1);
  const events = (await auditRows(bed.database.db, { action: "domain.deleted" })).filter((row) => row.targetId === doomed.id);
  expect(events).toHaveLength(1);
  expect(events[0]).toMatchObject({
    actorUserId: bed.personas.owner.userId,
    targetType: "domain",
    domainId: doomed.id,
    details: { name: "Doomed", slug: stem, removedAssignments: 3, removedClients: [] },
  });

  // The freed slug and email domain can be used again.
  const reborn = await bed.personas.owner.caller.domains.create({ name: "Reborn", slug: stem, emailDomains: [`${stem}.example`] });
  expect(reborn.emailDomains).toEqual([`${stem}.example`]);
});

test("an empty domain is deleted without cascade, together with its email domains", async () => {
  const stem = unique("empty");
  const empty = await bed.personas.owner.caller.domains.create({ name: "Empty", slug: stem, emailDomains: [`${stem}.example`] });
  expect(await bed.personas.owner.caller.domains.delete({ id: empty.id })).toEqual({ id: empty.id, removedAssignments: 0, removedClients: 0 });
  expect(await domainRow(empty.id)).toBeUndefined();
  expect(await emailDomainsOf(empty.id)).toEqual([]);
});

test("delete of an unknown domain is NOT_FOUND and records nothing", async () => {
  const eventsBefore = await countAuditRows(bed.database.db);
  expect(await outcome(bed.personas.owner.caller.domains.delete({ id: randomUUID(), cascade: true }))).toBe("NOT_FOUND");
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("a cascade cannot take away roles carrying permissions the caller does not hold", async () => {
  const tenant = await createDomain(bed.database.db, { slug: unique("guarded") });
  await createPersona(deps(), DOMAIN_ADMIN_ROLE_ID, tenant.id);
  const deleter = await personaWith([{ permissions: ["domains:read", "domains:delete"], domainId: tenant.id }]);
  const eventsBefore = await countAuditRows(bed.database.db);

  const error = await rejection(deleter.caller.domains.delete({ id: tenant.id, cascade: true }));
  expect(error.code).toBe("FORBIDDEN");
  expect(error.message).toContain("users:admin");
  expect(await domainRow(tenant.id)).toBeDefined();
  expect(await countAuditRows(bed.database.db)).toBe(eventsBefore);
});

test("a domain-scoped deleter cannot delete a domain outside their scope", async () => {
  const own = await createDomain(bed.database.db, { slug: unique("mine") });
  const foreign = await createDomain(bed.database.db, { slug: unique("theirs") });
  const deleter = await personaWith([{ permissions: ["domains:read", "domains:delete"], domainId: own.id }]);
  expect(await outcome(deleter.caller.domains.delete({ id: foreign.id }))).toBe("NOT_FOUND");
  expect(await domainRow(foreign.id)).toBeDefined();
});

// ---------------------------------------------------------------------------------------------
// members

test("members lists users ordered by email with only their roles in this domain and the ban flag", async () => {
  const tenant = await createDomain(bed.database.db, { slug: unique("team") });
  const other = await createDomain(bed.database.db, { slug: unique("elsewhere") });
  const zed = await createPersona(deps(), MEMBER_ROLE_ID, tenant.id, "zzz");
  const amy = await createPersona(deps(), DOMAIN_ADMIN_ROLE_ID, tenant.id, "aaa");
  await grantRole(bed.database.db, amy.userId, MEMBER_ROLE_ID, tenant.id);
  await grantRole(bed.database.db, amy.userId, ADMIN_ROLE_ID, other.id);
  await bed.database.db.insert(userBan).values({ userId: zed.userId, reason: "test" });
  await createPersona(deps(), MEMBER_ROLE_ID, other.id, "outsider");

  const page = await bed.personas.owner.caller.domains.members({ id: tenant.id });
  expect(page).toEqual({
    items: [
      {
        id: amy.userId,
        email: amy.email,
        name: "Test User",
        roles: [
          { roleId: DOMAIN_ADMIN_ROLE_ID, roleName: "domain-admin" },
          { roleId: MEMBER_ROLE_ID, roleName: "member" },
        ],
        banned: false,
      },
      { id: zed.userId, email: zed.email, name: "Test User", roles: [{ roleId: MEMBER_ROLE_ID, roleName: "member" }], banned: true },
    ],
    nextCursor: null,
  });
});

test("members pages by email without duplicates or skips, and search filters by email or name", async () => {
  const tenant = await createDomain(bed.database.db, { slug: unique("paged") });
  const emails: string[] = [];
  for (let index = 0; index < 5; index += 1) emails.push((await createPersona(deps(), MEMBER_ROLE_ID, tenant.id, `pg${index}`)).email);

  const seen: string[] = [];
  let page = await bed.personas.owner.caller.domains.members({ id: tenant.id, limit: 2 });
  seen.push(...page.items.map((item) => item.email));
  await createPersona(deps(), MEMBER_ROLE_ID, tenant.id, "pg-late");
  while (page.nextCursor) {
    page = await bed.personas.owner.caller.domains.members({ id: tenant.id, limit: 2, cursor: page.nextCursor });
    seen.push(...page.items.map((item) => item.email));
  }
  expect(new Set(seen).size).toBe(seen.length);
  for (const email of emails) expect(seen).toContain(email);
  expect(seen).toEqual([...seen].sort());

  const searched = await bed.personas.owner.caller.domains.members({ id: tenant.id, search: emails[3]?.toUpperCase() });
  expect(searched.items.map((item) => item.email)).toEqual([emails[3]]);
});

test("members needs users:read in the domain: a domain reader without it is FORBIDDEN", async () => {
  const tenant = await createDomain(bed.database.db, { slug: unique("readonly") });
  const elsewhere = await createDomain(bed.database.db, { slug: unique("userread") });
  const reader = await personaWith([
    { permissions: ["domains:read"], domainId: tenant.id },
    { permissions: ["users:read"], domainId: elsewhere.id },
  ]);
  const error = await rejection(reader.caller.domains.members({ id: tenant.id }));
  expect(error.code).toBe("FORBIDDEN");
  expect(error.message).toBe("You need the users:read permission in this domain.");
});

test("members of an unknown domain is NOT_FOUND", async () => {
  expect(await outcome(bed.personas.owner.caller.domains.members({ id: randomUUID() }))).toBe("NOT_FOUND");
});

test("a new sign-up with a claimed email domain joins the domain as a member once the address is verified", async () => {
  const stem = unique("joiners");
  const tenant = await bed.personas.owner.caller.domains.create({ name: "Joiners", slug: stem, emailDomains: [`${stem}.example`] });
  const joined = await signUp(bed.auth, `new-person@${stem.toUpperCase()}.example`);
  await signUp(bed.auth, uniqueEmail("not-joined"));
  expect((await bed.personas.owner.caller.domains.members({ id: tenant.id })).items).toEqual([]);
  await followVerificationLink(bed.database.db, bed.auth, `new-person@${stem}.example`, joined.cookie);

  const page = await bed.personas.owner.caller.domains.members({ id: tenant.id });
  expect(page.items).toEqual([
    {
      id: joined.userId,
      email: `new-person@${stem}.example`,
      name: "Test User",
      roles: [{ roleId: MEMBER_ROLE_ID, roleName: "member" }],
      banned: false,
    },
  ]);
  expect((await bed.personas.owner.caller.domains.get({ id: tenant.id })).memberCount).toBe(1);
});

