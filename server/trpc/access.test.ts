import { expect, test } from "vitest";
import { isPermission } from "@/server/shared/permissions";
import { baseProcedure, router, type Meta } from "./init";
import { permissionProcedure, protectedProcedure, publicProcedure } from "./procedures";
import { appRouter } from "./root";

type Walkable = { _def: { procedures: unknown } };

function proceduresOf(walked: Walkable) {
  return Object.entries(walked._def.procedures as Record<string, { _def: { meta?: Meta } }>);
}

/** Paths whose procedure does not say who may call it, or names permissions outside the vocabulary. */
function undeclared(walked: Walkable): string[] {
  return proceduresOf(walked)
    .filter(([, procedure]) => {
      const access = procedure._def.meta?.access;
      if (!access) return true;
      if (access.kind !== "permissions") return false;
      return access.permissions.length === 0 || !access.permissions.every(isPermission);
    })
    .map(([path]) => path);
}

test("every procedure of the app declares who may call it", () => {
  expect(proceduresOf(appRouter as unknown as Walkable).length).toBeGreaterThan(20);
  expect(undeclared(appRouter as unknown as Walkable)).toEqual([]);
});

test("the walk catches a procedure built without a declaration", () => {
  const careless = router({
    open: publicProcedure.query(() => 1),
    mine: protectedProcedure.query(() => 2),
    guarded: permissionProcedure("users:read").query(() => 3),
    forgotten: baseProcedure.query(() => 4),
    nested: router({ alsoForgotten: baseProcedure.mutation(() => 5) }),
  });
  expect(undeclared(careless as unknown as Walkable)).toEqual(["forgotten", "nested.alsoForgotten"]);
});

test("only the health check is public", () => {
  const publicPaths = proceduresOf(appRouter as unknown as Walkable)
    .filter(([, procedure]) => procedure._def.meta?.access?.kind === "public")
    .map(([path]) => path);
  expect(publicPaths).toEqual(["health"]);
});
