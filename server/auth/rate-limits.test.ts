import { eq } from "drizzle-orm";
import type Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { rateLimit, session } from "@/db/schema";
import type { Auth } from "@/server/auth/auth";
import { serveAuthRequest } from "@/server/oauth/routes";
import { TEST_PASSWORD, cookieHeader, createSignedInOwner, createTestAuth, uniqueEmail } from "@/server/testing/auth";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { startTestRedis, type TestRedis } from "@/server/testing/redis";
import { RATE_LIMIT_RULES } from "./rate-limits";
import { connectRedis } from "./redis";
import { clientAddresses } from "@/server/testing/http-request";

/** A client address of its own, so that no two tests share a bucket. */
const nextIp = clientAddresses("203.0.113");

interface Call {
  method?: "GET" | "POST";
  json?: unknown;
  form?: Record<string, string>;
  cookie?: string;
}

/** One request through the same route function the Next handler and the test HTTP server use. */
function call(auth: Auth, pathname: string, ip: string, { method = "POST", json, form, cookie }: Call = {}): Promise<Response> {
  const headers = new Headers({ origin: new URL(auth.options.baseURL as string).origin, "x-forwarded-for": ip });
  if (cookie) headers.set("cookie", cookie);
  let body: string | undefined;
  if (json !== undefined) {
    headers.set("content-type", "application/json");
    body = JSON.stringify(json);
  } else if (form) {
    headers.set("content-type", "application/x-www-form-urlencoded");
    body = new URLSearchParams(form).toString();
  }
  return serveAuthRequest(auth, new Request(`${auth.options.baseURL}/api/auth${pathname}`, { method, headers, body }));
}

/** Sends `max` requests that must all get through, then one more that must be refused; returns that refusal. */
async function exhaust(max: number, send: () => Promise<Response>): Promise<Response> {
  for (let attempt = 0; attempt < max; attempt += 1) {
    const response = await send();
    expect(response.status, `request ${attempt + 1} of ${max}`).not.toBe(429);
    await response.body?.cancel();
  }
  const refused = await send();
  expect(refused.status).toBe(429);
  return refused;
}

/**
 * 100 wrong-password sign-ins from one address at once: how many got past the limiter. A request the
 * limiter lets through reaches the password check and is refused with 401; the rest get 429.
 */
async function parallelSignIns(send: (index: number) => Promise<Response>): Promise<number> {
  const responses = await Promise.all(Array.from({ length: 100 }, (_, index) => send(index)));
  const statuses = responses.map((response) => response.status);
  expect(statuses.every((status) => status === 401 || status === 429)).toBe(true);
  return statuses.filter((status) => status !== 429).length;
}

function retryAfter(response: Response): number {
  return Number(response.headers.get("retry-after"));
}

