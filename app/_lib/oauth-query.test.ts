import { createHash, randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Auth } from "@/server/auth/auth";
import { mcpResourceUrl } from "@/server/oauth/config";
import { createClient } from "@/server/clients/commands";
import { createClientInput } from "@/server/clients/inputs";
import { authRequest, cookieHeader, openAuthTestBed, signUp, TEST_PASSWORD, TEST_PUBLIC_URL } from "@/server/testing/auth";
import type { TestDatabase } from "@/server/testing/db";
import { isNavigableUrl, redirectHost, signedOAuthQuery, summarizeOAuthQuery, toQueryString } from "./oauth-query";

const CALLBACK = "http://127.0.0.1:45678/callback";

let db: TestDatabase;
let auth: Auth;
let clientId: string;

beforeAll(async () => {
  ({ database: db, auth } = await openAuthTestBed({ owner: true }));
  const created = await createClient(
    db.db,
    createClientInput.parse({ name: "Notes", type: "public", redirectUris: [CALLBACK], scopes: ["openid", "profile", "mcp:read"] }),
    { createdBy: null, mcpResource: mcpResourceUrl(TEST_PUBLIC_URL) },
  );
  clientId = created.client.clientId;
});

afterAll(() => db?.destroy());

/** Starts an authorization request the way a browser would and returns where the provider sent it. */
async function authorize(): Promise<URL> {
  const challenge = createHash("sha256").update(randomBytes(32).toString("base64url")).digest("base64url");
  const query = new URLSearchParams({
    response_type: "code",
    client_id: clientId,
    redirect_uri: CALLBACK,
    scope: "openid profile mcp:read",
    state: "xyz",
    code_challenge: challenge,
    code_challenge_method: "S256",
    resource: mcpResourceUrl(TEST_PUBLIC_URL),
  });
  const response = await auth.handler(
    new Request(`${TEST_PUBLIC_URL}/api/auth/oauth2/authorize?${query}`, { redirect: "manual" }),
  );
  expect(response.status).toBe(302);
  return new URL(response.headers.get("location")!, TEST_PUBLIC_URL);
}

describe("signedOAuthQuery", () => {
  test("is undefined without a signature", () => {
    expect(signedOAuthQuery("?next=/users")).toBeUndefined();
    expect(signedOAuthQuery("")).toBeUndefined();
  });

  test("keeps the signed parameters in order and drops the rest", () => {
    const search = "?client_id=a&scope=openid+profile&next=%2Fusers&exp=9&ba_param=client_id&ba_param=exp&ba_param=scope&sig=s";
    expect(signedOAuthQuery(search)).toBe("client_id=a&scope=openid+profile&exp=9&ba_param=client_id&ba_param=exp&ba_param=scope&sig=s");
  });
});

test("toQueryString keeps repeated parameters", () => {
  expect(toQueryString({ a: "1", b: ["2", "3"], c: undefined })).toBe("a=1&b=2&b=3");
});

test("redirectHost shows host and port, or a native app's scheme", () => {
  expect(redirectHost("http://127.0.0.1:8976/callback")).toBe("127.0.0.1:8976");
  expect(redirectHost("https://app.example.com/cb?x=1")).toBe("app.example.com");
  expect(redirectHost("com.example.app:/callback")).toBe("com.example.app");
  expect(redirectHost("not a url")).toBeNull();
  expect(redirectHost(null)).toBeNull();
});

test("isNavigableUrl refuses URLs that would run code", () => {
  expect(isNavigableUrl("http://127.0.0.1:45678/callback?code=a")).toBe(true);
  expect(isNavigableUrl("/consent?sig=a")).toBe(true);
  expect(isNavigableUrl("com.example.app:/callback?code=a")).toBe(true);
  expect(isNavigableUrl("javascript:alert(1)")).toBe(false);
  expect(isNavigableUrl(" JavaScript:alert(1)")).toBe(false);
  expect(isNavigableUrl("data:text/html,hi")).toBe(false);
});

describe("the provider continues from the query these pages send back", () => {
  test("sign-in with oauth_query answers with the consent page, and consent with the client callback", async () => {
    const { email } = await signUp(auth);
    const login = await authorize();
    expect(login.pathname).toBe("/sign-in");
    expect(summarizeOAuthQuery(login.search)).toMatchObject({ clientId, redirectUri: CALLBACK, scopes: ["openid", "profile", "mcp:read"] });

    const signIn = await authRequest(auth, "/sign-in/email", {
      body: { email, password: TEST_PASSWORD, oauth_query: signedOAuthQuery(login.search) },
    });
    expect(signIn.status).toBe(200);
    const next = (await signIn.json()) as { redirect: boolean; url: string };
    expect(next.redirect).toBe(true);
    const consentPage = new URL(next.url, TEST_PUBLIC_URL);
    expect(consentPage.pathname).toBe("/consent");

    const consent = await authRequest(auth, "/oauth2/consent", {
      body: { accept: true, oauth_query: signedOAuthQuery(consentPage.search) },
      cookie: cookieHeader(signIn),
    });
    expect(consent.status).toBe(200);
    const callback = new URL(((await consent.json()) as { url: string }).url);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get("code")).toBeTruthy();
    expect(callback.searchParams.get("state")).toBe("xyz");
  });

  test("a tampered query is refused with invalid_signature", async () => {
    const { email } = await signUp(auth);
    const login = await authorize();
    const tampered = signedOAuthQuery(login.search)!.replace("state=xyz", "state=abc");
    const signIn = await authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD, oauth_query: tampered } });
    expect(signIn.status).toBe(400);
    expect(await signIn.json()).toMatchObject({ error: "invalid_signature" });
  });

  test("sign-up with oauth_query starts no session; signing in with it next continues to consent", async () => {
    const login = await authorize();
    const oauthQuery = signedOAuthQuery(login.search);
    const email = `new-${Date.now()}@example.com`;
    const signUpResponse = await authRequest(auth, "/sign-up/email", {
      body: { name: "New Person", email, password: TEST_PASSWORD, oauth_query: oauthQuery },
    });
    expect(signUpResponse.status).toBe(200);
    expect(signUpResponse.headers.getSetCookie().filter((cookie) => cookie.includes("session_token="))).toEqual([]);
    expect(await signUpResponse.json()).not.toHaveProperty("url");

    const signInResponse = await authRequest(auth, "/sign-in/email", { body: { email, password: TEST_PASSWORD, oauth_query: oauthQuery } });
    expect(signInResponse.status).toBe(200);
    const next = (await signInResponse.json()) as { redirect: boolean; url: string };
    expect(new URL(next.url, TEST_PUBLIC_URL).pathname).toBe("/consent");
  });
});
