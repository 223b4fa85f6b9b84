import { expect, test } from "vitest";
import { checkHealth } from "./health";
import { createTestDatabase } from "./testing/db";
import { expectConsoleError } from "./testing/setup";

test("reports 200 ok after a real query", async () => {
  const database = await createTestDatabase();
  expect(await checkHealth(database.db)).toEqual({ httpStatus: 200, body: { status: "ok", db: "ok" } });
  database.destroy();
});

test("reports 503 when the database cannot be reached", async () => {
  expectConsoleError();
  const database = await createTestDatabase();
  database.client.close();
  expect(await checkHealth(database.db)).toEqual({ httpStatus: 503, body: { status: "unavailable", db: "unreachable" } });
  database.destroy();
});
