import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createClient, type Client } from "@libsql/client";
import { afterEach, beforeEach, expect, test } from "vitest";
import { libsqlAdapter, prepareAdapterDatabase, type PeerAdapterClass } from "./adapter";

let dir: string;
let client: Client;
let clock: number;
let Adapter: PeerAdapterClass;

beforeEach(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "peer-adapter-"));
  client = createClient({ url: `file:${path.join(dir, "peer.db")}` });
  await prepareAdapterDatabase(client);
  clock = 1_800_000_000_000;
  Adapter = libsqlAdapter(client, () => clock);
});

afterEach(() => {
  client.close();
  rmSync(dir, { recursive: true, force: true });
});

test("round-trips a payload through the file, per model, and an upsert replaces it", async () => {
  const tokens = new Adapter("RefreshToken");
  await tokens.upsert("t1", { grantId: "g1", scope: "mcp:read", kind: "RefreshToken" }, 60);
  expect(await tokens.find("t1")).toEqual({ grantId: "g1", scope: "mcp:read", kind: "RefreshToken" });
  // The same id under another model is another row.
  expect(await new Adapter("AccessToken").find("t1")).toBeUndefined();

  await tokens.upsert("t1", { grantId: "g1", scope: "mcp:write" }, 60);
  expect(await tokens.find("t1")).toEqual({ grantId: "g1", scope: "mcp:write" });

  // A second connection to the file sees it: the adapter is durable, not a cache.
  const other = createClient({ url: `file:${path.join(dir, "peer.db")}` });
  expect(await new (libsqlAdapter(other, () => clock))("RefreshToken").find("t1")).toMatchObject({ scope: "mcp:write" });
  other.close();
});

test("consume marks the payload consumed with the time in seconds, and keeps the rest", async () => {
  const codes = new Adapter("AuthorizationCode");
  await codes.upsert("c1", { grantId: "g1", codeChallenge: "abc" }, 60);
  expect((await codes.find("c1"))?.consumed).toBeUndefined();
  await codes.consume("c1");
  expect(await codes.find("c1")).toEqual({ grantId: "g1", codeChallenge: "abc", consumed: clock / 1000 });
});

test("an expired row is never returned, by id, uid or user code; a row without expiry stays", async () => {
  const sessions = new Adapter("Session");
  await sessions.upsert("s1", { uid: "u1", userCode: "WXYZ" }, 10);
  await sessions.upsert("s2", { uid: "u2" });
  expect(await sessions.findByUid("u1")).toMatchObject({ uid: "u1" });
  expect(await sessions.findByUserCode("WXYZ")).toMatchObject({ uid: "u1" });
  clock += 10_001;
  expect(await sessions.find("s1")).toBeUndefined();
  expect(await sessions.findByUid("u1")).toBeUndefined();
  expect(await sessions.findByUserCode("WXYZ")).toBeUndefined();
  expect(await sessions.find("s2")).toEqual({ uid: "u2" });
});

test("destroy removes one row; revokeByGrantId removes the grant's rows of every model and nothing else", async () => {
  const access = new Adapter("AccessToken");
  const refresh = new Adapter("RefreshToken");
  await access.upsert("a1", { grantId: "g1" }, 60);
  await refresh.upsert("r1", { grantId: "g1" }, 60);
  await refresh.upsert("r2", { grantId: "g2" }, 60);
  await access.destroy("a1");
  expect(await access.find("a1")).toBeUndefined();
  await access.upsert("a1", { grantId: "g1" }, 60);

  await refresh.revokeByGrantId("g1");
  expect(await access.find("a1")).toBeUndefined();
  expect(await refresh.find("r1")).toBeUndefined();
  expect(await refresh.find("r2")).toEqual({ grantId: "g2" });
});
