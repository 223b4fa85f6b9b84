import { sql } from "drizzle-orm";
import type { Database } from "@/db/client";

export interface HealthReport {
  status: "ok" | "unavailable";
  db: "ok" | "unreachable";
}

/** A real round trip to the database, so a dead file or server shows up as 503. */
export async function checkHealth(db: Database): Promise<{ httpStatus: number; body: HealthReport }> {
  try {
    await db.run(sql`select 1`);
    return { httpStatus: 200, body: { status: "ok", db: "ok" } };
  } catch (error) {
    console.error("Health check: database unreachable:", error instanceof Error ? error.message : error);
    return { httpStatus: 503, body: { status: "unavailable", db: "unreachable" } };
  }
}
