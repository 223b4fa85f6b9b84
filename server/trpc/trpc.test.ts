import { TRPCError } from "@trpc/server";
import { fetchRequestHandler } from "@trpc/server/adapters/fetch";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import type { Auth } from "@/server/auth/auth";
import { createSignedInOwner, openAuthTestBed, signUp } from "@/server/testing/auth";
import { createTestDatabase, type TestDatabase } from "@/server/testing/db";
import { expectConsoleError } from "@/server/testing/setup";
import { callerAs } from "@/server/testing/trpc";
import { createTRPCContext } from "./context";
import { appRouter } from "./root";

let database: TestDatabase;
let auth: Auth;
let ownerCookie: string;

beforeAll(async () => {
  ({ database, auth } = await openAuthTestBed());
  ownerCookie = (await createSignedInOwner(database.db, auth)).cookie;
});

afterAll(() => database.destroy());

function httpCall(path: string, init: RequestInit = {}) {
  const request = new Request(`http://localhost:3000/api/trpc/${path}`, init);
  return fetchRequestHandler({
    endpoint: "/api/trpc",
    req: request,
    router: appRouter,
    createContext: () => createTRPCContext({ db: database.db, auth, headers: request.headers }),
  });
}

describe("protectedProcedure", () => {
  test("refuses an anonymous caller with UNAUTHORIZED", async () => {
    const caller = await callerAs({ db: database.db, auth });
    const error = await caller.me.get().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TRPCError);
    expect((error as TRPCError).code).toBe("UNAUTHORIZED");
  });

  test("refuses a forged session cookie", async () => {
    const caller = await callerAs({ db: database.db, auth }, "gatehouse.session_token=forged.value");
    await expect(caller.me.get()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  test("answers 401 over HTTP without a session", async () => {
    const response = await httpCall("me.get");
    expect(response.status).toBe(401);
  });
});

describe("me.get", () => {
  test("returns the owner flagged as owner", async () => {
    const caller = await callerAs({ db: database.db, auth }, ownerCookie);
    const me = await caller.me.get();
    expect(me.isOwner).toBe(true);
    expect(me.email).toMatch(/^owner-/);
  });

  test("returns a member who is not an owner", async () => {
    const { cookie, userId, email } = await signUp(auth);
    const caller = await callerAs({ db: database.db, auth }, cookie);
    expect(await caller.me.get()).toEqual({ id: userId, email, name: "Test User", isOwner: false });
  });
});

describe("health", () => {
  test("is public and reports the database", async () => {
    const caller = await callerAs({ db: database.db, auth });
    expect(await caller.health()).toEqual({ status: "ok", db: "ok" });
  });
});

describe("bad input over HTTP", () => {
  test("malformed JSON gets a 4xx, not a 500", async () => {
    const response = await httpCall("me.get", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{not json",
    });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  test("an unknown procedure is a 404", async () => {
    const response = await httpCall("nothing.here");
    expect(response.status).toBe(404);
  });

  test("an unsupported HTTP method is refused with a 4xx", async () => {
    const response = await httpCall("me.get", { method: "PUT" });
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(500);
  });

  test("internal errors carry no stack trace nor database message", async () => {
    expectConsoleError();
    const broken = await createTestDatabase();
    broken.client.close();
    const request = new Request("http://localhost:3000/api/trpc/health");
    const response = await fetchRequestHandler({
      endpoint: "/api/trpc",
      req: request,
      router: appRouter,
      createContext: () => createTRPCContext({ db: broken.db, auth, headers: request.headers }),
    });
    broken.destroy();
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).toContain("Something went wrong on our side");
    expect(text).not.toMatch(/stack|select 1|CLIENT_CLOSED|at .*\.ts/i);
  });
});

describe("input errors over HTTP", () => {
  test("name the field, and the line of a list, that is wrong", async () => {
    const response = await httpCall("clients.create", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: ownerCookie },
      body: JSON.stringify({
        json: {
          name: "Line errors",
          type: "public",
          redirectUris: ["https://ok.example/cb", "http://not-loopback.example/cb"],
          scopes: ["mcp:read"],
          domainId: null,
        },
      }),
    });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { json: { data: { fieldErrors: Record<string, string[]> } } } };
    const { fieldErrors } = body.error.json.data;
    expect(fieldErrors["redirectUris.1"]).toEqual(["Plain http is allowed only for localhost, 127.0.0.1 or [::1]."]);
    expect(fieldErrors["redirectUris.0"]).toBeUndefined();
    expect(fieldErrors.redirectUris).toEqual(["Plain http is allowed only for localhost, 127.0.0.1 or [::1]."]);
  });
});
