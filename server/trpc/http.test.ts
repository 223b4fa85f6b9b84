import { eq } from "drizzle-orm";
import superjson from "superjson";
import { describe, expect, test } from "vitest";
import { session } from "@/db/schema";
import { TEST_PUBLIC_URL, signIn, signUp, authTestBed } from "@/server/testing/auth";
import { handleTrpcRequest } from "./http";
import { MAX_BATCH_SIZE } from "@/server/shared/limits";

const EVIL = "https://evil.example";

const bed = authTestBed({ owner: true });

function call(path: string, init: { method?: string; headers?: Record<string, string>; body?: BodyInit } = {}) {
  return handleTrpcRequest({ db: bed.database.db, auth: bed.auth }, new Request(`${TEST_PUBLIC_URL}/api/trpc/${path}`, init));
}

/** A user signed in twice: `cookie` is one browser, `other` a second session that a CSRF would end. */
async function userWithTwoSessions() {
  const account = await signUp(bed.auth);
  const other = await signIn(bed.auth, account.email);
  return { ...account, other: other.cookie };
}

const sessionsOf = (userId: string) => bed.database.db.$count(session, eq(session.userId, userId));

async function trpcError(response: Response) {
  const body = (await response.json()) as { error: unknown };
  return superjson.deserialize(body.error as never) as { message: string; data: { code: string; httpStatus: number } };
}

const form = () => {
  const data = new FormData();
  data.set("anything", "1");
  return data;
};

describe("cross-site requests", () => {
  test.each([
    ["multipart/form-data", () => ({ body: form() })],
    ["text/plain", () => ({ headers: { "content-type": "text/plain" }, body: "{}" })],
    ["application/x-www-form-urlencoded", () => ({ headers: { "content-type": "application/x-www-form-urlencoded" }, body: "a=1" })],
  ])("a %s mutation from another origin is refused with 403 in tRPC's shape, and does not run", async (_type, init) => {
    const user = await userWithTwoSessions();
    const { headers, body } = init() as { headers?: Record<string, string>; body: BodyInit };
    const response = await call("account.revokeOtherSessions", {
      method: "POST",
      headers: { ...headers, cookie: user.cookie, origin: EVIL, "sec-fetch-site": "cross-site" },
      body,
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-type")).toContain("application/json");
    expect(await trpcError(response)).toMatchObject({
      message: `Calls to /api/trpc must come from Gatehouse's own pages; this one came from ${EVIL}.`,
      data: { code: "FORBIDDEN", httpStatus: 403 },
    });
    expect(await sessionsOf(user.userId)).toBe(2);
  });

  test("a mutation from a sibling site (same-site, no Origin) or with neither Origin nor Sec-Fetch-Site is refused", async () => {
    const user = await userWithTwoSessions();
    const json = { "content-type": "application/json", cookie: user.cookie };
    for (const headers of [{ ...json, "sec-fetch-site": "same-site" }, json]) {
      const response = await call("account.revokeOtherSessions", { method: "POST", headers, body: "{}" });
      expect(response.status).toBe(403);
      expect((await trpcError(response)).data.code).toBe("FORBIDDEN");
    }
    expect(await sessionsOf(user.userId)).toBe(2);
  });

  test("a same-origin mutation that is not JSON is refused with 415, and does not run", async () => {
    const user = await userWithTwoSessions();
    const response = await call("account.revokeOtherSessions", {
      method: "POST",
      headers: { cookie: user.cookie, origin: new URL(TEST_PUBLIC_URL).origin },
      body: form(),
    });
    expect(response.status).toBe(415);
    expect((await trpcError(response)).message).toBe("Send tRPC calls as application/json.");
    expect(await sessionsOf(user.userId)).toBe(2);
  });

  test("the console's own JSON mutation runs, by Origin or by Sec-Fetch-Site alone", async () => {
    const user = await userWithTwoSessions();
    const byOrigin = await call("account.revokeOtherSessions", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: user.cookie, origin: new URL(TEST_PUBLIC_URL).origin },
      body: "{}",
    });
    expect(byOrigin.status).toBe(200);
    expect(await sessionsOf(user.userId)).toBe(1);
    const bySite = await call("account.revokeOtherSessions", {
      method: "POST",
      headers: { "content-type": "application/json", cookie: user.cookie, "sec-fetch-site": "same-origin" },
      body: "{}",
    });
    expect(bySite.status).toBe(200);
  });

  test("a query from another origin or site is refused; one with no browser headers, or typed into the address bar, is answered", async () => {
    const user = await signUp(bed.auth);
    const refusedByOrigin = await call("me.get", { headers: { cookie: user.cookie, origin: EVIL } });
    expect(refusedByOrigin.status).toBe(403);
    const refusedBySite = await call("me.get", { headers: { cookie: user.cookie, "sec-fetch-site": "cross-site" } });
    expect(refusedBySite.status).toBe(403);
    expect(JSON.stringify(await refusedBySite.json())).not.toContain(user.email);
    expect((await call("me.get", { headers: { cookie: user.cookie } })).status).toBe(200);
    expect((await call("me.get", { headers: { cookie: user.cookie, "sec-fetch-site": "none" } })).status).toBe(200);
  });

  test("a refused batch gets one error per call, as the console's batch link expects", async () => {
    const user = await signUp(bed.auth);
    const response = await call("me.get,account.mfaRequirement?batch=1", { headers: { cookie: user.cookie, origin: EVIL } });
    expect(response.status).toBe(403);
    const body = (await response.json()) as unknown[];
    expect(body).toHaveLength(2);
  });
});

describe("batches", () => {
  const batch = (size: number) => `${Array.from({ length: size }, () => "me.get").join(",")}?batch=1`;

  test(`a batch of ${MAX_BATCH_SIZE} calls is answered; one more is a 400 with a JSON error`, async () => {
    const user = await signUp(bed.auth);
    const allowed = await call(batch(MAX_BATCH_SIZE), { headers: { cookie: user.cookie } });
    expect(allowed.status).toBe(200);
    expect((await allowed.json()) as unknown[]).toHaveLength(MAX_BATCH_SIZE);

    const refused = await call(batch(MAX_BATCH_SIZE + 1), { headers: { cookie: user.cookie } });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("content-type")).toContain("application/json");
    const body = JSON.stringify(await refused.json());
    expect(body).toContain("Batch call exceeds maximum size");
    expect(body).not.toContain(user.email);
  });

  test("a mutation batch over the limit runs none of its calls", async () => {
    const user = await userWithTwoSessions();
    const paths = Array.from({ length: MAX_BATCH_SIZE + 1 }, () => "account.revokeOtherSessions").join(",");
    const response = await call(`${paths}?batch=1`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie: user.cookie, origin: new URL(TEST_PUBLIC_URL).origin },
      body: JSON.stringify(Object.fromEntries(Array.from({ length: MAX_BATCH_SIZE + 1 }, (_, index) => [index, {}]))),
    });
    expect(response.status).toBe(400);
    expect(await sessionsOf(user.userId)).toBe(2);
  });
});
