import path from "node:path";
import { ESLint } from "eslint";
import { expect, test } from "vitest";

// The project's own eslint.config.mjs, so these tests also prove the rule is switched on.
const eslint = new ESLint({ cwd: path.resolve(import.meta.dirname, "..") });

async function clientImportErrors(code: string, file = "app/(console)/users/_components/fixture.tsx"): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: file });
  return (result?.messages ?? []).filter((message) => message.ruleId === "gatehouse/client-imports").map((message) => message.message);
}

test("a client component that imports a server module fails lint, with a message that says what to do", async () => {
  const errors = await clientImportErrors(`"use client";\nimport { getAppDatabase } from "@/server/db";\nexport const db = getAppDatabase;\n`);
  expect(errors).toEqual([
    'A client component cannot import "@/server/db": server modules never reach the browser. Fetch the data through a tRPC query, or move what both sides need into server/shared/.',
  ]);
});

test("a client component may import server/shared and the tRPC router's type, and nothing else from server", async () => {
  const allowed = await clientImportErrors(
    `"use client";\nimport type { AppRouter } from "@/server/trpc/root";\nimport { OAUTH_SCOPES } from "@/server/shared/scopes";\nexport type R = AppRouter;\nexport const s = OAUTH_SCOPES;\n`,
  );
  expect(allowed).toEqual([]);

  const refused = await clientImportErrors(
    `"use client";\nimport { appRouter } from "@/server/trpc/root";\nimport type { ClientItem } from "@/server/oauth/clients";\nimport { findClient } from "../../../../server/oauth/clients";\nexport const x = [appRouter, findClient];\nexport type C = ClientItem;\nexport const later = () => import("@/server/env");\n`,
  );
  expect(refused).toHaveLength(4);
  expect(refused[0]).toContain("only the type of the tRPC router");
});

test("server components and route handlers, which have no use-client directive, are left to the import boundaries", async () => {
  expect(await clientImportErrors(`import { getAppDatabase } from "@/server/db";\nexport const db = getAppDatabase;\n`, "app/api/health/route.ts")).toEqual([]);
  // The directive must come first to count; a string later in the file is not one.
  expect(await clientImportErrors(`import { getEnv } from "@/server/env";\n"use client";\nexport const e = getEnv;\n`)).toEqual([]);
});
