/**
 * `npm run seed:large [-- --users N --events N --url URL --force]`: fills a database with a
 * production-sized data set (by default 100k users, 20 domains and 1M audit events over 90 days)
 * for benchmarks and for trying the console at scale. Every seeded account signs in with
 * SEED_PASSWORD.
 */
import { randomUUID } from "node:crypto";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { count, inArray, like, sql } from "drizzle-orm";
import type { Database } from "@/db/client";
import {
  ADMIN_ROLE_ID,
  AUDITOR_ROLE_ID,
  DOMAIN_ADMIN_ROLE_ID,
  MEMBER_ROLE_ID,
  account,
  auditEvent,
  domain,
  roleAssignment,
  user,
  type ActorVia,
} from "@/db/schema";
import { addHourlyCounts, hourlyCountsOf } from "@/server/audit/hourly-counts";
import { openAuth } from "@/server/auth/auth";
import { parseEnv } from "@/server/env";
import { openMigratedDatabase, redactUrl } from "./startup";

export const SEED_PASSWORD = "seed-password-for-load-tests";
export const SEED_EMAIL_DOMAIN = "seed.example";
/** Above this many accounts a database is presumably not a scratch one. */
const REFUSE_ABOVE_USERS = 1000;
const SPAN_MS = 90 * 24 * 60 * 60 * 1000;
/** Rows per INSERT statement: well under SQLite's 32766 bound variables at 12 columns a row. */
const ROWS_PER_STATEMENT = 500;
const STATEMENTS_PER_TRANSACTION = 20;

const DOMAIN_NAMES = [
  "Acme Corporation", "Globex", "Initech", "Umbrella", "Hooli", "Stark Industries", "Wayne Enterprises",
  "Wonka Industries", "Soylent", "Cyberdyne", "Tyrell", "Aperture Science", "Black Mesa", "Vandelay Industries",
  "Pied Piper", "Massive Dynamic", "Oscorp", "Gringotts", "Monsters Inc", "Dunder Mifflin",
];
const FIRST_NAMES = ["Ada", "Alan", "Grace", "Linus", "Margaret", "Ken", "Barbara", "Dennis", "Frances", "Edsger", "Radia", "Tim", "Hedy", "Donald", "Karen", "John", "Sophie", "Niklaus", "Leslie", "Anita"];
const LAST_NAMES = ["Lovelace", "Turing", "Hopper", "Torvalds", "Hamilton", "Thompson", "Liskov", "Ritchie", "Allen", "Dijkstra", "Perlman", "Berners-Lee", "Lamarr", "Knuth", "Spärck Jones", "McCarthy", "Wilson", "Wirth", "Lamport", "Borg"];
const USER_AGENTS = [
  "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15",
  "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36",
  "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
  "claude-code/2.1 (mcp)",
];
const MCP_CLIENT_IDS = ["mcp-client-claude", "mcp-client-cursor", "mcp-client-inspector"];

/** What each seeded action is about, and how often it happens relative to the others. */
interface ActionKind {
  action: string;
  weight: number;
  target: "self" | "user" | "role" | "domain" | "client" | "session" | "mcp" | "none";
}
const ACTIONS: ActionKind[] = [
  { action: "auth.sign_in", weight: 400, target: "self" },
  { action: "auth.sign_out", weight: 150, target: "self" },
  { action: "auth.sign_in_failed", weight: 60, target: "self" },
  { action: "auth.sign_up", weight: 10, target: "self" },
  { action: "user.updated", weight: 80, target: "user" },
  { action: "user.created", weight: 30, target: "user" },
  { action: "user.invited", weight: 20, target: "user" },
  { action: "user.reinvited", weight: 3, target: "user" },
  { action: "user.invitation_accepted", weight: 15, target: "self" },
  { action: "user.banned", weight: 5, target: "user" },
  { action: "user.unbanned", weight: 3, target: "user" },
  { action: "user.deleted", weight: 3, target: "user" },
  { action: "role.assigned", weight: 60, target: "user" },
  { action: "role.unassigned", weight: 20, target: "user" },
  { action: "role.created", weight: 2, target: "role" },
  { action: "role.updated", weight: 3, target: "role" },
  { action: "role.deleted", weight: 1, target: "role" },
  { action: "domain.updated", weight: 3, target: "domain" },
  { action: "domain.created", weight: 1, target: "domain" },
  { action: "client.created", weight: 10, target: "client" },
  { action: "client.updated", weight: 10, target: "client" },
  { action: "client.secret_rotated", weight: 5, target: "client" },
  { action: "client.deleted", weight: 2, target: "client" },
  { action: "token.revoked", weight: 40, target: "session" },
  { action: "session.revoked", weight: 50, target: "session" },
  { action: "settings.updated", weight: 1, target: "none" },
  { action: "audit.exported", weight: 1, target: "none" },
  { action: "mcp.tool_called", weight: 120, target: "mcp" },
];

