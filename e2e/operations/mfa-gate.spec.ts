import { createHash, randomBytes } from "node:crypto";
import { createClient, type Client } from "@libsql/client";
import { expect, test } from "@playwright/test";
import { URI, type TOTP } from "otpauth";
import { APP_ROUTE_ACCESS, AUTH_ENDPOINT_ACCESS, AUTH_ENDPOINTS_NOT_SERVED, routeAccessOf, type AuthEndpoint, type RouteAccess } from "../../server/auth/route-access";
import { cookiesOf } from "../../server/testing/enrol-over-http";
import { walkRequestInit, type WalkRequest } from "../../server/testing/http-request";
import { createSharedData, INSTANCE_OWNER, publicNativeClientRegistration, startInstance, type Instance } from "./instance";
import { appRoutes, sampleUrl } from "./routes";

/**
 * "A user who must enrol MFA can do nothing else", walked over every route of a production build:
 * every page and route handler under app/ (found on disk at test time) and every better-auth
 * endpoint is classified by the one declared table (server/auth/route-access.ts), and each gated one
 * is requested as the instance's owner, whose role requires a second factor they have not enrolled:
 * a page sends them to /enrol-mfa, anything else refuses with 403 and no data. Then the two
 * attacks: downloading the audit log, and approving consent for an mcp:admin token; and a token
 * issued before the policy applied, refused until the owner enrols.
 */

const REDIRECT = "http://127.0.0.1:7788/callback";
const POLICY_REFUSALS = new Set(["MFA_ENROLMENT_REQUIRED", "MFA_REQUIRED_BY_POLICY"]);

let data: ReturnType<typeof createSharedData>;
let instance: Instance;
let db: Client;
let ownerCookie = "";

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  label: string;
}

