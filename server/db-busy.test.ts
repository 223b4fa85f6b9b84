import { createClient, type Client, type Transaction } from "@libsql/client";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { TRPCError } from "@trpc/server";
import { eq } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, expect, test } from "vitest";
import { auditEvent, domain, user } from "@/db/schema";
import { expectConsoleError } from "@/server/testing/setup";
import { createSignedInOwner, uniqueEmail, TEST_PASSWORD } from "@/server/testing/auth";
import { issueUserToken, postMcp, toolCall } from "@/server/testing/mcp";
import { startOAuthTestServer, type OAuthTestServer } from "@/server/testing/oauth-server";
import { callerAs } from "@/server/testing/trpc";
import { createTRPCContext } from "@/server/trpc/context";
import { DatabaseBusyError } from "@/db/client";
import { contextOrUnavailable, trpcResponseMeta } from "@/server/trpc/http";
import { appRouter } from "@/server/trpc/root";

/** Short waits, so that a lock held for the whole test outlasts them quickly. */
const BUSY_TIMEOUT_MS = 50;
const RETRY_BUDGET_MS = 800;

let server: OAuthTestServer;
let owner: { userId: string; cookie: string };
let mcpToken: string;
let locker: Client;
let held: Transaction | undefined;

beforeAll(async () => {
  server = await startOAuthTestServer({ database: { busy: { timeoutMs: BUSY_TIMEOUT_MS, retryBudgetMs: RETRY_BUDGET_MS } } });
  owner = await createSignedInOwner(server.database.db, server.auth);
  mcpToken = (await issueUserToken(server.baseUrl, owner.cookie, { scope: "mcp:read mcp:write" })).accessToken;
  locker = createClient({ url: server.database.url });
});

afterEach(async () => {
  await held?.rollback();
  held = undefined;
});

afterAll(async () => {
  locker?.close();
  await server?.close();
});

/** Another connection to the same file takes SQLite's write lock and keeps it until released. */
async function holdWriteLock(): Promise<Transaction> {
  held = await locker.transaction("write");
  return held;
}

async function counts() {
  const { db } = server.database;
  return { domains: await db.$count(domain), audit: await db.$count(auditEvent), users: await db.$count(user) };
}

let slugSequence = 0;
const nextSlug = () => `busy-${(slugSequence += 1)}`;

function trpcOverHttp(procedure: string, input: unknown, cookie: string, createContext = createTRPCContext) {
  const request = new Request(`${server.baseUrl}/api/trpc/${procedure}`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie },
    body: JSON.stringify({ json: input }),
  });
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    responseMeta: trpcResponseMeta,
    createContext: () => contextOrUnavailable(() => createContext({ db: server.database.db, auth: server.auth, headers: request.headers })),
  });
}

test("a write that meets a lock released within the retry budget succeeds after backing off", async () => {
  const caller = await callerAs({ db: server.database.db, auth: server.auth }, owner.cookie);
  const lock = await holdWriteLock();
  setTimeout(() => void lock.rollback(), 250);
  const started = Date.now();
  const slug = nextSlug();
  const created = await caller.domains.create({ name: "Waited", slug });
  expect(Date.now() - started).toBeGreaterThanOrEqual(200);
  expect(created.slug).toBe(slug);
  expect(await server.database.db.$count(auditEvent, eq(auditEvent.targetId, created.id))).toBe(1);
});

test("a write that stays locked past the budget fails as SERVICE_UNAVAILABLE in bounded time and writes nothing", async () => {
  const caller = await callerAs({ db: server.database.db, auth: server.auth }, owner.cookie);
  const before = await counts();
  await holdWriteLock();
  const started = Date.now();
  const failure = await caller.domains.create({ name: "Never", slug: nextSlug() }).catch((error: unknown) => error);
  const elapsed = Date.now() - started;
  expect(failure).toBeInstanceOf(TRPCError);
  expect((failure as TRPCError).code).toBe("SERVICE_UNAVAILABLE");
  expect(elapsed).toBeGreaterThanOrEqual(RETRY_BUDGET_MS / 2);
  expect(elapsed).toBeLessThan(RETRY_BUDGET_MS + 2000);
  await held!.rollback();
  held = undefined;
  expect(await counts()).toEqual(before);
});

test("/api/trpc answers a busy database with 503 and Retry-After, and nothing is written", async () => {
  const before = await counts();
  await holdWriteLock();
  const response = await trpcOverHttp("domains.create", { name: "Never", slug: nextSlug() }, owner.cookie);
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  const body = (await response.json()) as { error: { json: { data: { code: string; httpStatus: number } } } };
  expect(body.error.json.data).toMatchObject({ code: "SERVICE_UNAVAILABLE", httpStatus: 503 });
  await held!.rollback();
  held = undefined;
  expect(await counts()).toEqual(before);
});

test("/api/auth answers a busy database with 503 JSON and Retry-After, never 500, and creates no account", async () => {
  const before = await counts();
  // better-auth logs each endpoint failure twice (its logger and its router) before Gatehouse rewrites the 500.
  expectConsoleError(4);
  await holdWriteLock();
  const email = uniqueEmail("busy");
  const signUp = await fetch(`${server.baseUrl}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: server.baseUrl },
    body: JSON.stringify({ name: "Busy", email, password: TEST_PASSWORD }),
  });
  expect(signUp.status).toBe(503);
  expect(Number(signUp.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await signUp.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });

  const register = await fetch(`${server.baseUrl}/api/auth/oauth2/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      client_name: "Busy client",
      redirect_uris: ["http://127.0.0.1:45999/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    }),
  });
  expect(register.status).toBe(503);
  expect(Number(register.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await register.json()).toMatchObject({ error: "temporarily_unavailable" });

  await held!.rollback();
  held = undefined;
  expect(await counts()).toEqual(before);
  expect(await server.database.db.$count(user, eq(user.email, email))).toBe(0);
});

test("/mcp answers a tool call that cannot write with 503 JSON and Retry-After, and the domain is not created", async () => {
  const before = await counts();
  await holdWriteLock();
  const slug = nextSlug();
  const response = await postMcp(server.baseUrl, mcpToken, toolCall("create_domain", { name: "Never", slug }));
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
  expect(await response.json()).toMatchObject({ code: "SERVICE_UNAVAILABLE" });
  await held!.rollback();
  held = undefined;
  expect(await counts()).toEqual(before);

  const retried = await postMcp(server.baseUrl, mcpToken, toolCall("create_domain", { name: "Later", slug }));
  expect(retried.status).toBe(200);
  expect(await server.database.db.$count(domain, eq(domain.slug, slug))).toBe(1);
});

test("/api/trpc answers 503 with Retry-After when the database is busy while the request context is built", async () => {
  const busyContext: typeof createTRPCContext = () => Promise.reject(new DatabaseBusyError(new Error("SQLITE_BUSY: database is locked")));
  const response = await trpcOverHttp("domains.create", { name: "Never", slug: nextSlug() }, owner.cookie, busyContext);
  expect(response.status).toBe(503);
  expect(Number(response.headers.get("retry-after"))).toBeGreaterThan(0);
});
