import { eq } from "drizzle-orm";
import { expect, test } from "vitest";
import { OWNER_ROLE_ID, role } from "@/db/schema";
import { ID_MAX_LENGTH } from "@/server/ids";
import { createTestAuth, signUp } from "@/server/testing/auth";
import { auditRows, countAuditRows, personaTestBed } from "@/server/testing/authz";
import { addAuditEvent, atSecond, uniqueActionPrefix, type TestEvent } from "@/server/testing/audit";
import { createTestDatabase } from "@/server/testing/db";
import { expectConsoleError } from "@/server/testing/setup";
import { AUDIT_CSV_COLUMNS, exportAuditCsv, type ExportDependencies } from "./export";

const bed = personaTestBed();

const NOW = new Date("2026-03-01T12:00:00.000Z");

/** Every event here came through one MCP client, so the export shows its via, client and address columns filled. */
const addEvent = (event: TestEvent) => addAuditEvent(bed.database.db, { clientId: "client-1", ip: "192.0.2.7", ...event });

function exportAs(cookie: string | undefined, query: Record<string, string> | string = {}, options: Partial<ExportDependencies> = {}) {
  const search = typeof query === "string" ? query : new URLSearchParams(query).toString();
  const request = new Request(`http://localhost:3000/api/audit/export${search ? `?${search}` : ""}`, {
    headers: cookie ? { cookie, "user-agent": "export-test" } : {},
  });
  return exportAuditCsv({ db: bed.database.db, auth: bed.auth, request, now: NOW, ...options });
}

