import { createHash, randomBytes } from "node:crypto";
import net from "node:net";
import { createClient, type Client } from "@libsql/client";
import { expect, test } from "@playwright/test";
import fc from "fast-check";
import { createSharedData, INSTANCE_OWNER, publicNativeClientRegistration, startInstance, type Instance } from "./instance";

/**
 * Malformed and hostile requests against every public surface of a production build with a database
 * of its own. Whatever arrives, the answer is a 4xx with a JSON error (or an HTML page where a browser
 * is the caller), never a 5xx, never a redirect off the site or to an unregistered redirect URI, and
 * the database is unchanged apart from bookkeeping (see BOOKKEEPING_TABLES).
 */

const MB = 1024 * 1024;
const REGISTERED_REDIRECT = "http://127.0.0.1:7777/callback";
const HOSTILE_NAME = "<script>alert(1)</script><img src=x onerror=alert(2)>";
const MEMBER = { name: "Sweep Member", email: "sweep-member@e2e.example.com", password: "sweep-member-passphrase-55" };

/**
 * Tables that refused requests may still write to, and why:
 * - audit_event: failed sign-ins, refused step-ups and the like are recorded; append-only, so rows
 *   that existed before must be untouched (checked separately).
 * - rate_limit: every counted request moves its window, refused or not.
 * - verification: a passkey sign-in starts by storing a challenge, for anyone who asks.
 * - attempt_limit: wrong codes and step-ups count towards the lockouts, and every check is counted
 *   before it is made.
 * Everything else (users, accounts, sessions, clients, tokens, consents, roles, ...) must be identical.
 */
// The dashboard's hourly counts grow with the audit rows of refused calls, as the audit log does.
const BOOKKEEPING_TABLES = new Set(["audit_event", "audit_hourly_count", "rate_limit", "verification", "attempt_limit"]);

const PAYLOADS = [
  "' OR '1'='1' --",
  "'; DROP TABLE user; --",
  '" OR ""="',
  "1; SELECT * FROM session",
  HOSTILE_NAME,
  "<svg/onload=alert(3)>",
  "javascript:alert(4)",
  "{{7*7}}${7*7}",
  "../../../../etc/passwd",
  "\u0000\u0001\u001f",
  "\r\nSet-Cookie: pwned=1",
  "\ud800",
  "%00%0d%0a",
  "é漢字🙂\u202e",
];

let data: ReturnType<typeof createSharedData>;
let instance: Instance;
let db: Client;
let memberCookie = "";
let clientId = "";
let accessToken = "";
let before: Snapshot;

// ---------------------------------------------------------------------------------------------------
// Requests and the rules every answer follows

/** Percent-encodes the UTF-8 bytes of any string, lone surrogates included (encodeURIComponent throws on those). */
const encode = (value: string) => [...Buffer.from(value, "utf8")].map((byte) => `%${byte.toString(16).padStart(2, "0")}`).join("");

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  label: string;
}

