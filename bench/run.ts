/**
 * `npm run bench [-- --quick] [--duration S] [--connections N] [--rounds N] [--keep]`: seeds a fresh
 * temporary database with scripts/seed-large.ts, serves it as a user does (`npm start`, which runs
 * scripts/start.mjs: setup in a child, then next start in its own process) on a free port, signs an
 * owner in, and measures the console's list calls over HTTP with autocannon in a separate process,
 * against a GET /api/health baseline taken in the same run. Beside Gatehouse it starts two processes
 * of its own: a bare node:http handler that gives /api/health's answer (what the Next.js pipeline
 * costs), and oidc-provider as a peer (bench/peer/server.ts), which gets the same refresh-grant and
 * introspection load in alternating rounds. Every load run reports the server's CPU time per
 * request, read from /proc over the server's whole process group; the summed resident memory of each
 * group is sampled every 500 ms throughout. Then times the same calls in-process through
 * createCaller, so the query cost is visible apart from HTTP, checks the audit query plans, and times
 * the access-token check against a `select 1` baseline. Prints tables and writes bench/results.json.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
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
import { introspectionRequest, issueUserToken, mcpLoadConfigs, refreshGrantBodies, withRatios } from "./mcp";
import { PeerFlow, peerConfidentialBasic } from "./peer/flow";
import { clockTicksPerSecond, groupCpuSeconds, RssSampler, type GroupRssPeak } from "./proc";
import { measureTokenChecks } from "./token-checks";

const RESERVED_PORTS = new Set([3000, 3100]);
const OWNER_EMAIL = "bench-owner@seed.example";
const OWNER_PASSWORD = "bench-owner-password-2026";
const TSX = path.join("node_modules", ".bin", "tsx");
const SERVER_READY_TIMEOUT_MS = 20 * 60 * 1000;
const IN_PROCESS_RUNS = 200;
const QUICK_IN_PROCESS_RUNS = 30;
const DAY_MS = 86_400_000;
/** Refresh tokens each side redeems per round; every token is used once. */
const REFRESH_GRANTS_PER_ROUND = 400;
const QUICK_REFRESH_GRANTS_PER_ROUND = 100;

