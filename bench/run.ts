/**
 * `npm run bench [-- --quick] [--duration S] [--connections N] [--keep]`: seeds a fresh temporary
 * database with scripts/seed-large.ts, serves it with the production build through scripts/start.ts
 * (which builds first when the sources changed) on a free port, signs an owner in, and measures the
 * console's list calls over HTTP with autocannon in a separate process, against a GET /api/health
 * baseline taken in the same run. Then times the same calls in-process through createCaller, so the
 * query cost is visible apart from HTTP, checks the audit query plans, and times the access-token
 * check (revocation lookup and full verification) against a `select 1` baseline. Prints tables and
 * writes bench/results.json.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { cpus, tmpdir } from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { desc, eq, sql } from "drizzle-orm";
import superjson from "superjson";
import { createDatabase, type Database } from "@/db/client";
import { signInEnrolled } from "@/server/testing/enrol-over-http";
import { auditEvent, domain, roleAssignment } from "@/db/schema";
import { openAuth, type Auth } from "@/server/auth/auth";
import { parseEnv } from "@/server/env";
import { createTRPCContext } from "@/server/trpc/context";
import { createCaller } from "@/server/trpc/root";
import { countRows, type SeedCounts } from "@/scripts/seed-large";
import { checkAuditPlans, type PlanCheck } from "./audit-plans";
import { percentile, type LoadConfig, type LoadResult } from "./load";
import { issueUserToken, mcpLoadConfigs, refreshGrantBodies, withRatios } from "./mcp";
import { measureTokenChecks } from "./token-checks";

const RESERVED_PORTS = new Set([3000, 3100]);
const OWNER_EMAIL = "bench-owner@seed.example";
const OWNER_PASSWORD = "bench-owner-password-2026";
const TSX = path.join("node_modules", ".bin", "tsx");
const SERVER_READY_TIMEOUT_MS = 20 * 60 * 1000;
const IN_PROCESS_RUNS = 200;
const QUICK_IN_PROCESS_RUNS = 30;
const DAY_MS = 86_400_000;

interface Scenario {
  name: string;
  /** A tRPC procedure path, or undefined for the health baseline. */
  procedure?: string;
  input?: Record<string, unknown>;
  /** Several procedures in one batched request, as a page loads them (the dashboard). */
  batch?: { procedure: string; input: Record<string, unknown> }[];
  /** Kept in a --quick run too. */
  quick?: boolean;
}

/** The reads the console's home page makes on its first load, for a caller who may read every section. */
const DASHBOARD_PAGE = [
  { procedure: "dashboard.activity", input: { range: "24h" } },
  { procedure: "dashboard.securityEvents", input: {} },
  { procedure: "dashboard.access", input: {} },
  { procedure: "dashboard.mfaCoverage", input: {} },
  { procedure: "dashboard.registeredClients", input: {} },
];

interface ScenarioResult extends Scenario {
  http?: LoadResult;
  /** Set when the call did not answer 200 before the load run, e.g. a procedure not built yet. */
  unavailable?: string;
  inProcess?: { p50: number; p95: number; runs: number };
}

function log(line: string) {
  console.info(line);
}

/** A port the OS says is free, never one a developer or the Playwright run is likely to hold. */
async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(0, "127.0.0.1", () => {
        const address = server.address();
        server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
      });
    });
    if (port > 0 && !RESERVED_PORTS.has(port)) return port;
  }
}