async function send(path: string, init: RequestInit & { label?: string; cookie?: string } = {}): Promise<Answer> {
  const headers = new Headers(init.headers);
  if (!headers.has("origin")) headers.set("origin", instance.origin);
  if (init.cookie) headers.set("cookie", init.cookie);
  const response = await fetch(`${instance.origin}${path}`, { ...init, headers, redirect: "manual", signal: AbortSignal.timeout(60_000) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, label: init.label ?? `${init.method ?? "GET"} ${path.slice(0, 120)}` };
}

function describe(answer: Answer): string {
  return `${answer.label} -> ${answer.status} ${answer.headers.get("location") ?? ""} ${answer.text.slice(0, 300)}`;
}

/** Where a browser would go: on this site, or to the client's registered loopback redirect (any port, RFC 8252). */
function expectSafeLocation(answer: Answer) {
  const location = answer.headers.get("location");
  if (location === null) return;
  const target = new URL(location, instance.origin);
  const registered = new URL(REGISTERED_REDIRECT);
  const onSite = target.origin === instance.origin;
  const toClient = target.protocol === "http:" && target.hostname === registered.hostname && target.pathname === registered.pathname;
  expect(onSite || toClient, `redirect off the site: ${describe(answer)}`).toBe(true);
}

function expectNoInjectedHeaders(answer: Answer) {
  for (const cookie of answer.headers.getSetCookie()) expect(cookie, describe(answer)).not.toMatch(/pwned/i);
  expect(answer.headers.get("pwned"), describe(answer)).toBeNull();
}

/** The common rules: no 5xx, no redirect off the site, no header smuggled in. */
function expectHandled(answer: Answer) {
  expect(answer.status, describe(answer)).toBeLessThan(500);
  expectSafeLocation(answer);
  expectNoInjectedHeaders(answer);
}

/** An API refusal: a 4xx whose body is JSON. */
function expectJsonRefusal(answer: Answer) {
  expectHandled(answer);
  expect(answer.status, describe(answer)).toBeGreaterThanOrEqual(400);
  expect(answer.headers.get("content-type") ?? "", describe(answer)).toContain("application/json");
  expect(() => JSON.parse(answer.text), describe(answer)).not.toThrow();
}

/** A page a browser asked for: HTML or a same-site redirect, with no payload echoed unescaped. */
function expectSafePage(answer: Answer) {
  expectHandled(answer);
  expect(answer.text, describe(answer)).not.toContain("<script>alert(1)</script>");
  expect(answer.text, describe(answer)).not.toContain("<img src=x onerror");
  expect(answer.text, describe(answer)).not.toContain("<svg/onload");
}

/** A raw HTTP/1.1 exchange, for bodies fetch will not send (lying lengths, connections cut mid-body). */
function rawExchange(bytes: Buffer, { endAfterWrite = true } = {}): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(instance.port, "127.0.0.1");
    let received = "";
    socket.setTimeout(20_000, () => socket.destroy());
    socket.on("data", (chunk) => (received += chunk.toString("latin1")));
    socket.on("error", () => resolve(received));
    socket.on("close", () => resolve(received));
    socket.write(bytes, () => {
      if (endAfterWrite) socket.end();
    });
  });
}

// ---------------------------------------------------------------------------------------------------
// The database before and after

interface Snapshot {
  tables: Record<string, { count: number; hash: string }>;
  auditBefore: { maxRowid: number; hash: string };
}

async function tableNames(): Promise<string[]> {
  const result = await db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name");
  return result.rows.map((row) => String(row.name));
}

async function hashRows(sql: string, args: (string | number)[] = []): Promise<{ count: number; hash: string }> {
  const result = await db.execute({ sql, args });
  const hash = createHash("sha256");
  for (const row of result.rows) hash.update(JSON.stringify(result.columns.map((column) => String(row[column]))));
  return { count: result.rows.length, hash: hash.digest("hex") };
}

async function snapshot(auditUpTo?: number): Promise<Snapshot> {
  const tables: Snapshot["tables"] = {};
  for (const name of await tableNames()) tables[name] = await hashRows(`SELECT * FROM "${name}" ORDER BY rowid`);
  const maxRowid = auditUpTo ?? Number((await db.execute("SELECT coalesce(max(rowid), 0) AS m FROM audit_event")).rows[0]!.m);
  const audit = await hashRows("SELECT * FROM audit_event WHERE rowid <= ? ORDER BY rowid", [maxRowid]);
  return { tables, auditBefore: { maxRowid, hash: audit.hash } };
}

/** The member authorizes the sweep client for /mcp the way a browser would: authorize, consent, code for token. */
async function issueAccessToken(): Promise<string> {
  const verifier = randomBytes(32).toString("base64url");
  const resource = `${instance.origin}/mcp`;
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REGISTERED_REDIRECT,
    scope: "mcp:read mcp:write",
    state: "sweep",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    resource,
  });
  const authorize = await send(`/api/auth/oauth2/authorize?${query}`, { cookie: memberCookie });
  const consentPage = new URL(answerTarget(authorize), instance.origin);
  expect(consentPage.pathname, describe(authorize)).toBe("/consent");
  const consent = await send("/api/auth/oauth2/consent", {
    method: "POST",
    cookie: memberCookie,
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ accept: true, oauth_query: consentPage.search.slice(1) }),
  });
  const code = new URL((JSON.parse(consent.text) as { url: string }).url).searchParams.get("code");
  expect(code, describe(consent)).toBeTruthy();
  const token = await send("/api/auth/oauth2/token", {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: code!, code_verifier: verifier, redirect_uri: REGISTERED_REDIRECT, client_id: clientId, resource }),
  });
  expect(token.status, describe(token)).toBe(200);
  return (JSON.parse(token.text) as { access_token: string }).access_token;
}