interface Scenario {
  name: string;
  /** A tRPC procedure path, or undefined for the health baseline and the other plain GETs. */
  procedure?: string;
  /** A plain GET of this path instead of a tRPC call; on the bare handler's origin when `bare` is set. */
  path?: string;
  bare?: boolean;
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

const benchStarted = performance.now();

/** A step of the run, with the time since the start, so a slow step of a full run shows itself. */
function phase(line: string) {
  log(`[${((performance.now() - benchStarted) / 1000).toFixed(0).padStart(4)} s] ${line}`);
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

/** A server the bench starts as the leader of its own process group, so the group is all it left running. */
class Server {
  private exited: string | undefined;

  constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
    readonly logFile: string,
    private readonly readyPath: string,
  ) {
    child.on("exit", (code, signal) => (this.exited = `exited with ${code ?? signal}`));
  }

  static start(command: string, args: string[], env: NodeJS.ProcessEnv, origin: string, logFile: string, readyPath: string): Server {
    const logStream = createWriteStream(logFile);
    const child = spawn(command, args, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    child.stdout?.pipe(logStream);
    child.stderr?.pipe(logStream);
    return new Server(child, origin, logFile, readyPath);
  }

  /** The process group: the child leads it (detached), and everything it starts stays in it. */
  get group(): number {
    if (this.child.pid === undefined) throw new Error(`the server process did not start; see ${this.logFile}`);
    return this.child.pid;
  }

  async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + SERVER_READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (this.exited) throw new Error(`the server ${this.exited}; see ${this.logFile}:\n${readFileSync(this.logFile, "utf8").slice(-3000)}`);
      try {
        const response = await fetch(`${this.origin}${this.readyPath}`);
        if (response.ok) return;
      } catch {
        // Not listening yet (still building or starting).
      }
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    throw new Error(`the server did not answer ${this.readyPath} within ${SERVER_READY_TIMEOUT_MS / 60_000} minutes; see ${this.logFile}`);
  }

  /** Ends the whole process group (for Gatehouse: npm, sh and scripts/start.mjs serving Next.js). */
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

/**
 * The smallest of the build's JavaScript chunks: a file Next.js serves from /_next/static without the
 * proxy or a route handler, so its cost is the server's request handling alone.
 */
function smallStaticChunk(): string | undefined {
  const dir = path.join(".next", "static", "chunks");
  try {
    const files = readdirSync(dir).filter((name) => name.endsWith(".js"));
    const smallest = files.map((name) => ({ name, size: statSync(path.join(dir, name)).size })).sort((a, b) => a.size - b.size)[0];
    return smallest ? `/_next/static/chunks/${smallest.name}` : undefined;
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
    { name: "bare node:http, same answer as /api/health", path: "/api/health", bare: true },
    { name: "Next static file (no proxy, no route)", path: smallStaticChunk() ?? "/_next/static/missing.js" },
    { name: "GET /icon.svg (proxy + static route)", path: "/icon.svg" },
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

function scenarioUrl(origins: { gatehouse: string; bare: string }, scenario: Scenario): string {
  const origin = origins.gatehouse;
  if (scenario.batch) {
    const inputs = Object.fromEntries(scenario.batch.map((call, index) => [index, superjson.serialize(call.input)]));
    return `${origin}/api/trpc/${scenario.batch.map((call) => call.procedure).join(",")}?batch=1&input=${encodeURIComponent(JSON.stringify(inputs))}`;
  }
  if (scenario.path) return `${scenario.bare ? origins.bare : origin}${scenario.path}`;
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

/**
 * A load run with the CPU time the serving process group used during it. The load generator and the
 * bench itself are other processes, so only the server's own work is counted.
 */
async function measuredLoad(server: Server, config: LoadConfig): Promise<LoadResult> {
  const before = groupCpuSeconds(server.group);
  const result = await loadTest(config);
  const cpuSeconds = groupCpuSeconds(server.group) - before;
  return { ...result, serverCpuMsPerRequest: result.requests > 0 ? (cpuSeconds * 1000) / result.requests : Number.NaN };
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

function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : `${value.toFixed(2)}x`;
}

function printColumns(header: string[], rows: string[][]) {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join("  ");
  log(line(header));
  log(widths.map((width) => "-".repeat(width)).join("  "));
  for (const row of rows) log(line(row));
}

function printTable(results: ScenarioResult[], baselineP50: number) {
  const header = ["scenario", "req/s", "CPU ms/req", "p50 ms", "p95 ms", "p99 ms", "p50 ×base", "query p50", "query p95", "non-2xx"];
  printColumns(
    header,
    results.map((result) => [
      result.name,
      result.http ? result.http.requestsPerSecond.toFixed(0) : "-",
      formatMs(result.http?.serverCpuMsPerRequest),
      formatMs(result.http?.p50),
      formatMs(result.http?.p95),
      formatMs(result.http?.p99),
      result.http ? (result.http.p50 / baselineP50).toFixed(1) : "-",
      formatMs(result.inProcess?.p50),
      formatMs(result.inProcess?.p95),
      result.unavailable ?? String(result.http ? result.http.non2xx + result.http.errors : "-"),
    ]),
  );
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
  printColumns(
    ["", "req/s", "CPU ms/req", "p50 ms", "p99 ms", "p50 ×base", "req/s ×base", "non-2xx"],
    rows.map(({ name, http }) => [
      name,
      http ? http.requestsPerSecond.toFixed(0) : "-",
      formatMs(http?.serverCpuMsPerRequest),
      formatMs(http?.p50),
      formatMs(http?.p99),
      http && baseline ? (http.p50 / baseline.p50).toFixed(1) : "-",
      http && baseline ? (http.requestsPerSecond / baseline.requestsPerSecond).toFixed(2) : "-",
      http ? String(http.non2xx + http.errors) : "-",
    ]),
  );
}

function median(values: number[]): number {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** The medians over a scenario's rounds, so one round disturbed by the rest of the machine does not decide. */
interface SideFigures {
  requestsPerSecond: number;
  serverCpuMsPerRequest: number;
  p50: number;
  p99: number;
  failures: number;
  rounds: LoadResult[];
}

function sideFigures(rounds: LoadResult[]): SideFigures {
  return {
    requestsPerSecond: median(rounds.map((round) => round.requestsPerSecond)),
    serverCpuMsPerRequest: median(rounds.map((round) => round.serverCpuMsPerRequest ?? Number.NaN)),
    p50: median(rounds.map((round) => round.p50)),
    p99: median(rounds.map((round) => round.p99)),
    failures: rounds.reduce((sum, round) => sum + round.non2xx + round.errors, 0),
    rounds,
  };
}

interface PeerComparison {
  name: string;
  gatehouse: SideFigures;
  peer: SideFigures;
  /** Gatehouse ÷ peer in requests per second: above 1 Gatehouse serves more. */
  throughputRatio: number;
  /** Gatehouse ÷ peer in CPU per request: above 1 Gatehouse spends more per request. */
  cpuRatio: number;
}

function compare(name: string, gatehouse: LoadResult[], peer: LoadResult[]): PeerComparison {
  const ours = sideFigures(gatehouse);
  const theirs = sideFigures(peer);
  return {
    name,
    gatehouse: ours,
    peer: theirs,
    throughputRatio: ours.requestsPerSecond / theirs.requestsPerSecond,
    cpuRatio: ours.serverCpuMsPerRequest / theirs.serverCpuMsPerRequest,
  };
}

function printComparisons(comparisons: PeerComparison[]) {
  printColumns(
    ["", "Gatehouse req/s", "CPU ms/req", "p50 ms", "peer req/s", "CPU ms/req", "p50 ms", "Gatehouse ÷ peer, req/s", "÷ peer, CPU/req", "non-2xx G/P"],
    comparisons.map((row) => [
      row.name,
      row.gatehouse.requestsPerSecond.toFixed(0),
      formatMs(row.gatehouse.serverCpuMsPerRequest),
      formatMs(row.gatehouse.p50),
      row.peer.requestsPerSecond.toFixed(0),
      formatMs(row.peer.serverCpuMsPerRequest),
      formatMs(row.peer.p50),
      formatRatio(row.throughputRatio),
      formatRatio(row.cpuRatio),
      `${row.gatehouse.failures}/${row.peer.failures}`,
    ]),
  );
}

function machine() {
  const model = /^model name\s*:\s*(.+)$/m.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpus()[0]?.model ?? "unknown";
  return { cpus: cpus().length, model, node: process.version, clockTicksPerSecond: clockTicksPerSecond() };
}

function describeRss(label: string, peak: GroupRssPeak | null): string {
  if (!peak) return `${label}: not sampled`;
  const parts = [...peak.processes].sort((a, b) => b.rssMb - a.rssMb).map((entry) => `${entry.command} ${entry.rssMb.toFixed(0)}`);
  return `${label}: ${peak.peakMb.toFixed(0)} MB (${parts.join(" + ")}; ${peak.samples} samples)`;
}

async function main() {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      duration: { type: "string" },
      connections: { type: "string", default: "10" },
      rounds: { type: "string" },
      keep: { type: "boolean", default: false },
    },
  });
  const startedAt = performance.now();
  const quick = values.quick ?? false;
  const users = quick ? 10_000 : 100_000;
  const events = quick ? 100_000 : 1_000_000;
  const durationSeconds = Number(values.duration ?? (quick ? 2 : 8));
  const connections = Number(values.connections);
  const rounds = Number(values.rounds ?? (quick ? 1 : 3));
  const refreshPerRound = quick ? QUICK_REFRESH_GRANTS_PER_ROUND : REFRESH_GRANTS_PER_ROUND;
  const host = machine();

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
  const servers: Server[] = [];
  const rss = new RssSampler(500);
  const stop = async () => {
    rss.stop();
    await Promise.all(servers.map((server) => server.stop()));
    if (!values.keep) rmSync(workDir, { recursive: true, force: true });
  };
  process.once("SIGINT", () => void stop().then(() => process.exit(130)));

  try {
    log(`Machine: ${host.cpus} CPUs (${host.model}), Node ${host.node}.`);
    phase(`Seeding ${users.toLocaleString("en")} users and ${events.toLocaleString("en")} audit events into ${workDir}…`);
    const seedStarted = performance.now();
    await runToEnd(TSX, ["scripts/seed-large.ts", "--users", String(users), "--events", String(events)], env, (line) => log(`  ${line.trim()}`));
    const seedingSeconds = (performance.now() - seedStarted) / 1000;
    log(`  seeded in ${seedingSeconds.toFixed(0)} s`);

    phase(`Starting Gatehouse with npm start on port ${port} (builds first if the sources changed; log: ${path.join(workDir, "server.log")})…`);
    const server = Server.start("npm", ["start"], env, `http://localhost:${port}`, path.join(workDir, "server.log"), "/api/health");
    servers.push(server);
    const barePort = await freePort();
    const bare = Server.start(
      process.execPath,
      ["--import", "tsx", "bench/bare-health.ts"],
      { ...process.env, BARE_PORT: String(barePort), BARE_DATABASE_URL: databaseUrl },
      `http://127.0.0.1:${barePort}`,
      path.join(workDir, "bare.log"),
      "/api/health",
    );
    servers.push(bare);
    const peerPort = await freePort();
    const peer = Server.start(
      process.execPath,
      ["--import", "tsx", "bench/peer/server.ts"],
      { ...process.env, PEER_PORT: String(peerPort), PEER_DATABASE: path.join(workDir, "peer.db") },
      `http://127.0.0.1:${peerPort}`,
      path.join(workDir, "peer.log"),
      "/.well-known/openid-configuration",
    );
    servers.push(peer);
    await Promise.all([server.waitUntilReady(), bare.waitUntilReady(), peer.waitUntilReady()]);
    // From here on, every process each server left running is sampled; the build (if any) is over.
    for (const each of servers) rss.watch(each.group);
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
      const url = scenarioUrl({ gatehouse: server.origin, bare: bare.origin }, scenario);
      const probe = await fetch(url, { headers: { cookie } });
      await probe.arrayBuffer();
      if (!probe.ok) {
        results.push({ ...scenario, unavailable: `HTTP ${probe.status}` });
        log(`  ${scenario.name}: skipped, the call answers ${probe.status}`);
        continue;
      }
      log(`  ${scenario.name}: ${durationSeconds} s × ${connections} connections…`);
      const http = await measuredLoad(scenario.bare ? bare : server, { url, headers: { cookie }, connections, durationSeconds });
      results.push({ ...scenario, http });
    }
    const ledgerRows = quick ? 10_000 : 100_000;
    phase(`Timing access-token checks in-process against a ledger of ${ledgerRows.toLocaleString("en")} tokens…`);
    const tokenChecks = await measureTokenChecks(db, {
      origin: server.origin,
      publicUrl: serverEnv.publicUrl,
      ownerId: context.user!.id,
      ledgerRows,
    });
    phase("Loading the MCP endpoint…");
    const tokenOptions = { origin: server.origin, publicUrl: serverEnv.publicUrl, ownerId: context.user!.id, cookie };
    const accessToken = await issueUserToken(db, tokenOptions);
    const mcpRuns: { name: string; http: LoadResult }[] = [];
    for (const { name, config } of mcpLoadConfigs(server.origin, accessToken, { connections, durationSeconds })) {
      log(`  ${name}: ${durationSeconds} s × ${connections} connections…`);
      mcpRuns.push({ name, http: await measuredLoad(server, config) });
    }
    const mcp = withRatios(mcpRuns);

    phase(`Issuing ${rounds} × ${refreshPerRound} refresh tokens at Gatehouse and at the peer through their authorization-code flows…`);
    const issueStarted = performance.now();
    const gatehouseBodies = await refreshGrantBodies(db, tokenOptions, rounds * refreshPerRound);
    const gatehouseIssueSeconds = (performance.now() - issueStarted) / 1000;
    const peerFlow = new PeerFlow(peer.origin);
    const peerBodies = await peerFlow.refreshGrantBodies(rounds * refreshPerRound);
    const peerIssueSeconds = (performance.now() - issueStarted) / 1000 - gatehouseIssueSeconds;
    log(`  Gatehouse ${gatehouseIssueSeconds.toFixed(0)} s, peer ${peerIssueSeconds.toFixed(0)} s`);
    const gatehouseIntrospection = await introspectionRequest(db, tokenOptions);
    const peerIntrospectionBody = new URLSearchParams({ token: (await peerFlow.tokens(true)).accessToken, token_type_hint: "access_token" }).toString();
    const introspectionProbes = [
      { who: "Gatehouse", url: `${server.origin}/api/auth/oauth2/introspect`, authorization: gatehouseIntrospection.authorization, body: gatehouseIntrospection.body },
      { who: "The peer", url: `${peer.origin}/token/introspection`, authorization: peerConfidentialBasic, body: peerIntrospectionBody },
    ];
    for (const probe of introspectionProbes) {
      const answer = await fetch(probe.url, { method: "POST", headers: { authorization: probe.authorization, "content-type": "application/x-www-form-urlencoded" }, body: probe.body });
      const introspected = (await answer.json()) as { active?: boolean };
      if (introspected.active !== true) throw new Error(`${probe.who}'s introspection of its own token answered ${answer.status} ${JSON.stringify(introspected)}`);
    }

    const form = { "content-type": "application/x-www-form-urlencoded" };
    const refreshRuns = { gatehouse: [] as LoadResult[], peer: [] as LoadResult[] };
    const introspectionRuns = { gatehouse: [] as LoadResult[], peer: [] as LoadResult[] };
    for (let round = 0; round < rounds; round += 1) {
      const slice = (bodies: string[]) => bodies.slice(round * refreshPerRound, (round + 1) * refreshPerRound);
      phase(`  round ${round + 1}/${rounds}: refresh grant (${refreshPerRound} tokens each, each used once), then introspection (${durationSeconds} s each)…`);
      refreshRuns.gatehouse.push(
        await measuredLoad(server, { url: `${server.origin}/api/auth/oauth2/token`, method: "POST", bodies: slice(gatehouseBodies), spreadClientIps: true, headers: form, connections, durationSeconds }),
      );
      refreshRuns.peer.push(await measuredLoad(peer, { url: `${peer.origin}/token`, method: "POST", bodies: slice(peerBodies), spreadClientIps: true, headers: form, connections, durationSeconds }));
      introspectionRuns.gatehouse.push(
        await measuredLoad(server, {
          url: `${server.origin}/api/auth/oauth2/introspect`,
          method: "POST",
          body: gatehouseIntrospection.body,
          spreadClientIps: true,
          headers: { ...form, authorization: gatehouseIntrospection.authorization },
          connections,
          durationSeconds,
        }),
      );
      introspectionRuns.peer.push(
        await measuredLoad(peer, {
          url: `${peer.origin}/token/introspection`,
          method: "POST",
          body: peerIntrospectionBody,
          spreadClientIps: true,
          headers: { ...form, authorization: peerConfidentialBasic },
          connections,
          durationSeconds,
        }),
      );
    }
    const comparisons = [
      compare("token endpoint, refresh grant (rotating)", refreshRuns.gatehouse, refreshRuns.peer),
      compare("introspection of an access token", introspectionRuns.gatehouse, introspectionRuns.peer),
    ];

    phase(`  sign-in (password hashing): ${durationSeconds} s × ${connections} connections…`);
    const signIn = await measuredLoad(server, {
      url: `${server.origin}/api/auth/sign-in/email`,
      method: "POST",
      body: JSON.stringify(await benchMember(server.origin)),
      spreadClientIps: true,
      headers: { "content-type": "application/json", origin: server.origin },
      connections,
      durationSeconds,
    });
    rss.sample();
    rss.stop();
    const memory = { gatehouse: rss.peak(server.group), peer: rss.peak(peer.group), bare: rss.peak(bare.group) };
    await Promise.all(servers.map((each) => each.stop()));

    const inProcessRuns = quick ? QUICK_IN_PROCESS_RUNS : IN_PROCESS_RUNS;
    phase(`Timing the same calls in-process (${inProcessRuns} runs each)…`);
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
    phase("Checking audit.list query plans…");
    const plans: PlanCheck[] = await checkAuditPlans(db);
    client.close();

    const baseline = results[0]?.http;
    const baselineP50 = baseline?.p50 ?? Number.NaN;
    const byName = (name: string) => results.find((result) => result.name === name)?.http;
    // The round with the median throughput stands for its scenario in the summary.
    const medianRound = (runs: LoadResult[]) => [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond)[Math.floor(runs.length / 2)];
    const summary: SummaryRow[] = [
      { name: "bare public route GET /api/health (baseline)", http: baseline },
      { name: "bare node:http handler, same answer", http: byName("bare node:http, same answer as /api/health") },
      { name: "Next static file (no proxy, no route)", http: byName("Next static file (no proxy, no route)") },
      { name: "GET /icon.svg (proxy + static route)", http: byName("GET /icon.svg (proxy + static route)") },
      { name: "/mcp tools/list", http: mcp.find((run) => run.name.includes("tools/list"))?.http },
      { name: "/mcp tools/call whoami", http: mcp.find((run) => run.name.includes("whoami"))?.http },
      { name: "token endpoint, refresh grant", http: medianRound(refreshRuns.gatehouse) },
      { name: "introspection", http: medianRound(introspectionRuns.gatehouse) },
      { name: "/api/trpc users.list", http: byName("users.list first page") },
      { name: "/api/trpc audit.list", http: byName("audit.list first page") },
      { name: "/api/trpc dashboard page (5 reads, batched)", http: byName("dashboard page (5 reads, one batch)") },
      { name: "sign-in (scrypt, slow on purpose)", http: signIn },
    ];
    const setting = `${connections} connections, ${durationSeconds} s per scenario; ${host.cpus} CPUs (${host.model}), Node ${host.node}; seeding ${seedingSeconds.toFixed(0)} s`;
    log("");
    log(`Summary (${dataset.users.toLocaleString("en")} users, ${dataset.auditEvents.toLocaleString("en")} audit events; ${setting}; ratios against the baseline in this run; CPU ms/req is the serving process group's user + system time per response):`);
    printSummary(summary, baseline);
    log("");
    log(`Gatehouse ÷ peer (oidc-provider 9.13.3 over a libSQL file, same machine, same load; medians of ${rounds} alternating round${rounds === 1 ? "" : "s"}; the peer introspects opaque tokens, since it refuses JWTs at introspection):`);
    printComparisons(comparisons);
    log("");
    log("Peak resident memory, summed over every process of each group at one 500 ms sample:");
    log(`  ${describeRss("Gatehouse (npm start: npm, sh, scripts/start.mjs serving Next.js)", memory.gatehouse)}`);
    log(`  ${describeRss("peer (oidc-provider)", memory.peer)}`);
    log(`  ${describeRss("bare node:http handler", memory.bare)}`);
    log("");
    log(`Gatehouse bench: ${dataset.users.toLocaleString("en")} users, ${dataset.auditEvents.toLocaleString("en")} audit events; ${setting}`);
    printTable(results, baselineP50);
    const sorting = plans.filter((plan) => plan.sorts);
    const slowest = [...plans].sort((a, b) => b.firstPageMs - a.firstPageMs)[0];
    log("");
    log(`audit.list plans: ${plans.length} filter combinations, ${sorting.length} with a temp B-tree; slowest first page ${formatMs(slowest?.firstPageMs)} ms (${slowest?.label}).`);
    log("");
    log("MCP endpoint (ratios against (a), the bare public route, in the same run):");
    for (const run of mcp) {
      log(
        `  ${run.name.padEnd(34)} ${run.http.requestsPerSecond.toFixed(0).padStart(6)} req/s  CPU ${formatMs(run.http.serverCpuMsPerRequest).padStart(5)} ms/req  p50 ${formatMs(run.http.p50).padStart(6)} ms  p99 ${formatMs(run.http.p99).padStart(6)} ms  throughput ×${run.throughputRatioToBare.toFixed(2)}  p50 ×${run.p50RatioToBare.toFixed(1)}  non-2xx ${run.http.non2xx + run.http.errors}`,
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
      machine: host,
      load: { connections, durationSeconds, rounds, refreshGrantsPerRound: refreshPerRound },
      dataset,
      seedingSeconds,
      baselineP50,
      peakRss: memory,
      summary: summary.map(({ name, http }) => ({
        name,
        requestsPerSecond: http?.requestsPerSecond ?? null,
        serverCpuMsPerRequest: http?.serverCpuMsPerRequest ?? null,
        p50: http?.p50 ?? null,
        p99: http?.p99 ?? null,
        p50RatioToBaseline: http && baseline ? http.p50 / baseline.p50 : null,
        throughputRatioToBaseline: http && baseline ? http.requestsPerSecond / baseline.requestsPerSecond : null,
        non2xx: http ? http.non2xx + http.errors : null,
      })),
      peer: { name: "oidc-provider 9.13.3", issueSeconds: { gatehouse: gatehouseIssueSeconds, peer: peerIssueSeconds }, comparisons },
      scenarios: results.map((result) => ({
        ...result,
        ratioToBaselineP50: result.http ? result.http.p50 / baselineP50 : null,
      })),
      auditPlans: plans,
      tokenChecks,
      mcp,
      signIn,
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
