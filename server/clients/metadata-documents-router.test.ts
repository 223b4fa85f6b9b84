import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { createClient } from "./commands";
import { mcpResourceUrl } from "@/server/oauth/config";
import { TEST_PUBLIC_URL } from "@/server/testing/auth";
import { auditRows, openPersonaTestBed, type Personas } from "@/server/testing/authz";
import type { TestDatabase } from "@/server/testing/db";
import { outcome, rejection } from "@/server/testing/outcome";
import { tokenCallerAs } from "@/server/testing/trpc";
import type { Auth } from "@/server/auth/auth";
import { clientMetadataDocumentsRouter } from "./metadata-documents-router";

let database: TestDatabase;
let auth: Auth;
let personas: Personas;

beforeAll(async () => {
  ({ database, auth, personas } = await openPersonaTestBed());
});

afterAll(() => database?.destroy());

type Who = "owner" | "admin" | "domainAdmin" | "auditor" | "member" | "anonymous";

const callers = (who: Who) => (who === "anonymous" ? personas.anonymous : who === "domainAdmin" ? personas.domainAdminA.caller : personas[who].caller);

/** The policy is installation-wide: it is read with clients:read globally and changed with clients:admin globally. */
const MATRIX: Record<keyof typeof clientMetadataDocumentsRouter._def.procedures, Record<Who, string>> = {
  get: { owner: "ok", admin: "ok", auditor: "ok", domainAdmin: "FORBIDDEN", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
  setMode: { owner: "ok", admin: "ok", auditor: "FORBIDDEN", domainAdmin: "FORBIDDEN", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
  allowHost: { owner: "ok", admin: "ok", auditor: "FORBIDDEN", domainAdmin: "FORBIDDEN", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
  blockHost: { owner: "ok", admin: "ok", auditor: "FORBIDDEN", domainAdmin: "FORBIDDEN", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
  removeHostRule: { owner: "ok", admin: "ok", auditor: "FORBIDDEN", domainAdmin: "FORBIDDEN", member: "FORBIDDEN", anonymous: "UNAUTHORIZED" },
};

function call(who: Who, procedure: keyof typeof MATRIX) {
  const caller = callers(who).clientMetadataDocuments;
  const host = `${who}-${randomUUID().slice(0, 8)}.example.com`;
  switch (procedure) {
    case "get":
      return caller.get();
    case "setMode":
      return caller.setMode({ mode: "allowlist" });
    case "allowHost":
      return caller.allowHost({ host });
    case "blockHost":
      return caller.blockHost({ host });
    case "removeHostRule":
      return caller.removeHostRule({ host });
  }
}

test.each(Object.keys(MATRIX) as (keyof typeof MATRIX)[])("%s: who may call it", async (procedure) => {
  const outcomes: Record<string, string> = {};
  for (const who of Object.keys(MATRIX[procedure]) as Who[]) outcomes[who] = await outcome(call(who, procedure));
  expect(outcomes).toEqual(MATRIX[procedure]);
});

test("every procedure describes itself and declares its access", () => {
  for (const [name, procedure] of Object.entries(clientMetadataDocumentsRouter._def.procedures)) {
    const meta = (procedure as { _def: { meta?: { description?: string; access?: { kind: string } } } })._def.meta;
    expect(meta?.description, name).toMatch(/\S.*\.$/);
    expect(meta?.access?.kind, name).toBe("permissions");
  }
});

describe("changes", () => {
  test("hosts are taken from what an administrator types or pastes, in lower case, and a bad one is refused", async () => {
    const caller = personas.owner.caller.clientMetadataDocuments;
    await caller.allowHost({ host: "  Tools.Example.COM " });
    await caller.allowHost({ host: "https://pasted.example.com/oauth/client.json" });
    const hosts = (await caller.get()).hosts.map((item) => item.host);
    expect(hosts).toEqual(expect.arrayContaining(["tools.example.com", "pasted.example.com"]));
    for (const host of ["", "tools.example.com/path", "tools.example.com:8443", "not a host"]) {
      expect(await rejection(caller.allowHost({ host }))).toMatchObject({ code: "BAD_REQUEST" });
    }
  });

  test("each change is audited once with what it changed; a change to the same value writes nothing", async () => {
    const caller = personas.owner.caller.clientMetadataDocuments;
    await caller.setMode({ mode: "off" });
    await caller.setMode({ mode: "off" });
    await caller.setMode({ mode: "all" });
    await caller.blockHost({ host: "audited.example.com" });
    await caller.allowHost({ host: "audited.example.com" });
    await caller.removeHostRule({ host: "audited.example.com" });
    await caller.removeHostRule({ host: "audited.example.com" });
    const modes = await auditRows(database.db, { action: "client.metadata_documents_mode_changed" });
    expect(modes.slice(-2).map((row) => row.details)).toEqual([
      { before: "allowlist", after: "off" },
      { before: "off", after: "all" },
    ]);
    const hostRows = await auditRows(database.db, { targetId: "audited.example.com" });
    expect(hostRows.map((row) => [row.action, row.actorUserId])).toEqual([
      ["client.metadata_host_blocked", personas.owner.userId],
      ["client.metadata_host_allowed", personas.owner.userId],
      ["client.metadata_host_rule_removed", personas.owner.userId],
    ]);
    expect(hostRows[1]!.details).toEqual({ host: "audited.example.com", before: "block" });
  });

  test("blocking a host revokes the grants of its clients only", async () => {
    const other = await database.db.transaction((tx) =>
      createClient(
        tx,
        { name: "Registered", type: "public", redirectUris: ["https://registered.example.com/cb"], scopes: ["mcp:read"], authMethod: "client_secret_basic", domainId: null, skipConsent: false },
        { createdBy: personas.owner.userId, mcpResource: mcpResourceUrl(TEST_PUBLIC_URL) },
      ),
    );
    const answer = await personas.owner.caller.clientMetadataDocuments.blockHost({ host: "registered.example.com" });
    expect(answer.revoked).toEqual({ clients: 0, accessTokensRevoked: 0, refreshTokensRevoked: 0, consentsRevoked: 0 });
    expect((await personas.owner.caller.clients.get({ clientId: other.client.clientId })).disabled).toBe(false);
  });

  test("an MCP client cannot change the policy, whoever it acts for", async () => {
    const token = await tokenCallerAs({ db: database.db, auth }, personas.owner.userId, "some-client");
    const error = await rejection(token.clientMetadataDocuments.setMode({ mode: "all" }));
    expect(error).toMatchObject({ code: "FORBIDDEN", message: expect.stringContaining("An MCP client cannot change") });
  });
});
