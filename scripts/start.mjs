/**
 * `npm start` (and `npm run dev` with `--dev`): runs the setup (scripts/setup.ts: configuration,
 * migrations, the first owner, a build when the sources changed) in a child process that exits, then
 * serves with Next.js. This launcher is what stays resident beside the Next.js server for as long as
 * it runs, so it is plain JavaScript importing only Node's own modules: no TypeScript loader,
 * better-auth or database driver held in memory (about 40 MB instead of 250).
 * A failed setup has already printed its one-line reason; the launcher adds nothing and exits 1.
 */
import path from "node:path";
import { pathToFileURL } from "node:url";
import { NEXT_BIN, runForwardingSignals } from "./next-child.mjs";

const dev = process.argv.includes("--dev");
const scripts = import.meta.dirname;

/** Loaded into the Next.js process first: it decides each request's client address (see the file). */
const CLIENT_ADDRESS_PRELOAD = pathToFileURL(path.join(scripts, "client-address.mjs")).href;

/**
 * The Next.js server's old-generation heap, in MB, unless NODE_OPTIONS sets one. V8's default on a
 * machine with a few GB of memory lets garbage pile up to well over a gigabyte before it collects
 * hard; the server's live data is far smaller (the lists page through the database, the audit export
 * streams), so a bound keeps what `npm start` holds resident small at a measured CPU cost (README, Benchmark).
 */
const NEXT_HEAP_MB = 192;

/** @returns {string[]} */
function heapBound() {
  return /--max-old-space-size/.test(process.env.NODE_OPTIONS ?? "") ? [] : [`--max-old-space-size=${NEXT_HEAP_MB}`];
}

/** @returns {Promise<number>} */
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
  const args = dev ? [NEXT_BIN, "dev", "-p", String(plan.port)] : [NEXT_BIN, "start", "-p", String(plan.port)];
  return runForwardingSignals(process.execPath, [...(dev ? [] : heapBound()), "--import", CLIENT_ADDRESS_PRELOAD, ...args], { ...plan.env, GATEHOUSE_CLIENT_ADDRESS_PRELOAD: "1" });
}

process.exit(await main());
