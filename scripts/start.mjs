/**
 * `npm start` (and `npm run dev` with `--dev`): runs the setup (scripts/setup.ts: configuration,
 * migrations, the first owner, a build when the sources changed) in a child process that exits, then
 * serves with Next.js in this same process (`next dev` in a child, which forks its own). What the setup
 * loads (the TypeScript loader, better-auth, the database driver: about 200 MB) leaves with its
 * process, so this file is plain JavaScript importing only Node's own modules. `npm start` bounds
 * the heap (package.json): V8's default lets garbage pile up far past the server's live data.
 * A failed setup has already printed its one-line reason; the launcher adds nothing and exits 1.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NEXT_BIN, runForwardingSignals } from "./next-child.mjs";

const dev = process.argv.includes("--dev");
const scripts = import.meta.dirname;

/** Loaded into the Next.js process first: it decides each request's client address (see the file). */
const CLIENT_ADDRESS_PRELOAD = pathToFileURL(path.join(scripts, "client-address.mjs")).href;

/** @returns {Promise<number | undefined>} undefined once Next.js serves in this process */
async function main() {
  /** @type {{ port: number; env: NodeJS.ProcessEnv } | undefined} */
  let plan;
  const setup = await runForwardingSignals(
    process.execPath,
    ["--import", import.meta.resolve("tsx"), path.join(scripts, "setup.ts"), ...process.argv.slice(2)],
    process.env,
    (message) => {
      plan = /** @type {typeof plan} */ (message);
    },
  );
  if (setup !== 0) return setup;
  if (!plan) {
    console.error("Gatehouse cannot start: the setup ended without saying how to serve.");
    return 1;
  }
  if (dev) {
    return runForwardingSignals(process.execPath, ["--import", CLIENT_ADDRESS_PRELOAD, NEXT_BIN, "dev", "-p", String(plan.port)], {
      ...plan.env,
      GATEHOUSE_CLIENT_ADDRESS_PRELOAD: "1",
    });
  }
  // The production server runs in this process, as `next start` would in its own: a second Node
  // process resident beside it would hold another 40 MB for nothing. The client-address rewrite goes
  // in before Next.js creates its HTTP server, as the preload does for `next dev`.
  Object.assign(process.env, plan.env);
  const { installClientAddressRewrite } = await import("./client-address.mjs");
  installClientAddressRewrite();
  process.argv = [process.execPath, NEXT_BIN, "start", "-p", String(plan.port)];
  await import(pathToFileURL(NEXT_BIN).href);
  return undefined;
}

const exitCode = await main();
if (exitCode !== undefined) process.exit(exitCode);