async function send(pathname: string, init: WalkRequest = {}): Promise<Answer> {
  const request = walkRequestInit(instance.origin, init);
  const response = await fetch(`${instance.origin}${pathname}`, { ...request, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, headers: response.headers, text: await response.text(), label: `${request.method} ${pathname}` };
}

const describe = (answer: Answer) => `${answer.label} -> ${answer.status} ${answer.headers.get("location") ?? ""} ${answer.text.slice(0, 300)}`;

function codeOf(answer: Answer): string | undefined {
  try {
    return (JSON.parse(answer.text) as { code?: string; error?: { code?: string } }).code ?? (JSON.parse(answer.text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

async function setOwnerPolicy(requiresMfa: boolean) {
  await db.execute({ sql: "UPDATE role SET requires_mfa = ? WHERE id = 'role_owner'", args: [requiresMfa ? 1 : 0] });
}

async function signIn(): Promise<string> {
  const answer = await fetch(`${instance.origin}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: instance.origin },
    body: JSON.stringify(INSTANCE_OWNER),
  });
  expect(answer.status, await answer.clone().text()).toBe(200);
  return cookiesOf(answer);
}

async function registerClient(): Promise<string> {
  const registration = await send("/api/auth/oauth2/register", {
    json: publicNativeClientRegistration("Gate walk client", REDIRECT, "mcp:read mcp:write mcp:admin"),
  });
  expect(registration.status, describe(registration)).toBe(201);
  return (JSON.parse(registration.text) as { client_id: string }).client_id;
}

function authorizePath(clientId: string, scope: string, verifier: string): string {
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: REDIRECT,
    scope,
    state: "walk",
    code_challenge: createHash("sha256").update(verifier).digest("base64url"),
    code_challenge_method: "S256",
    resource: `${instance.origin}/mcp`,
  });
  return `/api/auth/oauth2/authorize?${query}`;
}

/** The browser's part of an authorization while the owner may pass: the consent page's signed request. */
async function consentQuery(cookie: string, clientId: string, scope: string, verifier: string): Promise<string> {
  const authorize = await send(authorizePath(clientId, scope, verifier), { cookie });
  const target = new URL(authorize.headers.get("location") ?? (JSON.parse(authorize.text) as { url: string }).url, instance.origin);
  expect(target.pathname, describe(authorize)).toBe("/consent");
  return target.search.slice(1);
}

function expectEnrolmentRedirect(answer: Answer, returnTo?: string) {
  expect([302, 303, 307], describe(answer)).toContain(answer.status);
  const location = new URL(answer.headers.get("location") ?? "", instance.origin);
  expect(location.origin + location.pathname, describe(answer)).toBe(`${instance.origin}/enrol-mfa`);
  if (returnTo) expect(location.searchParams.get("next"), describe(answer)).toBe(returnTo);
  expect(answer.text, describe(answer)).not.toContain(INSTANCE_OWNER.email);
}

function expectPolicyRefusal(answer: Answer) {
  expect(answer.status, describe(answer)).toBe(403);
  expect(answer.headers.get("content-type") ?? "", describe(answer)).toContain("application/json");
  expect(POLICY_REFUSALS.has(codeOf(answer) ?? ""), describe(answer)).toBe(true);
  expect(answer.text, describe(answer)).not.toContain(INSTANCE_OWNER.email);
}

// ---------------------------------------------------------------------------------------------------

test.beforeAll(async () => {
  test.setTimeout(6 * 60_000);
  data = createSharedData();
  instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl });
  db = createClient({ url: data.databaseUrl });
  // The owner's role requires a second factor, as migrated; they have none yet.
  ownerCookie = await signIn();
});

test.afterAll(async () => {
  db?.close();
  await instance?.stop();
  data?.remove();
});

test("every page and route handler under app/ is in the declared table, and the table names no route that is gone", () => {
  const found = appRoutes();
  const onDisk = found.map(({ route }) => route);
  const declared = Object.keys(APP_ROUTE_ACCESS);
  expect(found.filter(({ route, group }) => !routeAccessOf(route, group)).map(({ route }) => route), "routes missing from server/auth/route-access.ts").toEqual([]);
  expect(declared.filter((route) => !onDisk.includes(route)), "routes in the table that no longer exist").toEqual([]);
});

test("an owner who must enrol: every gated page goes to /enrol-mfa, every gated handler and auth endpoint refuses, enrolment stays open", async () => {
  for (const { route, kind, group } of appRoutes()) {
    if (route === "/api/auth/[...all]") continue; // walked endpoint by endpoint below
    const url = sampleUrl(route);
    const classification = routeAccessOf(route, group);
    if (kind === "page") {
      const answer = await send(url, { cookie: ownerCookie, headers: { accept: "text/html" } });
      if (classification === "gated") expectEnrolmentRedirect(answer, url);
      else if (classification === "enrolment") {
        expect(answer.status, describe(answer)).toBe(200);
        expect(answer.text, describe(answer)).toContain("Set up a second factor");
      } else expect(answer.status, describe(answer)).toBeLessThan(500);
      continue;
    }
    if (route === "/api/trpc/[trpc]") {
      // Procedures are gated one by one (only the enrolment page's are open): a console query is refused.
      const refused = await send(`/api/trpc/users.list?input=${encodeURIComponent(JSON.stringify({ json: {} }))}`, { cookie: ownerCookie });
      expect(refused.status, describe(refused)).toBe(403);
      expect(refused.text, describe(refused)).toContain("MFA enrolment required");
      expect(refused.text, describe(refused)).not.toContain(INSTANCE_OWNER.email);
      const open = await send(`/api/trpc/account.mfaRequirement?input=${encodeURIComponent(JSON.stringify({ json: null }))}`, { cookie: ownerCookie });
      expect(open.status, describe(open)).toBe(200);
      continue;
    }
    if (classification === "gated") expectPolicyRefusal(await send(url, { cookie: ownerCookie }));
    else expect((await send(url, { cookie: ownerCookie })).status).toBeLessThan(500);
  }

  for (const [endpoint, classification] of Object.entries(AUTH_ENDPOINT_ACCESS) as [AuthEndpoint, RouteAccess][]) {
    if (classification !== "gated") continue;
    const [method, template] = endpoint.split(" ") as [string, string];
    const url = `/api/auth${template.replace(/:[a-z_]+/gi, "sample")}`;
    if (template === "/oauth2/authorize") continue; // below, with a real request
    const answer = await send(url, { method, cookie: ownerCookie, ...(method === "GET" || method === "DELETE" ? {} : { json: {} }) });
    // Not served: 404 from better-auth, or 405 for a method the Next route does not take at all.
    if (AUTH_ENDPOINTS_NOT_SERVED.has(endpoint)) expect([404, 405], describe(answer)).toContain(answer.status);
    else expectPolicyRefusal(answer);
  }

  // What enrolment needs stays open (the last test enrols for real).
  const session = await send("/api/auth/get-session", { cookie: ownerCookie });
  expect(session.status, describe(session)).toBe(200);
  expect(session.text).toContain(INSTANCE_OWNER.email);
  const passkeyOptions = await send("/api/auth/passkey/generate-register-options", { cookie: ownerCookie });
  expect(passkeyOptions.status, describe(passkeyOptions)).toBe(200);
});

test("the audit log cannot be downloaded by an owner who must enrol", async () => {
  const answer = await send("/api/audit/export", { cookie: ownerCookie });
  expectPolicyRefusal(answer);
  expect(answer.headers.get("content-disposition"), describe(answer)).toBeNull();
  expect(answer.text, describe(answer)).not.toContain("actor_email");
});

test("an owner who must enrol cannot approve consent for an mcp:admin token: authorize goes to enrolment, consent is refused, nothing is granted", async () => {
  const clientId = await registerClient();
  const verifier = randomBytes(32).toString("base64url");
  const asked = await send(authorizePath(clientId, "mcp:admin", verifier), { cookie: ownerCookie, headers: { accept: "text/html", "sec-fetch-mode": "navigate" } });
  expectEnrolmentRedirect(asked);
  const next = new URL(new URL(asked.headers.get("location")!, instance.origin).searchParams.get("next")!, instance.origin);
  expect(next.pathname).toBe("/api/auth/oauth2/authorize");
  expect(next.searchParams.get("scope")).toBe("mcp:admin");

  // A consent page shown before the policy applied still cannot be answered after.
  await setOwnerPolicy(false);
  const query = await consentQuery(ownerCookie, clientId, "mcp:admin", verifier);
  await setOwnerPolicy(true);
  const consent = await send("/api/auth/oauth2/consent", { cookie: ownerCookie, json: { accept: true, oauth_query: query } });
  expectPolicyRefusal(consent);
  expect(consent.text).not.toContain("code=");
  const granted = await db.execute({ sql: "SELECT count(*) AS n FROM oauth_consent WHERE client_id = ?", args: [clientId] });
  expect(Number(granted.rows[0]!.n)).toBe(0);
});

test("a token issued before the owner's policy applied is refused at /mcp and userinfo, and works again once the owner enrols", async () => {
  const listTools = { jsonrpc: "2.0", id: 1, method: "tools/list" };
  const mcp = (token: string) =>
    send("/mcp", { json: listTools, headers: { authorization: `Bearer ${token}`, accept: "application/json, text/event-stream", "mcp-protocol-version": "2025-06-18" } });

  await setOwnerPolicy(false);
  // The token comes from a session of its own; enrolling later replaces the session it is done in.
  const tokenSession = await signIn();
  const clientId = await registerClient();
  const verifier = randomBytes(32).toString("base64url");
  const query = await consentQuery(tokenSession, clientId, "mcp:read", verifier);
  const consent = await send("/api/auth/oauth2/consent", { cookie: tokenSession, json: { accept: true, oauth_query: query } });
  const code = new URL((JSON.parse(consent.text) as { url: string }).url).searchParams.get("code")!;
  const token = await send("/api/auth/oauth2/token", {
    form: { grant_type: "authorization_code", code, code_verifier: verifier, redirect_uri: REDIRECT, client_id: clientId, resource: `${instance.origin}/mcp` },
  });
  expect(token.status, describe(token)).toBe(200);
  const { access_token: accessToken, refresh_token: refreshToken } = JSON.parse(token.text) as { access_token: string; refresh_token: string };
  expect((await mcp(accessToken)).status).toBe(200);

  await setOwnerPolicy(true);
  const refused = await mcp(accessToken);
  expect(refused.status, describe(refused)).toBe(401);
  expect(refused.headers.get("www-authenticate"), describe(refused)).toContain('error="invalid_token"');
  expect(refused.text).toContain("second factor");
  const refresh = await send("/api/auth/oauth2/token", { form: { grant_type: "refresh_token", refresh_token: refreshToken, client_id: clientId, resource: `${instance.origin}/mcp` } });
  expect(refresh.status, describe(refresh)).toBe(400);
  expect(JSON.parse(refresh.text)).toMatchObject({ error: "invalid_grant" });

  // The owner enrols an authenticator app, in a session of its own.
  const enrolling = await signIn();
  const enabled = await send("/api/auth/two-factor/enable", { cookie: enrolling, json: { password: INSTANCE_OWNER.password } });
  const totp = URI.parse((JSON.parse(enabled.text) as { totpURI: string }).totpURI) as TOTP;
  const confirmed = await send("/api/auth/two-factor/verify-totp", { cookie: enrolling, json: { code: totp.generate() } });
  expect(confirmed.status, describe(confirmed)).toBe(200);
  expect((await mcp(accessToken)).status).toBe(200);
});