/** RFC 4180 records, enough to read back what the export wrote. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = "";
  let quoted = false;
  for (let index = 0; index < text.length; index += 1) {
    const char = text[index];
    if (quoted) {
      if (char === '"' && text[index + 1] === '"') {
        field += '"';
        index += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") {
      record.push(field);
      field = "";
    } else if (char === "\r" && text[index + 1] === "\n") {
      record.push(field);
      records.push(record);
      record = [];
      field = "";
      index += 1;
    } else field += char;
  }
  return records;
}

function rowsByColumn(text: string): Record<string, string>[] {
  const [header, ...records] = parseCsv(text);
  return records.map((record) => Object.fromEntries(header!.map((column, index) => [column, record[index] ?? ""])));
}

test.each([
  ["owner", "A", 200],
  ["admin", "A", 200],
  ["domainAdminA", "A", 200],
  ["domainAdminA", "B", 404],
  ["auditor", "A", 200],
  ["member", "A", 403],
  ["anonymous", "A", 401],
] as const)("%s exporting domain %s gets %i", async (persona, domainName, status) => {
  const cookie = persona === "anonymous" ? undefined : bed.personas[persona].cookie;
  const domainId = domainName === "A" ? bed.personas.domainA.id : bed.personas.domainB.id;
  const response = await exportAs(cookie, { domainId });
  expect(response.status).toBe(status);
  if (status === 200) {
    expect(response.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    await response.body?.cancel();
  } else {
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.message).toMatch(/\.$/);
  }
});

test("refusals name the reason: sign in, the missing permission, an unknown domain", async () => {
  expect(await (await exportAs(undefined)).json()).toEqual({ error: { code: "UNAUTHORIZED", message: "Sign in to continue." } });
  expect(await (await exportAs(bed.personas.member.cookie)).json()).toEqual({
    error: { code: "FORBIDDEN", message: "You need the audit:read permission." },
  });
  expect(await (await exportAs(bed.personas.domainAdminA.cookie, { domainId: bed.personas.domainB.id })).json()).toEqual({
    error: { code: "NOT_FOUND", message: "Domain not found." },
  });
});

test.each([
  ["an unknown parameter", "colour=red", /Unknown parameter "colour"/],
  ["a repeated parameter", "action=a.&action=b.", /only once/],
  ["a date that is not ISO 8601", "from=yesterday", /"from" must be an ISO 8601 date/],
  ["a date-time without a zone", "to=2026-01-01T10:00:00", /"to" must be an ISO 8601 date/],
  ["an impossible date", "from=2026-02-31T00:00:00Z", /"from" must be an ISO 8601 date/],
  ["an impossible time", "to=2026-01-01T25:00:00Z", /"to" must be an ISO 8601 date/],
  ["from after to", "from=2026-02-01&to=2026-01-01", /must not be after/],
  ["an overlong action", `action=${"a".repeat(101)}`, /"action": Use at most 100 characters/],
  ["an overlong id", `actorUserId=${"u".repeat(ID_MAX_LENGTH + 1)}`, /"actorUserId"/],
])("%s is a 400 with a clear message", async (_case, query, message) => {
  const response = await exportAs(bed.personas.owner.cookie, query);
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: { code: string; message: string } };
  expect(body.error.code).toBe("BAD_REQUEST");
  expect(body.error.message).toMatch(message);
});

test("validation comes after authentication: an anonymous caller learns nothing about parameters", async () => {
  expect((await exportAs(undefined, "colour=red")).status).toBe(401);
  expect((await exportAs(bed.personas.member.cookie, "colour=red")).status).toBe(403);
});

test("the CSV has the documented columns, newest first, with names joined and values as written", async () => {
  const ns = uniqueActionPrefix();
  const actor = await signUp(bed.auth);
  await addEvent({ action: `${ns}role.assigned`, at: atSecond(1), actorUserId: actor.userId, domainId: bed.personas.domainA.id, targetType: "user", targetId: "u-1", details: { roleId: "role_member" } });
  await addEvent({ action: `${ns}role.created`, at: atSecond(2), domainId: "deleted-domain-id" });

  const response = await exportAs(bed.personas.owner.cookie, { action: ns });
  expect(response.status).toBe(200);
  const text = await response.text();
  expect(text.split("\r\n")[0]).toBe(AUDIT_CSV_COLUMNS.join(","));
  expect(rowsByColumn(text)).toEqual([
    {
      at: "2026-01-01T00:00:02.000Z",
      actor_email: "",
      actor_user_id: "",
      actor_via: "mcp",
      client_id: "client-1",
      action: `${ns}role.created`,
      target_type: "",
      target_id: "",
      domain: "deleted-domain-id",
      ip: "192.0.2.7",
      user_agent: "vitest",
      details: "{}",
    },
    {
      at: "2026-01-01T00:00:01.000Z",
      actor_email: actor.email,
      actor_user_id: actor.userId,
      actor_via: "mcp",
      client_id: "client-1",
      action: `${ns}role.assigned`,
      target_type: "user",
      target_id: "u-1",
      domain: "Domain A",
      ip: "192.0.2.7",
      user_agent: "vitest",
      details: '{"roleId":"role_member"}',
    },
  ]);
});

test("cells that would run as spreadsheet formulas are neutralized and quoting survives a round trip", async () => {
  const ns = uniqueActionPrefix();
  await addEvent({
    action: `${ns}user.updated`,
    at: atSecond(1),
    userAgent: '=HYPERLINK("http://evil.example","open")',
    details: { name: 'Robert "Bobby", Jr.\r\n+1' },
  });
  const text = await (await exportAs(bed.personas.owner.cookie, { action: ns })).text();
  expect(text).toContain('"\'=HYPERLINK(""http://evil.example"",""open"")"');
  const [row] = rowsByColumn(text);
  expect(row?.user_agent).toBe('\'=HYPERLINK("http://evil.example","open")');
  expect(JSON.parse(row?.details ?? "")).toEqual({ name: 'Robert "Bobby", Jr.\r\n+1' });
});

test("the file name carries the time range; without one, the beginning and the export time", async () => {
  const ranged = await exportAs(bed.personas.owner.cookie, { from: "2026-01-01", to: "2026-01-31" });
  expect(ranged.headers.get("content-disposition")).toBe('attachment; filename="gatehouse-audit-20260101T000000Z-20260131T235959Z.csv"');
  await ranged.body?.cancel();
  const open = await exportAs(bed.personas.owner.cookie);
  expect(open.headers.get("content-disposition")).toBe('attachment; filename="gatehouse-audit-beginning-20260301T120000Z.csv"');
  expect(open.headers.get("cache-control")).toBe("no-store");
  await open.body?.cancel();
});

test("a date alone as 'to' includes that whole day; date-times are exact", async () => {
  const ns = uniqueActionPrefix();
  await addEvent({ action: `${ns}x`, at: new Date("2026-01-31T23:59:59.999Z") });
  await addEvent({ action: `${ns}x`, at: new Date("2026-02-01T00:00:00.000Z") });
  await addEvent({ action: `${ns}x`, at: new Date("2026-01-01T00:00:00.000Z") });
  await addEvent({ action: `${ns}x`, at: new Date("2025-12-31T23:59:59.999Z") });

  const byDate = rowsByColumn(await (await exportAs(bed.personas.owner.cookie, { action: ns, from: "2026-01-01", to: "2026-01-31" })).text());
  expect(byDate.map((row) => row.at)).toEqual(["2026-01-31T23:59:59.999Z", "2026-01-01T00:00:00.000Z"]);
  const exact = rowsByColumn(
    await (await exportAs(bed.personas.owner.cookie, { action: ns, from: "2026-01-01T00:00:00.001Z", to: "2026-02-01T00:00:00+00:00" })).text(),
  );
  expect(exact.map((row) => row.at)).toEqual(["2026-02-01T00:00:00.000Z", "2026-01-31T23:59:59.999Z"]);
});

test("a domain-admin's export holds their domain's events only", async () => {
  const ns = uniqueActionPrefix();
  await addEvent({ action: `${ns}x`, at: atSecond(1), domainId: bed.personas.domainA.id });
  await addEvent({ action: `${ns}x`, at: atSecond(2), domainId: bed.personas.domainB.id });
  await addEvent({ action: `${ns}x`, at: atSecond(3) });
  const scoped = rowsByColumn(await (await exportAs(bed.personas.domainAdminA.cookie, { action: ns })).text());
  expect(scoped.map((row) => row.domain)).toEqual(["Domain A"]);
  const everything = rowsByColumn(await (await exportAs(bed.personas.domainAdminA.cookie)).text());
  expect(everything.length).toBeGreaterThan(0);
  expect(everything.every((row) => row.domain === "Domain A")).toBe(true);
});

test("the body streams page by page, reading each page only when the client asks for it", async () => {
  const ns = uniqueActionPrefix();
  for (let n = 10; n <= 50; n += 10) await addEvent({ action: `${ns}x`, at: atSecond(n) });
  const response = await exportAs(bed.personas.owner.cookie, { action: ns }, { pageSize: 2 });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const chunks: string[] = [];

  const first = await reader.read();
  chunks.push(decoder.decode(first.value));
  expect(parseCsv(chunks[0]!)).toHaveLength(1 + 2);
  // Give a stream that reads ahead time to do so; then write a row older than every row so far:
  // only a stream that reads each page on demand includes it.
  await new Promise((resolve) => setTimeout(resolve, 100));
  await addEvent({ action: `${ns}x`, at: atSecond(1) });
  for (let next = await reader.read(); !next.done; next = await reader.read()) chunks.push(decoder.decode(next.value));

  expect(chunks.length).toBeGreaterThanOrEqual(3);
  expect(chunks.slice(0, 3).map((chunk) => parseCsv(chunk).length)).toEqual([3, 2, 2]);
  expect(rowsByColumn(chunks.join("")).map((row) => row.at)).toEqual(
    [50, 40, 30, 20, 10, 1].map((n) => atSecond(n).toISOString()),
  );
});

test("an export with nothing to show is the header alone", async () => {
  const text = await (await exportAs(bed.personas.owner.cookie, { action: uniqueActionPrefix() })).text();
  expect(text).toBe(`${AUDIT_CSV_COLUMNS.join(",")}\r\n`);
});

test("a successful export is audited once with its filters; a refused one writes nothing", async () => {
  const ns = uniqueActionPrefix();
  const before = await countAuditRows(bed.database.db);
  for (const refused of [
    exportAs(undefined),
    exportAs(bed.personas.member.cookie),
    exportAs(bed.personas.owner.cookie, "colour=red"),
    exportAs(bed.personas.domainAdminA.cookie, { domainId: bed.personas.domainB.id }),
  ]) {
    expect((await refused).status).toBeGreaterThanOrEqual(400);
  }
  expect(await countAuditRows(bed.database.db)).toBe(before);

  const response = await exportAs(bed.personas.domainAdminA.cookie, { action: ns, domainId: bed.personas.domainA.id, from: "2026-01-01" });
  await response.text();
  expect(await countAuditRows(bed.database.db)).toBe(before + 1);
  const exported = (await auditRows(bed.database.db, { action: "audit.exported" })).filter(
    (row) => (row.details as { filters?: { action?: string } }).filters?.action === ns,
  );
  expect(exported).toHaveLength(1);
  expect(exported[0]).toMatchObject({
    actorUserId: bed.personas.domainAdminA.userId,
    actorVia: "web",
    domainId: bed.personas.domainA.id,
    userAgent: "export-test",
    details: { filters: { action: ns, domainId: bed.personas.domainA.id, from: "2026-01-01T00:00:00.000Z" } },
  });
});

test("an owner whose role requires a second factor they have not enrolled cannot download the log", async () => {
  const before = await countAuditRows(bed.database.db);
  await bed.database.db.update(role).set({ requiresMfa: true }).where(eq(role.id, OWNER_ROLE_ID));
  try {
    const response = await exportAs(bed.personas.owner.cookie);
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      error: {
        code: "MFA_ENROLMENT_REQUIRED",
        message: 'MFA enrolment required: your role "owner" requires a second factor. Set up an authenticator app or a passkey on Account > Security.',
      },
    });
    expect(await countAuditRows(bed.database.db)).toBe(before);
  } finally {
    await bed.database.db.update(role).set({ requiresMfa: false }).where(eq(role.id, OWNER_ROLE_ID));
  }
  expect((await exportAs(bed.personas.owner.cookie, { action: uniqueActionPrefix() })).status).toBe(200);
});

test("a bed.database failure is a logged 500 without details", async () => {
  // better-auth logs the failed session lookup, then the export logs its own failure.
  expectConsoleError(2);
  const broken = await createTestDatabase();
  const brokenAuth = await createTestAuth(broken.db);
  broken.client.close();
  const response = await exportAuditCsv({
    db: broken.db,
    auth: brokenAuth,
    request: new Request("http://localhost:3000/api/audit/export", { headers: { cookie: bed.personas.owner.cookie } }),
  });
  broken.destroy();
  expect(response.status).toBe(500);
  const text = await response.text();
  expect(text).toContain("Something went wrong on our side");
  expect(text).not.toMatch(/CLIENT_CLOSED|SQLITE|stack/i);
});