function answerTarget(answer: Answer): string {
  const location = answer.headers.get("location") ?? (JSON.parse(answer.text) as { url?: string }).url;
  expect(location, describe(answer)).toBeTruthy();
  return location!;
}

// ---------------------------------------------------------------------------------------------------

test.beforeAll(async () => {
  test.setTimeout(6 * 60_000);
  data = createSharedData();
  instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl });
  db = createClient({ url: data.databaseUrl });

  // A member with a session, so that signed-in surfaces are swept too. Sign-up starts no session.
  const signUp = await send("/api/auth/sign-up/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(MEMBER),
  });
  expect(signUp.status, describe(signUp)).toBe(200);
  const signIn = await send("/api/auth/sign-in/email", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: MEMBER.email, password: MEMBER.password }),
  });
  expect(signIn.status, describe(signIn)).toBe(200);
  memberCookie = signIn.headers
    .getSetCookie()
    .map((cookie) => cookie.split(";")[0])
    .join("; ");
  expect(memberCookie).toContain("session_token");

  // A public client with a loopback redirect, for the redirect_uri cases.
  const registration = await send("/api/auth/oauth2/register", {
    method: "POST",
    headers: { "content-type": "application/json" },
    // Without a scope a registration gets mcp:read only; the sweep calls a write tool.
    body: JSON.stringify(publicNativeClientRegistration("Sweep client", REGISTERED_REDIRECT, "openid mcp:read mcp:write")),
  });
  expect(registration.status, describe(registration)).toBeLessThan(300);
  clientId = (JSON.parse(registration.text) as { client_id: string }).client_id;

  accessToken = await issueAccessToken();

  // Signing keys are made on first use; make them now so the snapshot already has them.
  expect((await send("/api/auth/jwks")).status).toBe(200);
  before = await snapshot();
});

test.afterAll(async () => {
  try {
    if (db && before) {
      const after = await snapshot(before.auditBefore.maxRowid);
      const changed = Object.keys({ ...before.tables, ...after.tables }).filter(
        (name) => !BOOKKEEPING_TABLES.has(name) && JSON.stringify(before.tables[name]) !== JSON.stringify(after.tables[name]),
      );
      expect(changed, "tables changed by refused requests").toEqual([]);
      expect(after.auditBefore, "audit rows that existed before were changed").toEqual(before.auditBefore);
    }
  } finally {
    db?.close();
    await instance?.stop();
    data?.remove();
  }
});

// ---------------------------------------------------------------------------------------------------
// Surfaces

/** JSON endpoints that take a body, with a body of the right shape to corrupt. */
const JSON_ENDPOINTS: { path: string; body: Record<string, unknown>; browserForm?: boolean }[] = [
  { path: "/api/auth/sign-in/email", body: { email: INSTANCE_OWNER.email, password: "not-the-password-000" } },
  // A taken address gets the same 200 as a new one, so a malformed address keeps this refused.
  { path: "/api/auth/sign-up/email", body: { name: "x", email: "not-an-email", password: "short" } },
  { path: "/api/auth/request-password-reset", body: { email: "nobody@e2e.example.com", redirectTo: "/reset-password" } },
  { path: "/api/auth/reset-password", body: { token: "not-a-token", newPassword: "a-new-passphrase-000" } },
  { path: "/api/auth/two-factor/verify-totp", body: { code: "000000" } },
  { path: "/api/auth/two-factor/verify-backup-code", body: { code: "AAAA-BBBB" } },
  { path: "/api/auth/passkey/verify-authentication", body: { response: { id: "x", rawId: "x", type: "public-key", response: {} } } },
  // Plain http is for loopback redirects only, so this registration is refused whatever else is wrong with it.
  { path: "/api/auth/oauth2/register", body: { client_name: "x", redirect_uris: ["http://evil.example/cb"], token_endpoint_auth_method: "none" } },
  { path: "/api/auth/oauth2/token", body: { grant_type: "authorization_code", code: "x", client_id: "x", code_verifier: "x" } },
  { path: "/api/auth/oauth2/revoke", body: { token: "x", client_id: "x" } },
  { path: "/api/auth/oauth2/introspect", body: { token: "x", client_id: "x" } },
  { path: "/mcp", body: { jsonrpc: "2.0", id: 1, method: "tools/list" } },
  { path: "/api/trpc/account.revokeSession", body: { json: { sessionId: "x" } } },
  { path: "/api/trpc/users.create", body: { json: { email: "x@example.com", name: "x" } } },
  { path: "/api/setup", body: { token: "x", name: "x", email: "x@example.com", password: "x" } },
  { path: "/api/invite", body: { token: "x", name: "x", password: "x" } },
];