describe("with the database as the store", () => {
  let database: TestDatabase;
  let auth: Auth;

  beforeAll(async () => {
    database = await createTestDatabase();
    auth = await createTestAuth(database.db, { rateLimit: true });
    // Sign-up is refused until an owner exists; the limit counts either way, but real sign-ups are the point.
    await createSignedInOwner(database.db, auth);
  });

  afterAll(() => database.destroy());

  const cases: { name: string; rule: keyof typeof RATE_LIMIT_RULES; pathname: string; request: () => Call }[] = [
    {
      name: "password sign-in",
      rule: "/sign-in/*",
      pathname: "/sign-in/email",
      request: () => ({ json: { email: "nobody@example.com", password: "not-the-password-at-all" } }),
    },
    {
      name: "sign-up",
      rule: "/sign-up/*",
      pathname: "/sign-up/email",
      request: () => ({ json: { name: "Someone", email: uniqueEmail("limited"), password: TEST_PASSWORD } }),
    },
    {
      name: "asking for a password-reset link",
      rule: "/request-password-reset",
      pathname: "/request-password-reset",
      request: () => ({ json: { email: "nobody@example.com" } }),
    },
    {
      name: "asking for a verification email",
      rule: "/send-verification-email",
      pathname: "/send-verification-email",
      // A new address each time, so that only the per-IP limit can refuse.
      request: () => ({ json: { email: uniqueEmail("verify") } }),
    },
    {
      name: "setting a new password from a reset link",
      rule: "/reset-password",
      pathname: "/reset-password",
      request: () => ({ json: { token: "not-a-real-token", newPassword: "another-long-password" } }),
    },
    {
      name: "checking a TOTP code",
      rule: "/two-factor/verify-*",
      pathname: "/two-factor/verify-totp",
      request: () => ({ json: { code: "123456" } }),
    },
    {
      name: "checking a backup code",
      rule: "/two-factor/verify-*",
      pathname: "/two-factor/verify-backup-code",
      request: () => ({ json: { code: "abcde-12345" } }),
    },
    {
      name: "starting a passkey sign-in",
      rule: "/passkey/generate-authenticate-options",
      pathname: "/passkey/generate-authenticate-options",
      request: () => ({ method: "GET" }),
    },
    {
      name: "finishing a passkey sign-in",
      rule: "/passkey/verify-authentication",
      pathname: "/passkey/verify-authentication",
      request: () => ({ json: { response: { id: "unknown-credential" } } }),
    },
  ];

  test.each(cases)("$name is limited per IP and the 429 says when to retry", async ({ rule, pathname, request }) => {
    const { max, window } = RATE_LIMIT_RULES[rule];
    const ip = nextIp();
    const refused = await exhaust(max, () => call(auth, pathname, ip, request()));
    const wait = retryAfter(refused);
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(window);
    expect(refused.headers.get("x-retry-after")).toBe(String(wait));
    expect(await refused.json()).toEqual({
      code: "RATE_LIMITED",
      message: `Too many attempts. Try again in ${wait} ${wait === 1 ? "second" : "seconds"}.`,
    });
  });

  test("the token endpoint allows MCP clients' refreshes, then answers an OAuth error with Retry-After", async () => {
    const { max, window } = RATE_LIMIT_RULES["/oauth2/token"];
    const ip = nextIp();
    const form = { grant_type: "refresh_token", refresh_token: "not-a-real-token", client_id: "no-such-client" };
    const refused = await exhaust(max, () => call(auth, "/oauth2/token", ip, { form }));
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(retryAfter(refused)).toBeLessThanOrEqual(window);
    expect(refused.headers.get("cache-control")).toBe("no-store");
    expect(await refused.json()).toEqual({
      error: "temporarily_unavailable",
      error_description: expect.stringMatching(/^Too many attempts\. Try again in \d+ seconds?\.$/),
    });
  });

  test("dynamic client registration is limited per IP with an OAuth error and Retry-After", async () => {
    const { max, window } = RATE_LIMIT_RULES["/oauth2/register"];
    const ip = nextIp();
    const metadata = {
      client_name: "Limited client",
      redirect_uris: ["http://127.0.0.1:7777/callback"],
      token_endpoint_auth_method: "none",
      grant_types: ["authorization_code"],
      response_types: ["code"],
    };
    const refused = await exhaust(max, () => call(auth, "/oauth2/register", ip, { json: metadata }));
    expect(retryAfter(refused)).toBeGreaterThan(0);
    expect(retryAfter(refused)).toBeLessThanOrEqual(window);
    expect(await refused.json()).toMatchObject({ error: "temporarily_unavailable" });
  });

  test("100 parallel sign-ins from one address: at most the limit reach the password check", async () => {
    const ip = nextIp();
    const attempt = { json: { email: "nobody@example.com", password: "not-the-password-at-all" } };
    const through = await parallelSignIns(() => call(auth, "/sign-in/email", ip, attempt));
    expect(through).toBeGreaterThan(0);
    expect(through).toBeLessThanOrEqual(RATE_LIMIT_RULES["/sign-in/*"].max);
  });

  test("one address's limit leaves other addresses alone", async () => {
    const limited = nextIp();
    const attempt = () => ({ json: { email: "nobody@example.com", password: "not-the-password-at-all" } });
    await exhaust(RATE_LIMIT_RULES["/sign-in/*"].max, () => call(auth, "/sign-in/email", limited, attempt()));
    const other = await call(auth, "/sign-in/email", nextIp(), attempt());
    expect(other.status).toBe(401);
  });
});

