import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { migrateDatabase } from "@/db/migrate";

export interface TestDatabase extends DatabaseHandle {
  url: string;
  destroy(): void;
}

/** A fresh file database with the real migrations applied, removed again by `destroy`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const dir = mkdtempSync(path.join(tmpdir(), "gatehouse-test-"));
  const url = `file:${path.join(dir, "test.db")}`;
  const handle = createDatabase(url);
  await migrateDatabase(handle, url);
  return {
    ...handle,
    url,
    destroy() {
      handle.client.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
