import "server-only";
import { createDatabase, type DatabaseHandle } from "@/db/client";
import { assertNotBuilding, getEnv } from "./env";

const globalForDb = globalThis as unknown as { gatehouseDatabase?: DatabaseHandle };

/** One client per server process; the global survives module reloads in development. */
export function getAppDatabase(): DatabaseHandle {
  if (!globalForDb.gatehouseDatabase) {
    assertNotBuilding("open the database");
    const env = getEnv();
    globalForDb.gatehouseDatabase = createDatabase(env.databaseUrl, env.databaseAuthToken);
  }
  return globalForDb.gatehouseDatabase;
}