const post = (path: string, body: BodyInit, contentType = "application/json", extra: RequestInit & { cookie?: string } = {}) =>
  send(path, { method: "POST", headers: { "content-type": contentType }, body, label: `POST ${path}`, ...extra });

/** A session cookie makes the signed-in surfaces (tRPC) parse input instead of stopping at 401. */
const cookieFor = (path: string) => (path.startsWith("/api/trpc") ? memberCookie : undefined);

test("bodies over 1 MB are refused with 413 and a JSON body, declared or streamed", async () => {
  const big = "x".repeat(MB + 1);
  for (const { path } of JSON_ENDPOINTS) {
    const declared = await post(path, JSON.stringify({ email: big }), "application/json", { cookie: cookieFor(path) });
    expectJsonRefusal(declared);
    expect(declared.status, describe(declared)).toBe(413);
    expect(JSON.parse(declared.text)).toEqual({ error: "invalid_request", error_description: "The request body is larger than 1 MB" });

    // No Content-Length: the server has to count what arrives.
    const chunks = 20;
    const chunk = new TextEncoder().encode("y".repeat(Math.ceil((1.5 * MB) / chunks)));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ === chunks) controller.close();
        else controller.enqueue(chunk);
      },
    });
    const streamed = await send(path, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: stream,
      duplex: "half",
      cookie: cookieFor(path),
      label: `POST ${path} (chunked 1.5 MB)`,
    } as RequestInit & { cookie?: string });
    expectJsonRefusal(streamed);
    expect(streamed.status, describe(streamed)).toBe(413);
  }
});

test("a Content-Length that promises more than 1 MB is refused before the body arrives", async () => {
  const head = [
    "POST /api/auth/sign-in/email HTTP/1.1",
    `Host: localhost:${instance.port}`,
    `Origin: ${instance.origin}`,
    "Content-Type: application/json",
    `Content-Length: ${50 * MB}`,
    "Connection: close",
    "",
    "",
  ].join("\r\n");
  const reply = await rawExchange(Buffer.concat([Buffer.from(head), Buffer.from('{"email":"')]), { endAfterWrite: false });
  expect(reply).toMatch(/^HTTP\/1\.1 413 /);
});

test("bodies cut off mid-way, or shorter than they claim, never take the server down", async () => {
  for (const { path, body } of JSON_ENDPOINTS) {
    const json = JSON.stringify(body);
    const truncated = await post(path, json.slice(0, Math.floor(json.length / 2)), "application/json", { cookie: cookieFor(path) });
    expectJsonRefusal(truncated);

    const head = [`POST ${path} HTTP/1.1`, `Host: localhost:${instance.port}`, `Origin: ${instance.origin}`, "Content-Type: application/json", "Content-Length: 500", "", ""].join("\r\n");
    // The client goes away after 10 of 500 bytes; there is no one to answer, but the server must live on.
    await rawExchange(Buffer.from(head + json.slice(0, 10)));
  }
  expect((await send("/api/health")).status).toBe(200);
});

