import { createClient, type Client } from "@libsql/client";
import { expect, test } from "@playwright/test";
import { signInEnrolled } from "../../server/testing/enrol-over-http";
import { createSharedData, INSTANCE_OWNER, startInstance, type Instance } from "./instance";

/**
 * Faults a production server must survive: a SIGKILL in the middle of a write load loses no write it
 * acknowledged (each with its audit event), and a SIGTERM lets a request already in flight finish.
 */

/** `domains.create` over HTTP, as the console sends it; resolves with the status and the created id. */
async function createDomain(origin: string, cookie: string, slug: string, signal?: AbortSignal) {
  const response = await fetch(`${origin}/api/trpc/domains.create`, {
    method: "POST",
    headers: { "content-type": "application/json", origin, cookie },
    body: JSON.stringify({ json: { name: `Domain ${slug}`, slug } }),
    signal,
  });
  const text = await response.text();
  const id = response.status === 200 ? (JSON.parse(text) as { result: { data: { json: { id: string } } } }).result.data.json.id : null;
  return { status: response.status, id, text };
}

async function rowsWhere(client: Client, sql: string, args: string[]): Promise<number> {
  const result = await client.execute({ sql, args });
  return Number(result.rows[0]?.[0] ?? 0);
}

let instances: Instance[] = [];
let shared: ReturnType<typeof createSharedData>;

test.beforeEach(() => {
  shared = createSharedData();
});

test.afterEach(async () => {
  await Promise.all(instances.map((instance) => instance.stop()));
  instances = [];
  shared.remove();
});

async function start(): Promise<Instance> {
  const instance = await startInstance({ dataDir: shared.dir, databaseUrl: shared.databaseUrl });
  instances.push(instance);
  return instance;
}

test("SIGKILL during a load of writes loses no acknowledged write: after restart each one is there with its audit event", async () => {
  const first = await start();
  const cookie = await signInEnrolled(first.origin, INSTANCE_OWNER);

  const acknowledged: { slug: string; id: string }[] = [];
  let killed = false;
  let sequence = 0;
  const worker = async () => {
    while (!killed) {
      const slug = `crash-${(sequence += 1)}`;
      try {
        const answer = await createDomain(first.origin, cookie, slug);
        if (answer.status === 200 && answer.id) acknowledged.push({ slug, id: answer.id });
        else if (!killed) expect(answer.status, answer.text).toBe(200);
      } catch {
        // The connection died with the server: not acknowledged, so no promise was made.
      }
    }
  };
  const load = Array.from({ length: 8 }, worker);
  await expect.poll(() => acknowledged.length, { timeout: 60_000 }).toBeGreaterThanOrEqual(40);
  first.signal("SIGKILL");
  killed = true;
  expect((await first.exited()).signal).toBe("SIGKILL");
  await Promise.all(load);
  instances = instances.filter((instance) => instance !== first);

  const restarted = await start();
  const health = await fetch(`${restarted.origin}/api/health`);
  expect(health.status).toBe(200);
  const database = createClient({ url: shared.databaseUrl });
  try {
    for (const { slug, id } of acknowledged) {
      expect(await rowsWhere(database, "SELECT count(*) FROM domain WHERE id = ? AND slug = ?", [id, slug]), slug).toBe(1);
      expect(
        await rowsWhere(database, "SELECT count(*) FROM audit_event WHERE action = 'domain.created' AND target_id = ?", [id]),
        `audit event of ${slug}`,
      ).toBe(1);
    }
    // Nothing half-written either: every domain the load created has its audit event, acknowledged or not.
    expect(
      await rowsWhere(
        database,
        "SELECT count(*) FROM domain d WHERE d.slug LIKE 'crash-%' AND NOT EXISTS (SELECT 1 FROM audit_event a WHERE a.action = 'domain.created' AND a.target_id = d.id)",
        [],
      ),
    ).toBe(0);
  } finally {
    database.close();
  }
  // The restarted server serves the same data: the owner's session still works and sees the domains.
  const again = await createDomain(restarted.origin, cookie, "after-restart");
  expect(again.status, again.text).toBe(200);
});

test("SIGTERM lets a request in flight finish with its full answer before the server exits", async () => {
  const instance = await start();
  const cookie = await signInEnrolled(instance.origin, INSTANCE_OWNER);

  // A second connection holds SQLite's write lock, so the request below is certainly still in flight
  // (retrying with backoff inside its busy budget) when the signal arrives.
  const locker = createClient({ url: shared.databaseUrl });
  const lock = await locker.transaction("write");
  const events: string[] = [];
  const inFlight = createDomain(instance.origin, cookie, "in-flight-at-sigterm").then((answer) => {
    events.push("answered");
    return answer;
  });
  const exited = instance.exited().then((exit) => {
    events.push("exited");
    return exit;
  });
  await new Promise((resolve) => setTimeout(resolve, 1500));
  expect(events).toEqual([]);

  instance.signal("SIGTERM");
  await new Promise((resolve) => setTimeout(resolve, 1000));
  expect(events, "the server went before answering").toEqual([]);
  await lock.rollback();

  const answer = await inFlight;
  expect(answer.status, answer.text).toBe(200);
  expect(answer.id).toBeTruthy();
  await exited;
  expect(events).toEqual(["answered", "exited"]);
  instances = instances.filter((running) => running !== instance);

  try {
    expect(await rowsWhere(locker, "SELECT count(*) FROM domain WHERE id = ?", [answer.id!])).toBe(1);
    expect(await rowsWhere(locker, "SELECT count(*) FROM audit_event WHERE action = 'domain.created' AND target_id = ?", [answer.id!])).toBe(1);
  } finally {
    locker.close();
  }
});
