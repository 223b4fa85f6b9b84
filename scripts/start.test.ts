import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, expect, test } from "vitest";

let dataDir: string;

beforeEach(() => {
  dataDir = mkdtempSync(path.join(tmpdir(), "gatehouse-start-"));
});

afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

/** Runs the real launcher; every case here fails before the build, so it returns quickly. */
function start(env: Record<string, string>) {
  const inherited = { ...process.env };
  delete inherited.GATEHOUSE_ADMIN_EMAIL;
  delete inherited.GATEHOUSE_ADMIN_PASSWORD;
  return spawnSync(process.execPath, ["scripts/start.mjs"], {
    env: { ...inherited, GATEHOUSE_DATA_DIR: dataDir, DATABASE_URL: `file:${dataDir}/gatehouse.db`, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
}

function expectOneLineFailure(result: ReturnType<typeof start>, pattern: RegExp) {
  expect(result.status).toBe(1);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Gatehouse cannot start: /);
  expect(lines[0]).toMatch(pattern);
  expect(result.stderr).not.toMatch(/\n\s+at /);
}

test("a malformed DATABASE_URL stops start with one line naming the variable", () => {
  expectOneLineFailure(start({ DATABASE_URL: "not a url" }), /DATABASE_URL/);
});

test("an unreachable database server stops start with one line", () => {
  expectOneLineFailure(start({ DATABASE_URL: "http://127.0.0.1:9/" }), /DATABASE_URL.*ECONNREFUSED|DATABASE_URL/);
});

test("a database path that cannot be created stops start with one line", () => {
  // A directory cannot be created beneath a regular file, whoever runs the test.
  const regularFile = path.join(dataDir, "a-file");
  writeFileSync(regularFile, "");
  expectOneLineFailure(start({ DATABASE_URL: `file:${regularFile}/cannot.db` }), /DATABASE_URL\).*(ENOTDIR|EEXIST)/);
});

test("a weak GATEHOUSE_ADMIN_PASSWORD is named in the one-line error", () => {
  expectOneLineFailure(
    start({ GATEHOUSE_ADMIN_EMAIL: "owner@example.com", GATEHOUSE_ADMIN_PASSWORD: "short" }),
    /GATEHOUSE_ADMIN_PASSWORD: Use at least 12 characters/,
  );
});

test("an invalid PORT is reported in one line", () => {
  expectOneLineFailure(start({ PORT: "seventy" }), /PORT/);
});

test("the test-only loopback setting for metadata documents stops a production start with one line naming it", () => {
  expectOneLineFailure(
    start({ GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: "1" }),
    /GATEHOUSE_TEST_ALLOW_LOOPBACK_METADATA: this setting is for tests only/,
  );
});

test("the launcher that stays resident beside Next.js loads only Node's own modules and plain-JavaScript siblings", () => {
  // Anything else (tsx, better-auth, the database driver) would stay in memory for the server's
  // whole life: it belongs in scripts/setup.ts, which exits before Next.js serves.
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const source = readFileSync(file, "utf8");
    for (const [, specifier] of source.matchAll(/^\s*import\s[^"']*["']([^"']+)["']/gm)) {
      if (specifier!.startsWith(".")) {
        expect(specifier, `${path.basename(file)} imports ${specifier}`).toMatch(/\.mjs$/);
        visit(path.join(path.dirname(file), specifier!));
      } else {
        expect(specifier, `${path.basename(file)} imports ${specifier}`).toMatch(/^node:/);
      }
    }
  };
  visit(path.join("scripts", "start.mjs"));
  expect([...seen].map((file) => path.basename(file)).sort()).toEqual(["next-child.mjs", "start.mjs"]);
});