test("wrong content types, invalid UTF-8, deep nesting and huge strings are refused as 4xx JSON", async () => {
  const deepArray = "[".repeat(50_000) + "]".repeat(50_000);
  const deepObject = '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000);
  const invalidUtf8 = Buffer.from([0x7b, 0x22, 0x65, 0x6d, 0x61, 0x69, 0x6c, 0x22, 0x3a, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0x22, 0x7d]);
  for (const { path, body } of JSON_ENDPOINTS) {
    const cookie = cookieFor(path);
    const fieldNames = Object.keys((body.json as Record<string, unknown> | undefined) ?? body);
    const huge = (size: number) => JSON.stringify(Object.fromEntries(fieldNames.map((name) => [name, "A".repeat(size)])));
    const cases: Answer[] = [
      await post(path, JSON.stringify(body), "text/plain", { cookie }),
      await post(path, "<xml><email>x</email></xml>", "application/xml", { cookie }),
      await post(path, "--b\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\nx\r\n--b--", "multipart/form-data; boundary=b", { cookie }),
      await post(path, "email=%ZZ&password=%", "application/x-www-form-urlencoded", { cookie }),
      await post(path, JSON.stringify(body), "application/json; charset=utf-16", { cookie }),
      await post(path, "", "application/json", { cookie }),
      await post(path, "null", "application/json", { cookie }),
      await post(path, "[]", "application/json", { cookie }),
      await post(path, '"just a string"', "application/json", { cookie }),
      await post(path, invalidUtf8, "application/json", { cookie }),
      await post(path, deepArray, "application/json", { cookie }),
      await post(path, deepObject, "application/json", { cookie }),
      await post(path, huge(200_000), "application/json", { cookie }),
      await post(path, JSON.stringify({ ...body, __proto__: { admin: true }, constructor: { prototype: { admin: true } } }), "application/json", { cookie }),
    ];
    for (const answer of cases) expectJsonRefusal(answer);
  }
});

test("SQL, HTML and script payloads in every string field are refused without a trace in the data", async () => {
  const payload = fc.oneof(fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 64, unit: "binary" }));
  for (const { path, body } of JSON_ENDPOINTS) {
    const wrapped = "json" in body;
    const fields = (wrapped ? body.json : body) as Record<string, unknown>;
    const names = Object.keys(fields);
    const cookie = cookieFor(path);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...names), payload, async (name, value) => {
        // Keep the request refusable: a sign-up's address is malformed, a sign-in's password is wrong.
        const hostile = { ...fields, [name]: value };
        const answer = await post(path, JSON.stringify(wrapped ? { json: hostile } : hostile), "application/json", { cookie });
        expectJsonRefusal(answer);
      }),
      { numRuns: 12, endOnFailure: true },
    );
  }
});

test("wrong methods on every endpoint get a 4xx with a JSON body", async () => {
  const paths = [...JSON_ENDPOINTS.map(({ path }) => path), "/api/auth/oauth2/userinfo", "/api/auth/oauth2/authorize", "/api/health", "/api/audit/export"];
  for (const path of paths) {
    for (const method of ["PUT", "PATCH", "DELETE"]) {
      expectJsonRefusal(await send(path, { method, headers: { "content-type": "application/json" }, body: "{}", label: `${method} ${path}` }));
    }
  }
  for (const path of ["/api/setup", "/api/invite", "/api/auth/sign-in/email", "/api/auth/oauth2/token", "/mcp"]) {
    expectJsonRefusal(await send(path, { label: `GET ${path}` }));
  }
  for (const path of ["/.well-known/oauth-authorization-server/api/auth", "/.well-known/openid-configuration/api/auth", "/.well-known/oauth-protected-resource/mcp"]) {
    for (const method of ["POST", "PUT", "DELETE"]) {
      expectJsonRefusal(await send(path, { method, headers: { "content-type": "application/json" }, body: "{}", label: `${method} ${path}` }));
    }
  }
});

test("hostile query strings on GET endpoints and discovery documents", async () => {
  const value = fc.oneof(fc.constantFrom(...PAYLOADS, "%", "%zz", "%ff%fe", "a".repeat(1000)), fc.string({ maxLength: 40 }));
  const getPaths = [
    "/api/auth/oauth2/userinfo",
    "/api/auth/get-session",
    "/api/auth/jwks",
    "/api/auth/passkey/generate-authenticate-options",
    "/api/trpc/users.list",
    "/api/trpc/audit.list",
    "/api/trpc/%3Cscript%3E",
    "/api/trpc/users.list,users.list,users.list,users.list",
    "/.well-known/oauth-authorization-server/api/auth",
    "/.well-known/openid-configuration/api/auth",
    "/.well-known/oauth-protected-resource/mcp",
    "/.well-known/oauth-protected-resource/%3Cscript%3E",
    "/.well-known/openid-configuration/..%2f..%2fapi%2fsetup",
  ];
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...getPaths), value, fc.boolean(), async (path, input, signedIn) => {
      const query = `?input=${encode(input)}&batch=${encode(input)}&${encode(input)}=1`;
      const answer = await send(path + query, { cookie: signedIn ? memberCookie : undefined, label: `GET ${path}${query.slice(0, 80)}` });
      expectHandled(answer);
      if (answer.status >= 400) expectJsonRefusal(answer);
      else expect(answer.headers.get("content-type") ?? "", describe(answer)).toContain("json");
    }),
    { numRuns: 120, endOnFailure: true },
  );
});

