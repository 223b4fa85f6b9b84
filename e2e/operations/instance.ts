import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";

/**
 * Extra Gatehouse servers for the operations specs (several instances, crashes, shutdowns), started
 * the way `npm start` starts one, from the build global-setup already made. Each runs in its own
 * process group so that a kill reaches Next.js too.
 */

const repoRoot = path.resolve(import.meta.dirname, "..", "..");
const STARTUP_TIMEOUT_MS = 3 * 60 * 1000;
const KEPT_OUTPUT_LINES = 200;

export const INSTANCE_OWNER = { email: "ops-owner@e2e.example.com", password: "ops-owner-passphrase-91" };

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

/** A data folder and database file that several instances can share. */
export function createSharedData(): { dir: string; databaseUrl: string; remove(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-ops-"));
  return { dir, databaseUrl: `file:${path.join(dir, "gatehouse.db")}`, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface Instance {
  origin: string;
  port: number;
  child: ChildProcess;
  /** The last lines the server printed, for failure messages. */
  output(): string;
  /** Sends a signal to the whole process group. */
  signal(signal: NodeJS.Signals): void;
  /** Resolves once the process has exited (after a signal or on its own). */
  exited(): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then SIGKILL if it has not gone within 15 s. */
  stop(): Promise<void>;
}

export interface InstanceOptions {
  dataDir: string;
  databaseUrl: string;
  /** Instances that serve one installation share the secret; the default is fine for that. */
  secret?: string;
  redisUrl?: string;
  port?: number;
  /** PUBLIC_URL; by default the instance's own origin. Instances behind one balancer share one. */
  publicUrl?: string;
  env?: Record<string, string>;
}

async function healthy(origin: string): Promise<boolean> {
  try {
    const response = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(3000) });
    await response.body?.cancel();
    return response.status === 200;
  } catch {
    return false;
  }
}

export async function startInstance(options: InstanceOptions): Promise<Instance> {
  const port = options.port ?? (await freePort());
  const origin = `http://localhost:${port}`;
  const { NODE_ENV: _nodeEnv, REDIS_URL: _redis, GATEHOUSE_SIGNUP: _signup, ...inherited } = process.env;
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(port),
    PUBLIC_URL: options.publicUrl ?? origin,
    DATABASE_URL: options.databaseUrl,
    GATEHOUSE_DATA_DIR: options.dataDir,
    BETTER_AUTH_SECRET: options.secret ?? "operations-test-secret-shared-by-instances-0001",
    GATEHOUSE_ADMIN_EMAIL: INSTANCE_OWNER.email,
    GATEHOUSE_ADMIN_PASSWORD: INSTANCE_OWNER.password,
    NEXT_TELEMETRY_DISABLED: "1",
    ...(options.redisUrl ? { REDIS_URL: options.redisUrl } : {}),
    ...options.env,
  };
  // The launcher `npm start` runs, without npm: npm's wrapper exits at once on SIGTERM, before the server has drained.
  const child = spawn(process.execPath, ["scripts/start.mjs"], { cwd: repoRoot, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const lines: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    stream?.setEncoding("utf8");
    stream?.on("data", (chunk: string) => {
      lines.push(...chunk.split(/\r?\n/).filter(Boolean));
      if (lines.length > KEPT_OUTPUT_LINES) lines.splice(0, lines.length - KEPT_OUTPUT_LINES);
    });
  }
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once("exit", (code, signal) => resolve({ code, signal })),
  );
  let gone = false;
  void exit.then(() => {
    gone = true;
  });

  const signal = (name: NodeJS.Signals) => {
    if (child.pid === undefined || gone) return;
    try {
      process.kill(-child.pid, name);
    } catch {
      // Already gone.
    }
  };
  const instance: Instance = {
    origin,
    port,
    child,
    output: () => lines.join("\n"),
    signal,
    exited: () => exit,
    stop: async () => {
      signal("SIGTERM");
      const timer = setTimeout(() => signal("SIGKILL"), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (!(await healthy(origin))) {
    if (gone || Date.now() > deadline) {
      signal("SIGKILL");
      throw new Error(`Gatehouse instance on ${origin} did not start.\n--- output ---\n${instance.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return instance;
}

/** The RFC 7591 registration of a public native client (PKCE, no secret) with one redirect URI, asking for `scope`. */
export function publicNativeClientRegistration(name: string, redirectUri: string, scope: string) {
  return {
    client_name: name,
    redirect_uris: [redirectUri],
    token_endpoint_auth_method: "none",
    application_type: "native",
    grant_types: ["authorization_code", "refresh_token"],
    response_types: ["code"],
    scope,
  };
}
