import { execFileSync, spawn, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { expect, test } from "@playwright/test";
import { freePort } from "./instance";

/**
 * Build once, run anywhere: a copy of the sources as a fresh clone would have them (no data/, no
 * .next/) is built with `npm run build`, which must leave no database and no secret behind; then
 * that one build is started twice, with different PORT, PUBLIC_URL and data folders, and each
 * instance serves discovery, the /mcp challenge and the authorization redirect with its own runtime
 * values, without building again.
 */

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const OWNER = { email: "build-once@e2e.example.com", password: "build-once-passphrase-77" };

let copy: string;

/** Files git would put in a fresh clone of this working tree (tracked, plus new files not ignored). */
function cloneWorkingTree(into: string) {
  const files = execFileSync("git", ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot, encoding: "utf8" })
    .split("\0")
    .filter((file) => file && existsSync(path.join(repoRoot, file)));
  for (const file of files) {
    mkdirSync(path.dirname(path.join(into, file)), { recursive: true });
    cpSync(path.join(repoRoot, file), path.join(into, file));
  }
  // The installed packages, hard-linked: a fresh clone would have run `npm ci`.
  execFileSync("cp", ["-al", path.join(repoRoot, "node_modules"), path.join(into, "node_modules")]);
}

/** Every file below `dir` whose name is `name`, skipping node_modules. */
function findNamed(dir: string, name: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (entry.name === "node_modules") return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return findNamed(full, name);
    return entry.name === name ? [full] : [];
  });
}

/** Gatehouse's settings stripped from the environment, so the build and starts see only what each step gives them. */
function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(GATEHOUSE_|BETTER_AUTH_|DATABASE_|REDIS_|SMTP_|PUBLIC_URL$|PORT$|NODE_ENV$|E2E_)/.test(name)),
  );
  return { ...inherited, NEXT_TELEMETRY_DISABLED: "1", ...extra } as unknown as NodeJS.ProcessEnv;
}

async function startOnce(port: number, dataDir: string) {
  const origin = `http://localhost:${port}`;
  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: copy,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env: cleanEnv({
      PORT: String(port),
      PUBLIC_URL: origin,
      GATEHOUSE_DATA_DIR: dataDir,
      DATABASE_URL: `file:${path.join(dataDir, "gatehouse.db")}`,
      GATEHOUSE_ADMIN_EMAIL: OWNER.email,
      GATEHOUSE_ADMIN_PASSWORD: OWNER.password,
    }),
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the instance exited early:\n${output}`);
    const healthy = await fetch(`${origin}/api/health`).then((response) => response.ok, () => false);
    if (healthy) break;
    if (Date.now() > deadline) throw new Error(`the instance did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return {
    origin,
    output: () => output,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) process.kill(-child.pid, "SIGTERM");
      await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

test.beforeAll(async () => {
  test.setTimeout(12 * 60_000);
  copy = mkdtempSync(path.join(os.tmpdir(), "gatehouse-fresh-clone-"));
  cloneWorkingTree(copy);
});

test.afterAll(() => {
  if (copy) rmSync(copy, { recursive: true, force: true });
});

test("npm run build on a fresh clone succeeds and leaves no database and no secret behind", () => {
  test.setTimeout(12 * 60_000);
  const built = spawnSync("npm", ["run", "build"], { cwd: copy, env: cleanEnv(), encoding: "utf8", timeout: 11 * 60_000 });
  expect(built.status, `${built.stdout}\n${built.stderr}`.slice(-4000)).toBe(0);
  expect(existsSync(path.join(copy, "data"))).toBe(false);
  expect(findNamed(copy, "auth-secret")).toEqual([]);
  expect(findNamed(copy, "gatehouse.db")).toEqual([]);
  expect(existsSync(path.join(copy, ".next", "gatehouse-source-fingerprint"))).toBe(true);
});

test("the one build serves two instances with their own PORT and PUBLIC_URL, without building again", async () => {
  test.setTimeout(6 * 60_000);
  for (const run of [1, 2]) {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), `gatehouse-instance-${run}-`));
    const instance = await startOnce(await freePort(), dataDir);
    try {
      expect(instance.output()).not.toContain("Building Gatehouse");

      const discovery = (await (await fetch(`${instance.origin}/.well-known/oauth-authorization-server/api/auth`)).json()) as Record<string, string>;
      expect(discovery.issuer).toBe(`${instance.origin}/api/auth`);
      expect(discovery.authorization_endpoint).toBe(`${instance.origin}/api/auth/oauth2/authorize`);
      const resource = (await (await fetch(`${instance.origin}/.well-known/oauth-protected-resource/mcp`)).json()) as { resource: string };
      expect(resource.resource).toBe(`${instance.origin}/mcp`);

      const challenge = await fetch(`${instance.origin}/mcp`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
      });
      expect(challenge.status).toBe(401);
      expect(challenge.headers.get("www-authenticate")).toContain(`resource_metadata="${instance.origin}/.well-known/oauth-protected-resource/mcp"`);

      // An authorization request goes to this instance's own sign-in page.
      const registered = (await (
        await fetch(`${instance.origin}/api/auth/oauth2/register`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_name: "Build check", redirect_uris: ["http://127.0.0.1:9/cb"], token_endpoint_auth_method: "none" }),
        })
      ).json()) as { client_id: string };
      const authorize = await fetch(
        `${instance.origin}/api/auth/oauth2/authorize?${new URLSearchParams({
          response_type: "code",
          client_id: registered.client_id,
          redirect_uri: "http://127.0.0.1:9/cb",
          scope: "mcp:read",
          code_challenge: "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM",
          code_challenge_method: "S256",
        })}`,
        { redirect: "manual" },
      );
      // A fetch is answered with JSON naming the next page (a browser navigation would get a 302 there).
      const location = authorize.headers.get("location") ?? ((await authorize.json()) as { url: string }).url;
      const signIn = new URL(location, instance.origin);
      expect(signIn.origin).toBe(instance.origin);
      expect(signIn.pathname).toBe("/sign-in");
      const page = await fetch(signIn);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("Build check");
    } finally {
      await instance.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }
});
