import { randomUUID } from "node:crypto";
import { createClient, type Client } from "@libsql/client";
import { expect, test } from "@playwright/test";
import { routeAccessOf } from "../../server/auth/route-access";
import { databaseFingerprint } from "../../server/testing/fingerprint";
import { cookiesOf } from "../../server/testing/enrol-over-http";
import { walkRequestInit, type WalkRequest } from "../../server/testing/http-request";
import { createSharedData, INSTANCE_OWNER, startInstance, type Instance } from "./instance";
import { appRoutes, sampleUrl } from "./routes";

/**
 * The role-by-role escalation suite over HTTP, on a production build: an anonymous caller, a member,
 * an auditor and a domain administrator each request every page and route handler under app/ (found
 * on disk at test time), plus the calls that would act on someone else (a tRPC mutation aimed at the
 * owner, the audit export, an invitation or setup without its token). Nothing answers with a 5xx,
 * nothing they may not read (everything of the owner's and of a tenant they do not administer is
 * marked) appears in an answer, and the database is unchanged but for audit rows and counters.
 * `server/trpc/escalation.test.ts` attacks every tRPC procedure in the same way in-process.
 */

const CANARY = "canary5x";

type Persona = "anonymous" | "member" | "auditor" | "domainAdmin";

let data: ReturnType<typeof createSharedData>;
let instance: Instance;
let db: Client;
const cookies: Record<Persona, string> = { anonymous: "", member: "", auditor: "", domainAdmin: "" };
let ownerId = "";
let tenantUserId = "";

const readRows = async (statement: string) => (await db.execute(statement)).rows.map((row) => ({ ...row }));

async function send(pathname: string, init: WalkRequest = {}) {
  const request = walkRequestInit(instance.origin, { ...init, headers: { accept: "text/html, application/json", ...init.headers } });
  const response = await fetch(`${instance.origin}${pathname}`, { ...request, signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text(), label: `${request.method} ${pathname}` };
}

async function signUpAndIn(prefix: string): Promise<{ id: string; cookie: string }> {
  const account = { name: `${prefix} person`, email: `${prefix}-${randomUUID().slice(0, 8)}@example.com`, password: "escalation-walk-passphrase-3" };
  expect((await send("/api/auth/sign-up/email", { json: account })).status).toBe(200);
  const signedIn = await fetch(`${instance.origin}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: instance.origin },
    body: JSON.stringify(account),
  });
  expect(signedIn.status).toBe(200);
  const { user } = (await signedIn.json()) as { user: { id: string } };
  return { id: user.id, cookie: cookiesOf(signedIn) };
}

async function grant(userId: string, roleId: string, domainId: string | null) {
  await db.execute({ sql: "INSERT INTO role_assignment (id, user_id, role_id, domain_id) VALUES (?, ?, ?, ?)", args: [randomUUID(), userId, roleId, domainId] });
}

async function createDomain(name: string): Promise<string> {
  const id = randomUUID();
  await db.execute({ sql: "INSERT INTO domain (id, name, slug) VALUES (?, ?, ?)", args: [id, name, `${name.toLowerCase().replace(/\W+/g, "-")}-${id.slice(0, 6)}`] });
  return id;
}

test.beforeAll(async () => {
  test.setTimeout(6 * 60_000);
  data = createSharedData();
  instance = await startInstance({ dataDir: data.dir, databaseUrl: data.databaseUrl });
  db = createClient({ url: data.databaseUrl });
  // The walk is about permissions; second-factor policies have their own walk (mfa-gate.spec.ts).
  await db.execute("UPDATE role SET requires_mfa = 0");

  const owner = await fetch(`${instance.origin}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: instance.origin },
    body: JSON.stringify(INSTANCE_OWNER),
  });
  expect(owner.status).toBe(200);
  ownerId = ((await owner.json()) as { user: { id: string } }).user.id;
  const ownerCookie = cookiesOf(owner);
  await db.execute({ sql: "UPDATE user SET name = ? WHERE id = ?", args: [`${CANARY} Owner`, ownerId] });

  const home = await createDomain("Home tenant");
  const tenant = await createDomain(`${CANARY} tenant`);
  const tenantUser = await signUpAndIn(`${CANARY}-tenant-user`);
  tenantUserId = tenantUser.id;
  await grant(tenantUser.id, "role_member", tenant);
  const client = await send("/api/trpc/clients.create", {
    cookie: ownerCookie,
    json: { json: { name: `${CANARY} client`, type: "confidential", redirectUris: ["https://tenant.example/callback"], scopes: ["openid", "mcp:read"], domainId: tenant } },
  });
  expect(client.status, client.text).toBe(200);

  cookies.member = (await signUpAndIn("member")).cookie;
  const auditor = await signUpAndIn("auditor");
  await grant(auditor.id, "role_auditor", null);
  cookies.auditor = auditor.cookie;
  const domainAdmin = await signUpAndIn("domain-admin");
  await grant(domainAdmin.id, "role_domain_admin", home);
  cookies.domainAdmin = domainAdmin.cookie;
});

