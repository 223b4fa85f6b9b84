import { randomBytes } from "node:crypto";
import { expect, test } from "@playwright/test";
import Redis from "ioredis";
import { pkceChallenge, postMcp, registerPublicClient } from "../../server/testing/mcp";
import { startTestRedis, type TestRedis } from "../../server/testing/redis";
import { createSharedData, freePort, startInstance, type Instance } from "./instance";

/**
 * Two Gatehouse instances behind one (imaginary) load balancer: one database file, one Redis, one
 * PUBLIC_URL and one secret, as the README's "Running several instances" describes. Requests go to
 * each instance directly, the way a balancer would spread them, and whatever one instance does must
 * hold on the other at once.
 */

test.describe.configure({ mode: "serial" });

const CALLBACK = "http://127.0.0.1:43117/callback";
const WHOAMI = `/api/trpc/me.get?input=${encodeURIComponent(JSON.stringify({ json: null }))}`;

let shared: ReturnType<typeof createSharedData>;
let redisServer: TestRedis;
let redis: Redis;
let publicUrl: string;
let a: Instance;
let b: Instance;

test.beforeAll(async () => {
  test.setTimeout(5 * 60_000);
  shared = createSharedData();
  redisServer = await startTestRedis();
  redis = new Redis(redisServer.url);
  // The balancer's address: what browsers and OAuth clients see, and the issuer. Nothing listens there.
  publicUrl = `http://localhost:${await freePort()}`;
  const options = { dataDir: shared.dir, databaseUrl: shared.databaseUrl, redisUrl: redisServer.url, publicUrl };
  // One after the other: the first start migrates the database and creates the owner.
  a = await startInstance(options);
  b = await startInstance(options);
});

test.afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  redis?.disconnect();
  await redisServer?.stop();
  shared?.remove();
});

/** A request from a browser behind the balancer: its Origin is the public one, its address the balancer's header. */
function browserHeaders(ip: string, cookie?: string): Record<string, string> {
  return {
    origin: new URL(publicUrl).origin,
    "content-type": "application/json",
    "x-forwarded-for": ip,
    ...(cookie ? { cookie } : {}),
  };
}

function cookiesOf(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((line) => line.split(";")[0]!)
    .filter((pair) => !pair.endsWith("="))
    .join("; ");
}

/**
 * A member signed up through `instance` (members need no MFA), then signed in there: sign-up itself
 * starts no session.
 */
async function signUpMember(instance: Instance, ip: string) {
  const email = `member-${randomBytes(4).toString("hex")}@ops.example.com`;
  const password = "member-passphrase-for-ops-37";
  const response = await fetch(`${instance.origin}/api/auth/sign-up/email`, {
    method: "POST",
    headers: browserHeaders(ip),
    body: JSON.stringify({ name: "Ops Member", email, password }),
  });
  expect(response.status, await response.clone().text()).toBe(200);
  const signedIn = await signIn(instance, ip, { email, password });
  expect(signedIn.status, await signedIn.clone().text()).toBe(200);
  return { email, password, cookie: cookiesOf(signedIn) };
}

async function signIn(instance: Instance, ip: string, credentials: { email: string; password: string }) {
  return fetch(`${instance.origin}/api/auth/sign-in/email`, {
    method: "POST",
    headers: browserHeaders(ip),
    body: JSON.stringify(credentials),
  });
}

async function sessionEmail(instance: Instance, cookie: string): Promise<string | null> {
  const response = await fetch(`${instance.origin}/api/auth/get-session`, { headers: { cookie } });
  expect(response.status).toBe(200);
  const body = (await response.json()) as { user?: { email?: string } } | null;
  return body?.user?.email ?? null;
}

/**
 * A user access token for the MCP resource through `instance`'s own endpoints: RFC 7591
 * registration, authorize, the consent the person gives in the browser, and the code exchanged with
 * PKCE. The consent page lives at the public URL, so the browser's POST carries that Origin.
 */