test("a URL past Node's 16 KB header limit is refused by Node itself with a bare 431", async () => {
  // The HTTP parser stops it before Next or the app see anything, so no JSON body is possible here.
  const answer = await send(`/api/auth/oauth2/authorize?state=${"a".repeat(20_000)}`);
  expect(answer.status, describe(answer)).toBe(431);
  expect((await send("/api/health")).status).toBe(200);
});

test("the authorize endpoint never redirects to an unregistered redirect_uri nor lets headers in", async () => {
  const authorize = (params: Record<string, string>) => {
    const query = new URLSearchParams({
      response_type: "code",
      client_id: clientId,
      redirect_uri: REGISTERED_REDIRECT,
      code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
      code_challenge_method: "S256",
      state: "s",
      scope: "openid",
      ...params,
    });
    return send(`/api/auth/oauth2/authorize?${query}`, { label: `authorize ${JSON.stringify(params).slice(0, 160)}` });
  };
  const hostileRedirects = [
    "https://evil.example/callback",
    "http://127.0.0.1:7777@evil.example/callback",
    "http://127.0.0.1.evil.example:7777/callback",
    "http://127.0.0.1:7777/callback/../../evil",
    "http://127.0.0.1:7777/callback?next=https://evil.example",
    "http://127.0.0.1:7777/callback#https://evil.example",
    "//evil.example/callback",
    "javascript:alert(1)//127.0.0.1:7777/callback",
    "http://127.0.0.1:7777/callback\r\nSet-Cookie: pwned=1",
    "http://127.0.0.1:7777/callback%0d%0aSet-Cookie:%20pwned=1",
    "http://127.0.0.1:7777/CALLBACK",
    "http://localhost:7777/callback",
    "",
  ];
  for (const redirect of hostileRedirects) {
    for (const cookie of [undefined, memberCookie]) {
      const query = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: redirect, code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", code_challenge_method: "S256", state: "s" });
      const answer = await send(`/api/auth/oauth2/authorize?${query}`, { cookie, label: `authorize redirect_uri=${redirect}` });
      expectHandled(answer);
      const location = answer.headers.get("location");
      if (location) expect(new URL(location, instance.origin).origin, describe(answer)).toBe(instance.origin);
    }
  }
  const hostileParams: Record<string, string>[] = [
    { state: "x\r\nSet-Cookie: pwned=1" },
    { state: "<script>alert(1)</script>" },
    { scope: "openid\r\nSet-Cookie: pwned=1" },
    { client_id: "<script>alert(1)</script>" },
    { client_id: "https://evil.example/client.json" },
    { response_type: "token" },
    { code_challenge_method: "plain", code_challenge: "plain-challenge-value-that-is-long-enough-43c" },
    { resource: "https://evil.example/mcp" },
    { prompt: "none" },
    { request_uri: "https://evil.example/request" },
  ];
  for (const params of hostileParams) {
    expectHandled(await authorize(params));
  }
});

test("callbackURL, redirectTo and next cannot send anyone off the site", async () => {
  const offsite = ["https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example", "https:evil.example", "javascript:alert(1)"];
  for (const target of offsite) {
    const refusals = [
      await post("/api/auth/sign-in/email", JSON.stringify({ email: MEMBER.email, password: "wrong-passphrase-000", callbackURL: target })),
      await post("/api/auth/sign-up/email", JSON.stringify({ name: "x", email: MEMBER.email, password: "short", callbackURL: target })),
      await post("/api/auth/request-password-reset", JSON.stringify({ email: MEMBER.email, redirectTo: target })),
      await post("/api/auth/sign-in/social", JSON.stringify({ provider: "github", callbackURL: target })),
    ];
    for (const answer of refusals) expectJsonRefusal(answer);

    for (const path of [
      `/api/auth/reset-password/not-a-token?callbackURL=${encode(target)}`,
      `/api/auth/verify-email?token=not-a-token&callbackURL=${encode(target)}`,
    ]) {
      expectHandled(await send(path));
    }

    // The sign-in page sends a signed-in visitor straight on to `next`.
    for (const cookie of [undefined, memberCookie]) {
      expectSafePage(await send(`/sign-in?next=${encode(target)}`, { cookie, label: `sign-in next=${JSON.stringify(target)}` }));
      expectSafePage(await send(`/enrol-mfa?next=${encode(target)}`, { cookie, label: `enrol-mfa next=${JSON.stringify(target)}` }));
    }
  }
});