describe("with Redis as the store", () => {
  let redis: TestRedis;
  const clients: Redis[] = [];
  const databases: TestDatabase[] = [];

  /** An app instance of its own: its own Redis connection and, unless given one, its own database. */
  async function instance(database?: TestDatabase) {
    const db = database ?? (await createTestDatabase());
    if (!database) databases.push(db);
    const client = connectRedis(redis.url);
    clients.push(client);
    return { database: db, client, auth: await createTestAuth(db.db, { rateLimit: true, redis: client }) };
  }

  beforeAll(async () => {
    redis = await startTestRedis();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.quit()));
    for (const database of databases) database.destroy();
    await redis?.stop();
  });

  test("two instances sharing one Redis enforce one limit, counted only in Redis", async () => {
    const first = await instance();
    const second = await instance();
    const ip = nextIp();
    const { max, window } = RATE_LIMIT_RULES["/sign-in/*"];
    const attempt = { json: { email: "nobody@example.com", password: "not-the-password-at-all" } };
    let turn = 0;
    // Alternating instances: each sees only half of the attempts, the shared count sees them all.
    const refused = await exhaust(max, () => call([first, second][turn++ % 2]!.auth, "/sign-in/email", ip, attempt));
    expect(retryAfter(refused)).toBeGreaterThan(window - 10);
    expect(retryAfter(refused)).toBeLessThanOrEqual(window);
    expect((await call(first.auth, "/sign-in/email", ip, attempt)).status).toBe(429);

    for (const { database } of [first, second]) {
      expect(await database.db.select().from(rateLimit).where(eq(rateLimit.key, `${ip}|/sign-in/email`))).toHaveLength(0);
    }
    expect(await first.client.exists(`gatehouse:rate-limit:${ip}|/sign-in/email`)).toBe(1);
  });

  test("100 parallel sign-ins from one address, spread over two instances: at most the limit reach the password check", async () => {
    const first = await instance();
    const second = await instance(first.database);
    const ip = nextIp();
    const attempt = { json: { email: "nobody@example.com", password: "not-the-password-at-all" } };
    const through = await parallelSignIns((index) => call([first, second][index % 2]!.auth, "/sign-in/email", ip, attempt));
    expect(through).toBeGreaterThan(0);
    expect(through).toBeLessThanOrEqual(RATE_LIMIT_RULES["/sign-in/*"].max);
  });

  test("sessions stay in the database, are cached in Redis, and a sign-out ends them on every instance; verification values stay out", async () => {
    const first = await instance();
    const second = await instance(first.database);
    const owner = await createSignedInOwner(first.database.db, first.auth);
    const ip = nextIp();

    const signedIn = await call(first.auth, "/sign-in/email", ip, { json: { email: owner.email, password: TEST_PASSWORD } });
    expect(signedIn.status).toBe(200);
    const { token } = (await signedIn.json()) as { token: string };
    const cookie = cookieHeader(signedIn);
    expect(await first.database.db.select().from(session).where(eq(session.token, token))).toHaveLength(1);
    expect(await first.client.exists(`gatehouse:${token}`)).toBe(1);

    const seen = await second.auth.api.getSession({ headers: new Headers({ cookie }) });
    expect(seen?.user.id).toBe(owner.userId);

    expect((await call(second.auth, "/sign-out", ip, { json: {}, cookie })).status).toBe(200);

    expect(await first.auth.api.getSession({ headers: new Headers({ cookie }) })).toBeNull();
    expect(await first.client.exists(`gatehouse:${token}`)).toBe(0);
    expect(await first.database.db.select().from(session).where(eq(session.token, token))).toHaveLength(0);

    // Verification values (here a reset link) stay in the database only, where Gatehouse can delete them.
    expect((await call(first.auth, "/request-password-reset", ip, { json: { email: owner.email } })).status).toBe(200);
    expect(await first.client.keys("gatehouse:verification:*")).toEqual([]);
  });
});
