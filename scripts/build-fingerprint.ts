import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import { NEXT_BIN, runForwardingSignals } from "./next-child.mjs";

const SOURCE_DIRS = ["app", "server", "db", "public"];
const SOURCE_FILES = ["package-lock.json", "next.config.ts", "tsconfig.json", "postcss.config.mjs"];
const FINGERPRINT_FILE = path.join(".next", "gatehouse-source-fingerprint");

function isBuildInput(file: string): boolean {
  return !/\.test\.tsx?$/.test(file) && !file.includes(`${path.sep}testing${path.sep}`);
}

function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return listFiles(full);
    return entry.isFile() && isBuildInput(full) ? [full] : [];
  });
}

/** A hash of everything the build reads, so a stale build is never served after an update. */
export function sourceFingerprint(): string {
  const hash = createHash("sha256");
  const files = [...SOURCE_DIRS.flatMap(listFiles), ...SOURCE_FILES.filter((file) => existsSync(file))].sort();
  for (const file of files) {
    hash.update(file).update("\0").update(readFileSync(file)).update("\0");
  }
  return hash.digest("hex");
}

export function buildIsCurrent(): boolean {
  if (!existsSync(path.join(".next", "BUILD_ID")) || !existsSync(FINGERPRINT_FILE)) return false;
  if (statSync(FINGERPRINT_FILE).size === 0) return false;
  return readFileSync(FINGERPRINT_FILE, "utf8") === sourceFingerprint();
}

/** Records the fingerprint taken before the build started: an edit made during the build leaves the build stale. */
export function recordBuild(fingerprint: string): void {
  writeFileSync(FINGERPRINT_FILE, fingerprint);
}

/**
 * The production build, recorded with the fingerprint of the sources it was made from, so that
 * `npm start` serves it as it is. `npm run build` and a stale `npm start` both come here.
 */
export async function buildProduction(env: NodeJS.ProcessEnv): Promise<number> {
  const fingerprint = sourceFingerprint();
  const status = await runForwardingSignals(process.execPath, [NEXT_BIN, "build"], { ...env, NODE_ENV: "production" });
  if (status === 0) recordBuild(fingerprint);
  return status;
}
