import { afterAll, beforeAll } from "vitest";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";
import { role } from "@/db/schema";

export interface TestDatabase extends DatabaseHandle {
  url: string;
  destroy(): void;
}

export interface TestDatabaseOptions {
  /**
   * The migrations make owner and admin require a second factor. Tests of everything else act as
   * owners and admins without enrolling one, so they switch that off unless asked to keep it.
   */
  roleMfaRequirement?: "as-migrated" | "off";
  /** Short lock waits for tests that hold the database locked on purpose. */
  busy?: { timeoutMs: number; retryBudgetMs: number };
}

/** A fresh file database with the real migrations applied, removed again by `destroy`. */
export async function createTestDatabase({ roleMfaRequirement = "off", busy }: TestDatabaseOptions = {}): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-test-"));
  const url = `file:${path.join(dir, "test.db")}`;
  const handle = createDatabase(url, busy && { busyTimeoutMs: busy.timeoutMs, busyRetryBudgetMs: busy.retryBudgetMs });
  await migrateDatabase(handle, url);
  if (roleMfaRequirement === "off") await handle.db.update(role).set({ requiresMfa: false });
  return {
    ...handle,
    url,
    destroy() {
      handle.client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A test file's bed: registers the hooks that open it before the file's tests and remove its
 * database after, and returns it as a live object whose fields are there once `beforeAll` ran.
 */
export function testBed<Bed extends { database: TestDatabase }>(open: () => Promise<Bed>): Bed {
  let opened: Bed | undefined;
  beforeAll(async () => {
    opened = await open();
  });
  afterAll(() => opened?.database.destroy());
  return new Proxy({} as Bed, {
    get(_, field) {
      if (!opened) throw new Error("The test bed opens in beforeAll: use it inside a test or a hook.");
      return opened[field as keyof Bed];
    },
  });
}
