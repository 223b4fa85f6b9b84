import { spawn } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Next.js's own entry point, run with this Node as a child process rather than through `npx`:
 * npm's wrapper and its shell exit at once on SIGTERM, which would let the parent exit while
 * Next.js is still draining requests or writing a build.
 */
export const NEXT_BIN = createRequire(import.meta.url).resolve("next/dist/bin/next");

/**
 * Runs `command` with the terminal attached, forwarding SIGINT and SIGTERM to it while it runs, and
 * resolves with its exit status (1 when a signal ended it).
 */
export function runForwardingSignals(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: "inherit", env });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