test("pages given hostile query strings answer without a 5xx and without echoing markup", async () => {
  for (const path of ["/setup", "/sign-in", "/sign-up", "/reset-password", "/two-factor", "/consent", "/oauth-error", "/invite", "/verify-email"]) {
    for (const value of PAYLOADS) {
      const query = `?token=${encode(value)}&error=${encode(value)}&error_description=${encode(value)}&client_id=${encode(value)}&next=${encode(value)}`;
      expectSafePage(await send(path + query, { label: `GET ${path} ${JSON.stringify(value)}` }));
    }
  }
});

test("/mcp with a valid token: malformed JSON-RPC and hostile tool arguments are errors, never a 5xx", async () => {
  const mcp = (body: BodyInit, contentType = "application/json") =>
    send("/mcp", {
      method: "POST",
      headers: { authorization: `Bearer ${accessToken}`, "content-type": contentType, accept: "application/json, text/event-stream" },
      body,
      label: `POST /mcp ${String(body).slice(0, 100)}`,
    });
  const listed = await mcp(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list", params: {} }));
  expect(listed.status, describe(listed)).toBe(200);
  const tools = (JSON.parse(listed.text) as { result: { tools: { name: string; inputSchema: { properties?: Record<string, unknown> } }[] } }).result.tools;
  expect(tools.length).toBeGreaterThan(0);

  /** JSON-RPC answers an unusable message with 200 and an error object, or with a 4xx; tools report isError. */
  const expectRpcRefusal = (answer: Answer) => {
    expectHandled(answer);
    expect(answer.headers.get("content-type") ?? "", describe(answer)).toContain("application/json");
    const body = JSON.parse(answer.text) as { error?: unknown; result?: { isError?: boolean } } | { error?: unknown }[];
    const messages = Array.isArray(body) ? body : [body];
    for (const message of messages) {
      const refused = "error" in message || (message as { result?: { isError?: boolean } }).result?.isError === true;
      expect(refused || answer.status >= 400, describe(answer)).toBe(true);
    }
  };

  for (const raw of [
    "{",
    "[",
    "[]",
    "null",
    '"x"',
    "[".repeat(50_000) + "]".repeat(50_000),
    '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":' + '{"a":'.repeat(20_000) + "1" + "}".repeat(20_000) + "}",
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "x".repeat(500_000), arguments: {} } }),
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: HOSTILE_NAME }),
    JSON.stringify({ jsonrpc: "1.0", id: { nested: true }, method: "tools/list" }),
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: "not an object" }),
    JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/call", params: { name: "' OR 1=1 --", arguments: null } }),
    JSON.stringify(Array.from({ length: 200 }, (_, id) => ({ jsonrpc: "2.0", id, method: "tools/call", params: { name: tools[0]!.name, arguments: { x: HOSTILE_NAME } } }))),
  ]) {
    expectRpcRefusal(await mcp(raw));
  }
  expectJsonRefusal(await mcp(Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d])));
  expectJsonRefusal(await mcp(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }), "text/plain"));

  const payload = fc.oneof(fc.constantFrom(...PAYLOADS), fc.string({ maxLength: 64, unit: "binary" }), fc.integer(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }));
  await fc.assert(
    fc.asyncProperty(fc.constantFrom(...tools), payload, async (tool, value) => {
      const names = Object.keys(tool.inputSchema.properties ?? {});
      const args = Object.fromEntries((names.length > 0 ? names : ["x"]).map((name) => [name, value]));
      const answer = await mcp(JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params: { name: tool.name, arguments: args } }));
      expectHandled(answer);
      expect(answer.status, describe(answer)).toBeLessThan(500);
      expect(answer.text, describe(answer)).not.toMatch(/at .+\.(ts|js):\d+/);
    }),
    { numRuns: 60, endOnFailure: true },
  );
});