test.afterAll(async () => {
  db?.close();
  await instance?.stop();
  data?.remove();
});

/** Calls aimed at what the personas must not reach, beyond reading every route. */
function attacks(): { pathname: string; json?: unknown }[] {
  const trpc = (path: string, input: unknown) => ({ pathname: `/api/trpc/${path}`, json: { json: input } });
  return [
    trpc("roles.assign", { userId: tenantUserId, roleId: "role_owner", domainId: null }),
    trpc("users.ban", { id: ownerId, reason: "takeover" }),
    trpc("users.resetMfa", { id: ownerId }),
    trpc("sessions.revokeAllForUser", { userId: ownerId }),
    trpc("roles.create", { name: `rogue-${randomUUID().slice(0, 6)}`, permissions: ["settings:admin"] }),
    { pathname: "/api/invite", json: { token: "not-a-real-invitation", password: "rogue-passphrase-1234" } },
    { pathname: "/api/setup", json: { token: "not-a-real-setup-link", name: "Rogue", email: "rogue@example.com", password: "rogue-passphrase-1234" } },
  ];
}

const WHO_MAY_READ_EVERYTHING = new Set<Persona>(["auditor"]);

for (const persona of ["anonymous", "member", "auditor", "domainAdmin"] as const) {
  test(`${persona}: every route answers without a 5xx, shows nothing of the owner's or another tenant's, and changes nothing`, async () => {
    const before = await databaseFingerprint(readRows);
    const problems: string[] = [];
    for (const { route, group } of appRoutes()) {
      // better-auth's endpoints act on the caller's own account; /mcp takes bearer tokens (their own walks).
      if (route === "/api/auth/[...all]" || routeAccessOf(route, group) === "token") continue;
      const answer = await send(route === "/api/trpc/[trpc]" ? "/api/trpc/users.list" : sampleUrl(route), { cookie: cookies[persona] });
      if (answer.status >= 500) problems.push(`${answer.label} -> ${answer.status}`);
      if (!WHO_MAY_READ_EVERYTHING.has(persona) && answer.text.includes(CANARY)) problems.push(`${answer.label} shows a marked row`);
    }
    for (const attack of attacks()) {
      const answer = await send(attack.pathname, { cookie: cookies[persona], json: attack.json });
      if (answer.status < 400 || answer.status >= 500) problems.push(`${answer.label} -> ${answer.status} ${answer.text.slice(0, 200)}`);
    }
    const exported = await send("/api/audit/export", { cookie: cookies[persona] });
    if (persona !== "auditor" && exported.text.includes(CANARY)) problems.push("the audit export shows a marked row");
    expect(problems).toEqual([]);
    expect(await databaseFingerprint(readRows)).toBe(before);
  });
}
