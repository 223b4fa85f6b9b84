import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { e2ePort, stateFile, type ServerState } from "./server-state";

/** A first start runs `next build`, which can take minutes on a small machine. */
const STARTUP_TIMEOUT_MS = 8 * 60 * 1000;
const POLL_INTERVAL_MS = 1000;
const KEPT_OUTPUT_LINES = 300;

const repoRoot = path.resolve(import.meta.dirname, "..");

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function healthStatus(baseUrl: string): Promise<number | null> {
  try {
    const response = await fetch(`${baseUrl}/api/health`, { signal: AbortSignal.timeout(5000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return null;
  }
}

function killGroup(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null) return;
  try {
    process.kill(-child.pid, "SIGTERM");
  } catch {
    // Already gone.
  }
}

export default async function globalSetup(): Promise<void> {
  const port = e2ePort();
  const baseUrl = `http://localhost:${port}`;

  // A leftover server would be tested instead of a fresh one; refuse rather than guess.
  if ((await healthStatus(baseUrl)) !== null) {
    throw new Error(
      `Something is already listening on ${baseUrl}. Stop it (see ${stateFile(port)}) or set E2E_PORT to a free port.`,
    );
  }

  const tempDir = mkdtempSync(path.join(os.tmpdir(), "gatehouse-e2e-"));
  // The journey starts from "no owner yet", so no admin credentials may leak in and the setup link
  // must be printed. start.mjs and Next choose NODE_ENV themselves; an inherited "development" would
  // only confuse `next start`.
  const {
    NODE_ENV: _nodeEnv,
    GATEHOUSE_ADMIN_EMAIL: _adminEmail,
    GATEHOUSE_ADMIN_PASSWORD: _adminPassword,
    BETTER_AUTH_SECRET: _authSecret,
    DATABASE_AUTH_TOKEN: _databaseAuthToken,
    GATEHOUSE_SIGNUP: _signup,
    ...inherited
  } = process.env;
  const env: Record<string, string | undefined> = {
    ...inherited,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    DATABASE_URL: `file:${path.join(tempDir, "e2e.db")}`,
    GATEHOUSE_DATA_DIR: tempDir,
    NEXT_TELEMETRY_DISABLED: "1",
    GATEHOUSE_DEV_OUTBOX: "on",
  };

  const child = spawn(process.execPath, ["scripts/start.mjs"], {
    cwd: repoRoot,
    env: env as NodeJS.ProcessEnv,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });

  const state: ServerState = { pid: child.pid ?? -1, tempDir, port };
  writeFileSync(stateFile(port), JSON.stringify(state));

  const output: string[] = [];
  let setupUrl: string | undefined;
  let exited: string | undefined;

  const pipe = (stream: NodeJS.ReadableStream, prefix: string, sink: NodeJS.WriteStream) => {
    let pending = "";
    stream.setEncoding("utf8");
    stream.on("data", (chunk: string) => {
      pending += chunk;
      const lines = pending.split(/\r?\n/);
      pending = lines.pop() ?? "";
      for (const line of lines) {
        sink.write(`${prefix} ${line}\n`);
        output.push(line);
        if (output.length > KEPT_OUTPUT_LINES) output.shift();
        const match = /Setup link:\s+(\S+)/.exec(line);
        if (match) setupUrl = match[1];
      }
    });
  };
  pipe(child.stdout!, "[gatehouse]", process.stdout);
  pipe(child.stderr!, "[gatehouse:err]", process.stderr);

  child.on("error", (error) => {
    exited = `could not be spawned: ${error.message}`;
  });
  child.on("exit", (code, signal) => {
    exited = `exited early with ${signal ? `signal ${signal}` : `code ${code}`}`;
  });

  const fail = (reason: string): never => {
    killGroup(child);
    rmSync(tempDir, { recursive: true, force: true });
    rmSync(stateFile(port), { force: true });
    throw new Error(`Gatehouse e2e server ${reason}.\n--- server output ---\n${output.join("\n")}`);
  };

  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    if (exited) fail(exited);
    if ((await healthStatus(baseUrl)) === 200) break;
    if (Date.now() > deadline) fail(`did not become healthy within ${STARTUP_TIMEOUT_MS / 1000}s`);
    await sleep(POLL_INTERVAL_MS);
  }

  if (!setupUrl) fail("became healthy but never printed a \"Setup link:\" line");
  // Workers are started after global setup and inherit this.
  process.env.E2E_SETUP_URL = setupUrl;
}