async function issueAccessToken(instance: Instance, cookie: string, ip: string) {
  const clientId = await registerPublicClient(instance.origin, "mcp:read");
  const resource = `${publicUrl}/mcp`;
  const verifier = randomBytes(32).toString("base64url");
  const authorize = new URL(`${instance.origin}/api/auth/oauth2/authorize`);
  for (const [name, value] of Object.entries({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: "mcp:read",
    state: "multi-instance",
    code_challenge: pkceChallenge(verifier),
    code_challenge_method: "S256",
    resource,
  })) {
    authorize.searchParams.set(name, value);
  }
  const first = await fetch(authorize, { headers: { cookie }, redirect: "manual" });
  const target = first.headers.get("location") ?? ((await first.json()) as { url?: string }).url;
  expect(target, `authorize answered ${first.status}`).toBeTruthy();
  const consentPage = new URL(target!, publicUrl);
  expect(consentPage.pathname).toBe("/consent");

  const consent = await fetch(`${instance.origin}/api/auth/oauth2/consent`, {
    method: "POST",
    headers: browserHeaders(ip, cookie),
    body: JSON.stringify({ accept: true, oauth_query: consentPage.search.slice(1) }),
  });
  const consented = (await consent.json()) as { url?: string };
  expect(consented.url, `consent answered ${consent.status}: ${JSON.stringify(consented)}`).toBeTruthy();
  const code = new URL(consented.url!).searchParams.get("code");
  expect(code).toBeTruthy();

  const token = await fetch(`${instance.origin}/api/auth/oauth2/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ grant_type: "authorization_code", code: code!, code_verifier: verifier, redirect_uri: CALLBACK, client_id: clientId, resource }),
  });
  const body = (await token.json()) as { access_token?: string };
  expect(token.status, JSON.stringify(body)).toBe(200);
  return { accessToken: body.access_token!, clientId };
}

const TOOLS_LIST = { jsonrpc: "2.0", id: 1, method: "tools/list", params: {} };

test("an access token revoked through one instance is refused by the other on its next request", async () => {
  const member = await signUpMember(a, "192.0.2.10");
  const { accessToken, clientId } = await issueAccessToken(a, member.cookie, "192.0.2.10");

  // B has verified the token once, so its signature check is cached there from now on.
  const before = await postMcp(b.origin, accessToken, TOOLS_LIST);
  expect(before.status).toBe(200);
  expect(await before.text()).toContain("whoami");

  const revoke = await fetch(`${a.origin}/api/auth/oauth2/revoke`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ token: accessToken, token_type_hint: "access_token", client_id: clientId }),
  });
  expect(revoke.status).toBe(200);

  for (const instance of [b, a]) {
    const after = await postMcp(instance.origin, accessToken, TOOLS_LIST);
    expect(after.status, `after revocation on ${instance.origin}`).toBe(401);
    expect(after.headers.get("www-authenticate")).toContain('error="invalid_token"');
    expect(((await after.json()) as { error_description?: string }).error_description).toBe("The access token has been revoked");
  }
});

test("sign-in attempts from one address count once across both instances", async () => {
  const ip = "198.51.100.7";
  const guess = { email: "nobody@ops.example.com", password: "not-the-password-at-all-1" };
  // The limit is 5 a minute (rate-limits.ts): five refusals for the password, alternating A and B…
  for (let attempt = 0; attempt < 5; attempt++) {
    const response = await signIn(attempt % 2 === 0 ? a : b, ip, guess);
    expect(response.status, `attempt ${attempt + 1}`).toBe(401);
    await response.body?.cancel();
  }
  // …then both instances refuse the address, although neither has seen more than three attempts.
  for (const instance of [b, a]) {
    const limited = await signIn(instance, ip, guess);
    expect(limited.status, `limited on ${instance.origin}`).toBe(429);
    const wait = Number(limited.headers.get("retry-after"));
    expect(wait).toBeGreaterThanOrEqual(1);
    expect(wait).toBeLessThanOrEqual(60);
    expect(((await limited.json()) as { code?: string }).code).toBe("RATE_LIMITED");
  }

  // The count lives in the shared Redis, per address: another address is still only told the password is wrong.
  const counters = await redis.keys("gatehouse:rate-limit:*");
  expect(counters.some((key) => key.includes(ip))).toBe(true);
  const other = await signIn(a, "198.51.100.8", guess);
  expect(other.status).toBe(401);
  await other.body?.cancel();
});

test("a session started on one instance works on the other, and signing out on that one ends it everywhere", async () => {
  const member = await signUpMember(b, "192.0.2.20");
  const signedIn = await signIn(a, "192.0.2.21", member);
  expect(signedIn.status).toBe(200);
  const cookie = cookiesOf(signedIn);
  expect(cookie).toContain("session_token=");

  expect(await sessionEmail(b, cookie)).toBe(member.email);
  const whoami = await fetch(`${b.origin}${WHOAMI}`, { headers: { cookie } });
  expect(whoami.status).toBe(200);
  expect(JSON.stringify(await whoami.json())).toContain(member.email);

  const signOut = await fetch(`${b.origin}/api/auth/sign-out`, { method: "POST", headers: browserHeaders("192.0.2.21", cookie), body: "{}" });
  expect(signOut.status).toBe(200);
  await signOut.body?.cancel();

  expect(await sessionEmail(a, cookie)).toBeNull();
  const afterSignOut = await fetch(`${a.origin}${WHOAMI}`, { headers: { cookie } });
  expect(afterSignOut.status).toBe(401);
  await afterSignOut.body?.cancel();
});
