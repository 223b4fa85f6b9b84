import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import Redis from "ioredis";

export interface TestRedis {
  url: string;
  stop(): Promise<void>;
}

const STARTUP_TIMEOUT_MS = 10_000;

/** A port nobody listens on right now; redis-server's `--port 0` would turn TCP off instead. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => (address && typeof address === "object" ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

async function waitForPing(url: string, exited: () => string | null): Promise<void> {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  for (;;) {
    const failure = exited();
    if (failure) throw new Error(`redis-server stopped: ${failure}`);
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    client.on("error", () => undefined);
    try {
      await client.connect();
      if ((await client.ping()) === "PONG") return;
    } catch {
      if (Date.now() > deadline) throw new Error(`redis-server did not answer at ${url}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      client.disconnect();
    }
  }
}

/**
 * A real redis-server of its own (from Debian's `redis-server` package, which `.ci/run` installs) on
 * a free loopback port, keeping nothing on disk.
 */
export async function startTestRedis(): Promise<TestRedis> {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-redis-"));
  const port = await freePort();
  const server = spawn(
    "redis-server",
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let stderr = "";
  let exit: string | null = null;
  server.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  server.on("error", (error) => (exit = error.message));
  server.on("exit", (code, signal) => (exit ??= `exit ${code ?? signal} ${stderr}`.trim()));
  const url = `redis://127.0.0.1:${port}`;
  try {
    await waitForPing(url, () => exit);
  } catch (error) {
    server.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url,
    stop: () =>
      new Promise<void>((resolve) => {
        const done = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (server.exitCode !== null || server.signalCode !== null) return done();
        server.once("exit", done);
        server.kill("SIGTERM");
      }),
  };
}
