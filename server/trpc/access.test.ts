import { expect, test } from "vitest";
import { isPermission } from "@/server/authz/permissions";
import type { Meta } from "./init";
import { appRouter } from "./root";

const procedures = Object.entries(appRouter._def.procedures as unknown as Record<string, { _def: { meta?: Meta } }>);

test("the router has procedures to walk", () => {
  expect(procedures.length).toBeGreaterThan(1);
});

test.each(procedures)("%s declares who may call it", (_path, procedure) => {
  const access = procedure._def.meta?.access;
  expect(access, "build it from publicProcedure, protectedProcedure or permissionProcedure").toBeDefined();
  if (access?.kind === "permissions") {
    expect(access.permissions.length).toBeGreaterThan(0);
    for (const permission of access.permissions) expect(isPermission(permission)).toBe(true);
  }
});

test("only the health check is public", () => {
  const publicPaths = procedures.filter(([, procedure]) => procedure._def.meta?.access?.kind === "public").map(([path]) => path);
  expect(publicPaths).toEqual(["health"]);
});