/** mulberry32: a small deterministic generator, so two runs produce data of the same shape. */
function createRandom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (below: number) => Math.floor(next() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  return { next, int, pick };
}
type Random = ReturnType<typeof createRandom>;

function weightedPicker<T extends { weight: number }>(items: readonly T[]) {
  const total = items.reduce((sum, item) => sum + item.weight, 0);
  return (random: Random): T => {
    let roll = random.next() * total;
    for (const item of items) {
      roll -= item.weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1] as T;
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const result: T[][] = [];
  for (let start = 0; start < items.length; start += size) result.push(items.slice(start, start + size));
  return result;
}

/** Inserts rows in multi-row statements, several statements per transaction. */
async function insertBatched<T>(
  db: Database,
  rows: readonly T[],
  insert: (tx: Parameters<Parameters<Database["transaction"]>[0]>[0], batch: T[]) => Promise<unknown>,
) {
  for (const group of chunks(rows, ROWS_PER_STATEMENT * STATEMENTS_PER_TRANSACTION)) {
    await db.transaction(async (tx) => {
      for (const batch of chunks(group, ROWS_PER_STATEMENT)) await insert(tx, batch);
    });
  }
}

export interface SeedOptions {
  users: number;
  events: number;
  force: boolean;
  /** Progress lines; the benchmark passes its own. */
  log?: (line: string) => void;
  now?: Date;
}

export interface SeedCounts {
  users: number;
  accounts: number;
  domains: number;
  roleAssignments: number;
  auditEvents: number;
}

export class SeedRefused extends Error {}

interface SeededUser {
  id: string;
  domainIds: string[];
}

async function seedDomains(db: Database, random: Random, now: Date): Promise<string[]> {
  const wanted = DOMAIN_NAMES.map((name) => ({ name, slug: `seed-${name.toLowerCase().replace(/[^a-z0-9]+/g, "-")}` }));
  const existing = await db
    .select({ id: domain.id, slug: domain.slug })
    .from(domain)
    .where(inArray(domain.slug, wanted.map((row) => row.slug)));
  const bySlug = new Map(existing.map((row) => [row.slug, row.id]));
  const missing = wanted
    .filter((row) => !bySlug.has(row.slug))
    .map((row) => {
      const createdAt = new Date(now.getTime() - SPAN_MS - random.int(SPAN_MS));
      return { id: randomUUID(), ...row, description: `${row.name} (seeded)`, createdAt, updatedAt: createdAt };
    });
  if (missing.length > 0) await db.insert(domain).values(missing);
  for (const row of missing) bySlug.set(row.slug, row.id);
  return wanted.map((row) => bySlug.get(row.slug) as string);
}

/** Seeded emails continue after the highest existing one, so a forced second run adds rather than collides. */
async function firstFreeSeedNumber(db: Database): Promise<number> {
  const [row] = await db
    .select({ email: sql<string | null>`max(${user.email})` })
    .from(user)
    .where(like(user.email, `user%@${SEED_EMAIL_DOMAIN}`));
  const match = row?.email?.match(/^user(\d+)@/);
  return match ? Number(match[1]) + 1 : 1;
}

async function seedUsers(
  db: Database,
  random: Random,
  options: { count: number; domainIds: string[]; passwordHash: string; now: Date; log: (line: string) => void },
): Promise<SeededUser[]> {
  const { count: total, domainIds, passwordHash, now, log } = options;
  // Tenants differ in size: the first domains hold most members.
  const pickDomain = weightedPicker(domainIds.map((id, index) => ({ id, weight: 1 / (index + 1) })));
  const first = await firstFreeSeedNumber(db);
  const seeded: SeededUser[] = [];
  const batchSize = ROWS_PER_STATEMENT * STATEMENTS_PER_TRANSACTION;
  for (let offset = 0; offset < total; offset += batchSize) {
    const users: (typeof user.$inferInsert)[] = [];
    const accounts: (typeof account.$inferInsert)[] = [];
    const assignments: (typeof roleAssignment.$inferInsert)[] = [];
    for (let index = offset; index < Math.min(total, offset + batchSize); index += 1) {
      const number = String(first + index).padStart(6, "0");
      const id = randomUUID();
      const createdAt = new Date(now.getTime() - random.int(SPAN_MS * 2));
      users.push({
        id,
        name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
        email: `user${number}@${SEED_EMAIL_DOMAIN}`,
        emailVerified: random.next() < 0.9,
        createdAt,
        updatedAt: createdAt,
      });
      accounts.push({ id: randomUUID(), accountId: id, providerId: "credential", userId: id, password: passwordHash, createdAt, updatedAt: createdAt });
      assignments.push({ id: randomUUID(), userId: id, roleId: MEMBER_ROLE_ID, domainId: null, createdAt });
      const memberships: string[] = [];
      const roll = random.next();
      if (roll < 0.6) memberships.push(pickDomain(random).id);
      if (roll < 0.05) memberships.push(pickDomain(random).id);
      for (const domainId of new Set(memberships)) {
        const roleId = random.next() < 0.01 ? DOMAIN_ADMIN_ROLE_ID : MEMBER_ROLE_ID;
        assignments.push({ id: randomUUID(), userId: id, roleId, domainId, createdAt });
      }
      // A handful of global administrators and auditors, as a real install has.
      if (index % 20_000 === 1) assignments.push({ id: randomUUID(), userId: id, roleId: ADMIN_ROLE_ID, domainId: null, createdAt });
      if (index % 25_000 === 2) assignments.push({ id: randomUUID(), userId: id, roleId: AUDITOR_ROLE_ID, domainId: null, createdAt });
      seeded.push({ id, domainIds: [...new Set(memberships)] });
    }
    await db.transaction(async (tx) => {
      for (const batch of chunks(users, ROWS_PER_STATEMENT)) await tx.insert(user).values(batch);
      for (const batch of chunks(accounts, ROWS_PER_STATEMENT)) await tx.insert(account).values(batch);
      for (const batch of chunks(assignments, ROWS_PER_STATEMENT)) await tx.insert(roleAssignment).values(batch);
    });
    const done = Math.min(total, offset + batchSize);
    if (done % 20_000 === 0 || done === total) log(`  users: ${done.toLocaleString("en")} / ${total.toLocaleString("en")}`);
  }
  return seeded;
}

function fakeIp(random: Random): string {
  return random.next() < 0.2
    ? `2001:db8:${random.int(0xffff).toString(16)}::${random.int(0xffff).toString(16)}`
    : `198.51.${random.int(256)}.${random.int(256)}`;
}

async function seedEvents(
  db: Database,
  random: Random,
  options: { count: number; users: SeededUser[]; domainIds: string[]; now: Date; log: (line: string) => void },
) {
  const { count: total, users, domainIds, now, log } = options;
  if (users.length === 0 || total === 0) return;
  const pickAction = weightedPicker(ACTIONS);
  // Administrators act far more often than anyone else; a few hundred of them cover most admin events.
  const admins = users.slice(0, Math.max(1, Math.min(300, Math.ceil(users.length / 300))));
  const roleIds = [MEMBER_ROLE_ID, DOMAIN_ADMIN_ROLE_ID, AUDITOR_ROLE_ID, ADMIN_ROLE_ID, "role_seed_support", "role_seed_billing"];
  const clientIds = Array.from({ length: 40 }, (_, index) => `seed-client-${index + 1}`);
  const start = now.getTime() - SPAN_MS;
  const step = SPAN_MS / total;
  let previousAt = start;
  const batchSize = ROWS_PER_STATEMENT * STATEMENTS_PER_TRANSACTION;
  for (let offset = 0; offset < total; offset += batchSize) {
    const rows: (typeof auditEvent.$inferInsert)[] = [];
    for (let index = offset; index < Math.min(total, offset + batchSize); index += 1) {
      // Time moves forward, except that bursts (bulk operations) share a millisecond.
      const at = random.next() < 0.02 ? previousAt : Math.max(previousAt, Math.floor(start + index * step + random.next() * step));
      previousAt = at;
      const kind = pickAction(random);
      const subject = random.pick(users);
      const isAuth = kind.target === "self" || kind.target === "mcp";
      const actorUser = isAuth ? subject : random.pick(admins);
      const via: ActorVia = kind.target === "mcp" ? "mcp" : isAuth ? "web" : random.next() < 0.15 ? "mcp" : random.next() < 0.05 ? "system" : "web";
      const subjectDomain = subject.domainIds.length > 0 ? random.pick(subject.domainIds) : null;
      let targetType: string | null = null;
      let targetId: string | null = null;
      let domainId: string | null = null;
      let details: Record<string, unknown> = {};
      switch (kind.target) {
        case "self":
          targetType = "user";
          targetId = subject.id;
          // Filed as recordAuthEvent files them: under the account's domain when it has exactly one.
          domainId = subject.domainIds.length === 1 ? (subject.domainIds[0] ?? null) : null;
          details = { method: "password" };
          break;
        case "mcp":
          targetType = "mcp_tool";
          targetId = random.pick(["list_users", "get_user", "list_audit_events", "whoami"]);
          details = { scope: "mcp:read", outcome: random.next() < 0.05 ? "FORBIDDEN" : "ok" };
          break;
        case "user":
          targetType = "user";
          targetId = subject.id;
          domainId = subjectDomain;
          if (kind.action.startsWith("role.")) details = { roleId: random.pick(roleIds), domainId };
          else if (kind.action === "user.updated") details = { before: { name: "Old Name" }, after: { name: "New Name" } };
          else if (kind.action === "user.banned") details = { reason: "Suspicious sign-ins" };
          break;
        case "role":
          targetType = "role";
          targetId = random.pick(roleIds);
          details = { name: targetId.replace(/^role_/, "") };
          break;
        case "domain":
          targetType = "domain";
          targetId = random.pick(domainIds);
          domainId = targetId;
          details = { fields: ["mfaPolicy"] };
          break;
        case "client":
          targetType = "client";
          targetId = random.pick(clientIds);
          domainId = random.next() < 0.7 ? random.pick(domainIds) : null;
          details = { name: `Client ${targetId.slice(-2)}` };
          break;
        case "session":
          targetType = kind.action.startsWith("token.") ? "token" : "session";
          targetId = randomUUID();
          domainId = subjectDomain;
          details = { userId: subject.id };
          break;
        case "none":
          break;
      }
      rows.push({
        id: randomUUID(),
        at: new Date(at),
        actorUserId: via === "system" && !isAuth ? null : kind.action === "auth.sign_in_failed" ? null : actorUser.id,
        actorVia: via,
        clientId: via === "mcp" ? random.pick(MCP_CLIENT_IDS) : null,
        action: kind.action,
        targetType,
        targetId,
        domainId,
        ip: via === "system" ? null : fakeIp(random),
        userAgent: via === "system" ? null : random.pick(USER_AGENTS),
        details,
      });
    }
    // The dashboard's hourly counts, as recordEvent keeps them, written with the rows they count.
    await insertBatched(db, rows, async (tx, batch) => {
      await tx.insert(auditEvent).values(batch);
      const [first, ...more] = hourlyCountsOf(batch.map((row) => ({ action: row.action, at: row.at, domainId: row.domainId ?? null, details: row.details })));
      if (first) await addHourlyCounts(tx, [first, ...more]);
    });
    const done = Math.min(total, offset + batchSize);
    if (done % 100_000 === 0 || done === total) log(`  audit events: ${done.toLocaleString("en")} / ${total.toLocaleString("en")}`);
  }
}

export async function countRows(db: Database): Promise<SeedCounts> {
  const total = async (table: typeof user | typeof account | typeof domain | typeof roleAssignment | typeof auditEvent) =>
    (await db.select({ value: count() }).from(table))[0]?.value ?? 0;
  return {
    users: await total(user),
    accounts: await total(account),
    domains: await total(domain),
    roleAssignments: await total(roleAssignment),
    auditEvents: await total(auditEvent),
  };
}

/** Seeds an already migrated database. */
export async function seedLarge(
  deps: { db: Database; hashPassword: (password: string) => Promise<string> },
  options: SeedOptions,
): Promise<SeedCounts> {
  const { db } = deps;
  const log = options.log ?? (() => undefined);
  const now = options.now ?? new Date();
  const existingUsers = (await countRows(db)).users;
  if (existingUsers > REFUSE_ABOVE_USERS && !options.force) {
    throw new SeedRefused(
      `the database already has ${existingUsers.toLocaleString("en")} users; pass --force to add the seed data anyway.`,
    );
  }
  const random = createRandom(20_261_123);
  const passwordHash = await deps.hashPassword(SEED_PASSWORD);
  const domainIds = await seedDomains(db, random, now);
  log(`  domains: ${domainIds.length}`);
  const users = await seedUsers(db, random, { count: options.users, domainIds, passwordHash, now, log });
  await seedEvents(db, random, { count: options.events, users, domainIds, now, log });
  return countRows(db);
}

function positiveInteger(value: string | undefined, fallback: number, name: string): number {
  if (value === undefined) return fallback;
  const parsed = Number(value.replace(/_/g, ""));
  if (!Number.isInteger(parsed) || parsed < 0) throw new SeedRefused(`--${name} must be a whole number, got "${value}".`);
  return parsed;
}

async function main() {
  const { values } = parseArgs({
    options: {
      users: { type: "string" },
      events: { type: "string" },
      url: { type: "string" },
      force: { type: "boolean", default: false },
    },
  });
  const env = parseEnv();
  const databaseUrl = values.url ?? env.databaseUrl;
  const options: SeedOptions = {
    users: positiveInteger(values.users, 100_000, "users"),
    events: positiveInteger(values.events, 1_000_000, "events"),
    force: values.force ?? false,
    log: (line) => console.info(line),
  };
  const handle = await openMigratedDatabase({ ...env, databaseUrl });
  // A seed is rebuilt rather than recovered, so durability can wait for the end of the run.
  await handle.client.execute("PRAGMA synchronous = OFF");
  await handle.client.execute("PRAGMA cache_size = -262144");
  const auth = await openAuth({ db: handle.db, publicUrl: env.publicUrl, secret: env.authSecret, signup: env.signup, oauth: env.oauth });
  const context = await auth.$context;
  const started = Date.now();
  console.info(
    `Seeding ${redactUrl(databaseUrl)} with ${options.users.toLocaleString("en")} users and ${options.events.toLocaleString("en")} audit events…`,
  );
  try {
    const counts = await seedLarge({ db: handle.db, hashPassword: (password) => context.password.hash(password) }, options);
    console.info(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s. The database now holds:`);
    for (const [name, value] of Object.entries(counts)) console.info(`  ${name.padEnd(16)} ${value.toLocaleString("en")}`);
    console.info(`Seeded accounts are user000001@${SEED_EMAIL_DOMAIN}… with the password "${SEED_PASSWORD}".`);
  } finally {
    handle.client.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((error: unknown) => {
    console.error(`Seeding failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  });
}