function runToEnd(command: string, args: string[], env: NodeJS.ProcessEnv, output: (line: string) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      for (const line of chunk.toString().split("\n")) if (line.trim()) output(line);
    });
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0 ? resolve(stdout) : reject(new Error(`${command} ${args.join(" ")} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

class Server {
  private exited: string | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
    readonly logFile: string,
  ) {
    child.on("exit", (code, signal) => (this.exited = `exited with ${code ?? signal}`));
  }

  /** Starts scripts/start.ts (migrate, bootstrap the owner, build when stale, next start) in its own process group. */
  static start(env: NodeJS.ProcessEnv, port: number, logFile: string): Server {
    const logStream = createWriteStream(logFile);
    const child = spawn(TSX, ["scripts/start.ts"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(logStream);
    child.stderr?.pipe(logStream);
    return new Server(child, `http://localhost:${port}`, logFile);
  }

  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the server ${this.exited}; see ${this.logFile}:\n${readFileSync(this.logFile, "utf8").slice(-3000)}`);
      try {
        const response = await fetch(`${this.origin}/api/health`);
        if (response.ok) return;
      } catch {
        // Not listening yet (still building or starting).
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`the server did not answer /api/health within ${SERVER_READY_TIMEOUT_MS / 60_000} minutes; see ${this.logFile}`);
  }

  /**
   * The largest peak resident set (VmHWM) among the group's processes, which is the Next.js server's;
   * read before stopping, while the processes still exist.
   */
  peakRssMb(): number | null {
    if (this.exited || this.child.pid === undefined) return null;
    let pids: string[];
    try {
      pids = execFileSync("pgrep", ["-g", String(this.child.pid)], { encoding: "utf8" }).split("\n").filter(Boolean);
    } catch {
      return null;
    }
    let peakKb = 0;
    for (const pid of pids) {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // Gone since pgrep listed it.
      }
    }
    return peakKb > 0 ? peakKb / 1024 : null;
  }

  /** Ends the whole process group: tsx, npx and next. */
  async stop(): Promise<void> {
    if (this.exited || this.child.pid === undefined) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    try {
      process.kill(-this.child.pid, "SIGTERM");
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (!this.exited && this.child.pid !== undefined) process.kill(-this.child.pid, "SIGKILL");
    }, 10_000);
    await exited;
    clearTimeout(timer);
  }
}


type Procedure = (input: unknown) => Promise<unknown>;

/** Procedures by path, so the scenario list stays data and does not depend on other routers' types. */
function procedureAt(caller: ReturnType<typeof createCaller>, procedurePath: string): Procedure {
  let current: unknown = caller;
  for (const part of procedurePath.split(".")) current = (current as Record<string, unknown>)[part];
  return current as Procedure;
}

function nextCursorOf(result: unknown): string | undefined {
  const cursor = (result as { nextCursor?: unknown } | null)?.nextCursor;
  return typeof cursor === "string" ? cursor : undefined;
}

async function cursorAfterPages(call: Procedure, input: Record<string, unknown>, pages: number): Promise<string | undefined> {
  let cursor: string | undefined;
  for (let page = 0; page < pages; page += 1) {
    cursor = nextCursorOf(await call({ ...input, cursor }));
    if (!cursor) return undefined;
  }
  return cursor;
}

async function tryCursor(call: Procedure, input: Record<string, unknown>, pages: number): Promise<string | undefined> {
  try {
    return await cursorAfterPages(call, input, pages);
  } catch {
    return undefined;
  }
}

async function buildScenarios(db: Database, caller: ReturnType<typeof createCaller>): Promise<Scenario[]> {
  const [largestDomain] = await db
    .select({ id: roleAssignment.domainId, members: sql<number>`count(*)` })
    .from(roleAssignment)
    .where(sql`${roleAssignment.domainId} IS NOT NULL`)
    .groupBy(roleAssignment.domainId)
    .orderBy(desc(sql`count(*)`))
    .limit(1);
  const domainId = largestDomain?.id ?? (await db.select({ id: domain.id }).from(domain).limit(1))[0]?.id ?? "none";
  const [busyActor] = await db
    .select({ actorUserId: auditEvent.actorUserId })
    .from(auditEvent)
    .where(eq(auditEvent.action, "role.assigned"))
    .orderBy(desc(auditEvent.at))
    .limit(1);
  const [newest] = await db.select({ at: sql<number>`max(${auditEvent.at})` }).from(auditEvent);
  const end = newest?.at ?? Date.now();

  const usersLater = await tryCursor(procedureAt(caller, "users.list"), {}, 10);
  const auditLater = await tryCursor(procedureAt(caller, "audit.list"), {}, 20);
  return [
    { name: "baseline GET /api/health" },
    { name: "users.list first page", procedure: "users.list", input: {} },
    { name: "users.list search", procedure: "users.list", input: { search: "lovelace" } },
    { name: "users.list domain filter", procedure: "users.list", input: { domainId } },
    { name: "users.list role filter", procedure: "users.list", input: { roleId: "role_domain_admin" } },
    { name: "users.list page 11 (cursor)", procedure: "users.list", input: usersLater ? { cursor: usersLater } : {} },
    { name: "audit.list first page", procedure: "audit.list", input: {} },
    { name: "audit.list action prefix role.", procedure: "audit.list", input: { action: "role." } },
    { name: "audit.list actor", procedure: "audit.list", input: { actorUserId: busyActor?.actorUserId ?? "none" } },
    { name: "audit.list domain", procedure: "audit.list", input: { domainId } },
    { name: "audit.list time range (7 days)", procedure: "audit.list", input: { from: new Date(end - 37 * DAY_MS), to: new Date(end - 30 * DAY_MS) } },
    { name: "audit.list page 21 (cursor)", procedure: "audit.list", input: auditLater ? { cursor: auditLater } : {} },
    { name: "dashboard page (5 reads, one batch)", batch: DASHBOARD_PAGE, quick: true },
    { name: "dashboard.activity 24h", procedure: "dashboard.activity", input: { range: "24h" } },
    { name: "dashboard.activity 30d", procedure: "dashboard.activity", input: { range: "30d" }, quick: true },
    { name: "dashboard.securityEvents", procedure: "dashboard.securityEvents", input: {} },
    { name: "dashboard.access", procedure: "dashboard.access", input: {} },
    { name: "dashboard.mfaCoverage", procedure: "dashboard.mfaCoverage", input: {} },
    { name: "dashboard.registeredClients", procedure: "dashboard.registeredClients", input: {} },
  ];
}

function scenarioUrl(origin: string, scenario: Scenario): string {
  if (scenario.batch) {
    const inputs = Object.fromEntries(scenario.batch.map((call, index) => [index, superjson.serialize(call.input)]));
    return `${origin}/api/trpc/${scenario.batch.map((call) => call.procedure).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  }
  if (!scenario.procedure) return `${origin}/api/health`;
  return `${origin}/api/trpc/${scenario.procedure}?input=${encodeURIComponent(JSON.stringify(superjson.serialize(scenario.input ?? {})))}`;
}

