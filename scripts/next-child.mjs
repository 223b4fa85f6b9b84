import { spawn } from "node:child_process";
import { createRequire } from "node:module";

/**
 * Next.js's own entry point, run with this Node as a child process rather than through `npx`:
 * npm's wrapper and its shell exit at once on SIGTERM, which would let the parent exit while
 * Next.js is still draining requests or writing a build.
 *
 * Plain JavaScript (types in next-child.d.mts) because `npm start`'s resident launcher,
 * scripts/start.mjs, runs without a TypeScript loader.
 */
export const NEXT_BIN = createRequire(import.meta.url).resolve("next/dist/bin/next");

/**
 * Runs `command` with the terminal attached, forwarding SIGINT and SIGTERM to it while it runs, and
 * resolves with its exit status (1 when a signal ended it). `onMessage` receives what the child sends
 * over an IPC channel, which is opened only when it is given.
 *
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 * @param {(message: unknown) => void} [onMessage]
 * @returns {Promise<number>}
 */
export function runForwardingSignals(command, args, env, onMessage) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: onMessage ? ["inherit", "inherit", "inherit", "ipc"] : "inherit", env });
    if (onMessage) child.on("message", onMessage);
    /** @param {NodeJS.Signals} signal */
    const forward = (signal) => child.kill(signal);
    process.on("SIGINT", forward);
    process.on("SIGTERM", forward);
    child.on("exit", (code, signal) => {
      process.off("SIGINT", forward);
      process.off("SIGTERM", forward);
      resolve(code ?? (signal ? 1 : 0));
    });
  });
}