/** The config goes through a file: thousands of refresh-grant bodies are too long for a command line. */
async function loadTest(config: LoadConfig): Promise<LoadResult> {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-load-"));
  const configFile = path.join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(config));
  try {
    const stdout = await runToEnd(TSX, ["bench/load.ts", configFile], process.env, () => undefined);
    return JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}") as LoadResult;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timeInProcess(call: Procedure, input: unknown, runs: number): Promise<{ p50: number; p95: number; runs: number }> {
  for (let warmup = 0; warmup < Math.min(20, runs); warmup += 1) await call(input);
  const durations: number[] = [];
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    await call(input);
    durations.push(performance.now() - started);
  }
  durations.sort((a, b) => a - b);
  return { p50: percentile(durations, 0.5), p95: percentile(durations, 0.95), runs };
}

function formatMs(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? "-" : value.toFixed(value < 10 ? 2 : 1);
}

function printTable(results: ScenarioResult[], baselineP50: number) {
  const header = ["scenario", "req/s", "p50 ms", "p95 ms", "p99 ms", "p50 ×base", "query p50", "query p95", "non-2xx"];
  const rows = results.map((result) => [
    result.name,
    result.http ? result.http.requestsPerSecond.toFixed(0) : "-",
    formatMs(result.http?.p50),
    formatMs(result.http?.p95),
    formatMs(result.http?.p99),
    result.http ? (result.http.p50 / baselineP50).toFixed(1) : "-",
    formatMs(result.inProcess?.p50),
    formatMs(result.inProcess?.p95),
    result.unavailable ?? String(result.http ? result.http.non2xx + result.http.errors : "-"),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  log(line(header));
  log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) log(line(row));
}

/** A member without a second factor, so that a sign-in is exactly one password check and one new session. */
async function benchMember(origin: string) {
  const member = { name: "Bench Member", email: "bench-member@seed.example", password: "bench-member-password-2026" };
  const response = await fetch(`${origin}/api/auth/sign-up/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify(member),
  });
  if (!response.ok) throw new Error(`bench member sign-up failed: ${response.status} ${await response.text()}`);
  return { email: member.email, password: member.password };
}

interface SummaryRow {
  name: string;
  http: LoadResult | undefined;
}

/** One line per surface the issue names, each against the bare route measured in the same run. */
function printSummary(rows: SummaryRow[], baseline: LoadResult | undefined) {
  const header = ["", "req/s", "p50 ms", "p99 ms", "p50 ×base", "req/s ×base", "non-2xx"];
  const cells = rows.map(({ name, http }) => [
    name,
    http ? http.requestsPerSecond.toFixed(0) : "-",
    formatMs(http?.p50),
    formatMs(http?.p99),
    http && baseline ? (http.p50 / baseline.p50).toFixed(1) : "-",
    http && baseline ? (http.requestsPerSecond / baseline.requestsPerSecond).toFixed(2) : "-",
    http ? String(http.non2xx + http.errors) : "-",
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...cells.map((row) => row[column]!.length)));
  const line = (row: string[]) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  log(line(header));
  log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of cells) log(line(row));
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      connections: { type: "string", default: "10" },
      keep: { type: "boolean", default: false },
    },
  });
  const startedAt = performance.now();
  const quick = values.quick ?? false;
  const users = quick ? 10_000 : 100_000;
  const events = quick ? 100_000 : 1_000_000;
  const durationSeconds = Number(values.duration ?? (quick ? 2 : 10));
  const connections = Number(values.connections);

  const workDir = mkdtempSync(path.join(tmpdir(), "gatehouse-bench-"));
  const databaseUrl = `file:${path.join(workDir, "bench.db")}`;
  const port = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(port),
    PUBLIC_URL: `http://localhost:${port}`,
    DATABASE_URL: databaseUrl,
    GATEHOUSE_DATA_DIR: workDir,
    GATEHOUSE_ADMIN_EMAIL: OWNER_EMAIL,
    GATEHOUSE_ADMIN_PASSWORD: OWNER_PASSWORD,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  let server: Server | undefined;
  const stop = async () => {
    await server?.stop();
    if (!values.keep) rmSync(workDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));

  try {
    log(`Seeding ${users.toLocaleString("en")} users and ${events.toLocaleString("en")} audit events into ${workDir}…`);
    await runToEnd(TSX, ["scripts/seed-large.ts", "--users", String(users), "--events", String(events)], env, (line) => log(`  ${line.trim()}`));

    log(`Starting the production server on port ${port} (builds first if the sources changed; log: ${path.join(workDir, "server.log")})…`);
    server = Server.start(env, port, path.join(workDir, "server.log"));
    await server.waitUntilReady();
    const cookie = await signInEnrolled(server.origin, { email: OWNER_EMAIL, password: OWNER_PASSWORD });

    const serverEnv = parseEnv(env);
    const { db, client } = createDatabase(databaseUrl);
    const auth: Auth = await openAuth({ db, publicUrl: serverEnv.publicUrl, secret: serverEnv.authSecret, signup: serverEnv.signup, oauth: serverEnv.oauth });
    const context = await createTRPCContext({ db, auth, headers: new Headers({ cookie }) });
    const caller = createCaller(context);
    const dataset: SeedCounts = await countRows(db);
    // A smoke run keeps the rows of the summary; the filter combinations are for full runs.
    const scenarios = (await buildScenarios(db, caller)).filter(
      (scenario) => !quick || (!scenario.procedure && !scenario.batch) || scenario.quick || scenario.name.endsWith("first page"),
    );

    const results: ScenarioResult[] = [];
    for (const scenario of scenarios) {
      const url = scenarioUrl(server.origin, scenario);
      const probe = await fetch(url, { headers: { cookie } });
      await probe.arrayBuffer();
      if (!probe.ok) {
        results.push({ ...scenario, unavailable: `HTTP ${probe.status}` });
        log(`  ${scenario.name}: skipped, the call answers ${probe.status}`);
        continue;
      }
      log(`  ${scenario.name}: ${durationSeconds} s × ${connections} connections…`);
      const http = await loadTest({ url, headers: { cookie }, connections, durationSeconds });
      results.push({ ...scenario, http });
    }
    const ledgerRows = quick ? 10_000 : 100_000;
    log(`Timing access-token checks in-process against a ledger of ${ledgerRows.toLocaleString("en")} tokens…`);
    const tokenChecks = await measureTokenChecks(db, {
      origin: server.origin,
      publicUrl: serverEnv.publicUrl,
      ownerId: context.user!.id,
      ledgerRows,
    });
    log("Loading the MCP endpoint…");
    const accessToken = await issueUserToken(db, { origin: server.origin, publicUrl: serverEnv.publicUrl, ownerId: context.user!.id, cookie });
    const mcpRuns: { name: string; http: LoadResult }[] = [];
    for (const { name, config } of mcpLoadConfigs(server.origin, accessToken, { connections, durationSeconds })) {
      log(`  ${name}: ${durationSeconds} s × ${connections} connections…`);
      mcpRuns.push({ name, http: await loadTest(config) });
    }
    const mcp = withRatios(mcpRuns);

    const refreshGrants = quick ? 100 : 2000;
    log(`Issuing ${refreshGrants} refresh tokens, then redeeming each once at the token endpoint…`);
    const refreshBodies = await refreshGrantBodies(db, { origin: server.origin, publicUrl: serverEnv.publicUrl, ownerId: context.user!.id, cookie }, refreshGrants);
    const refresh = await loadTest({
      url: `${server.origin}/api/auth/oauth2/token`,
      method: "POST",
      bodies: refreshBodies,
      spreadClientIps: true,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      connections,
      durationSeconds,
    });
    log(`  sign-in (password hashing): ${durationSeconds} s × ${connections} connections…`);
    const signIn = await loadTest({
      url: `${server.origin}/api/auth/sign-in/email`,
      method: "POST",
      body: JSON.stringify(await benchMember(server.origin)),
      spreadClientIps: true,
      headers: { "content-type": "application/json", origin: server.origin },
      connections,
      durationSeconds,
    });
    const peakRssMb = server.peakRssMb();
    await server.stop();

    const inProcessRuns = quick ? QUICK_IN_PROCESS_RUNS : IN_PROCESS_RUNS;
    log(`Timing the same calls in-process (${inProcessRuns} runs each)…`);
    for (const result of results) {
      if (result.unavailable) continue;
      const batch = result.batch;
      if (batch) {
        const calls = batch.map((call) => procedureAt(caller, call.procedure));
        result.inProcess = await timeInProcess(() => Promise.all(calls.map((call, index) => call(batch[index]!.input))), undefined, inProcessRuns);
        continue;
      }
      if (!result.procedure) continue;
      result.inProcess = await timeInProcess(procedureAt(caller, result.procedure), result.input ?? {}, inProcessRuns);
    }
    log("Checking audit.list query plans…");
    const plans: PlanCheck[] = await checkAuditPlans(db);
    client.close();

    const baseline = results[0]?.http;
    const baselineP50 = baseline?.p50 ?? Number.NaN;
    const byName = (name: string) => results.find((result) => result.name === name)?.http;
    const summary: SummaryRow[] = [
      { name: "bare public route GET /api/health (baseline)", http: baseline },
      { name: "/mcp tools/list", http: mcp.find((run) => run.name.includes("tools/list"))?.http },
      { name: "/mcp tools/call whoami", http: mcp.find((run) => run.name.includes("whoami"))?.http },
      { name: "token endpoint, refresh grant", http: refresh },
      { name: "/api/trpc users.list", http: byName("users.list first page") },
      { name: "/api/trpc audit.list", http: byName("audit.list first page") },
      { name: "/api/trpc dashboard page (5 reads, batched)", http: byName("dashboard page (5 reads, one batch)") },
      { name: "sign-in (scrypt, slow on purpose)", http: signIn },
    ];
    log("");
    log(`Summary (${dataset.users.toLocaleString("en")} users, ${dataset.auditEvents.toLocaleString("en")} audit events; ratios against the baseline in this run); server peak RSS ${peakRssMb === null ? "unknown" : `${peakRssMb.toFixed(0)} MB`}:`);
    printSummary(summary, baseline);
    log("");
    log(`Gatehouse bench: ${dataset.users.toLocaleString("en")} users, ${dataset.auditEvents.toLocaleString("en")} audit events; ${connections} connections, ${durationSeconds} s per scenario; ${cpus().length} CPUs, Node ${process.version}`);
    printTable(results, baselineP50);
    const sorting = plans.filter((plan) => plan.sorts);
    const slowest = [...plans].sort((a, b) => b.firstPageMs - a.firstPageMs)[0];
    log("");
    log(`audit.list plans: ${plans.length} filter combinations, ${sorting.length} with a temp B-tree; slowest first page ${formatMs(slowest?.firstPageMs)} ms (${slowest?.label}).`);
    log("");
    log("MCP endpoint (ratios against (a), the bare public route, in the same run):");
    for (const run of mcp) {
      log(
        `  ${run.name.padEnd(34)} ${run.http.requestsPerSecond.toFixed(0).padStart(6)} req/s  p50 ${formatMs(run.http.p50).padStart(6)} ms  p99 ${formatMs(run.http.p99).padStart(6)} ms  throughput ×${run.throughputRatioToBare.toFixed(2)}  p50 ×${run.p50RatioToBare.toFixed(1)}  non-2xx ${run.http.non2xx + run.http.errors}`,
      );
    }
    log("");
    log(`Access-token checks, in-process, ${tokenChecks.ledgerRows.toLocaleString("en")} tokens in the ledger:`);
    for (const check of tokenChecks.results) {
      log(`  ${check.name.padEnd(52)} p50 ${check.p50Us.toFixed(0).padStart(5)} µs  p95 ${check.p95Us.toFixed(0).padStart(5)} µs  ×base ${check.ratioToBaselineP50.toFixed(1)}`);
    }

    const output = {
      startedAt: new Date().toISOString(),
      quick,
      machine: { cpus: cpus().length, node: process.version },
      load: { connections, durationSeconds },
      dataset,
      baselineP50,
      peakRssMb,
      summary: summary.map(({ name, http }) => ({
        name,
        requestsPerSecond: http?.requestsPerSecond ?? null,
        p50: http?.p50 ?? null,
        p99: http?.p99 ?? null,
        p50RatioToBaseline: http && baseline ? http.p50 / baseline.p50 : null,
        throughputRatioToBaseline: http && baseline ? http.requestsPerSecond / baseline.requestsPerSecond : null,
        non2xx: http ? http.non2xx + http.errors : null,
      })),
      scenarios: results.map((result) => ({
        ...result,
        ratioToBaselineP50: result.http ? result.http.p50 / baselineP50 : null,
      })),
      auditPlans: plans,
      tokenChecks,
      mcp,
    };
    writeFileSync(path.join("bench", "results.json"), `${JSON.stringify(output, null, 2)}\n`);
    log(`Wrote bench/results.json (${((performance.now() - startedAt) / 1000).toFixed(0)} s in all).`);
  } finally {
    await stop();
  }
}

main().catch((error: unknown) => {
  console.error(`Bench failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
