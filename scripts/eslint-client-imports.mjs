import path from "node:path";

/**
 * ESLint rule `gatehouse/client-imports`: a file that starts with "use client" is bundled for the
 * browser, so it imports nothing from server/ except the isomorphic server/shared/, and the tRPC
 * router's type (`import type { AppRouter } from "@/server/trpc/root"`), which TypeScript erases.
 * dependency-cruiser cannot see the directive, so this half of the boundary lives in ESLint.
 */

const ROOT = path.resolve(import.meta.dirname, "..");
const SHARED = "server/shared/";
const TYPE_ONLY_ENTRY = "server/trpc/root";

/** The import's target relative to the repository when it lies under server/, else null. */
function serverTarget(source, filename) {
  let target = null;
  if (source.startsWith("@/")) target = source.slice(2);
  else if (source.startsWith(".")) target = path.relative(ROOT, path.resolve(path.dirname(filename), source)).split(path.sep).join("/");
  return target !== null && target.startsWith("server/") ? target.replace(/\.(ts|tsx|js|mjs)$/, "") : null;
}

function isUseClient(program) {
  for (const statement of program.body) {
    if (statement.type !== "ExpressionStatement" || typeof statement.directive !== "string") return false;
    if (statement.directive === "use client") return true;
  }
  return false;
}

/** `import type { A }`, or `import { type A, type B }` (TypeScript drops both from the bundle). */
function isTypeOnly(node) {
  if (node.importKind === "type" || node.exportKind === "type") return true;
  const specifiers = node.specifiers ?? [];
  return specifiers.length > 0 && specifiers.every((specifier) => specifier.importKind === "type" || specifier.exportKind === "type");
}

export const clientImports = {
  meta: {
    type: "problem",
    docs: { description: "Client components import nothing from server/ but server/shared/ and the tRPC router's type." },
    schema: [],
    messages: {
      serverModule:
        'A client component cannot import "{{source}}": server modules never reach the browser. Fetch the data through a tRPC query, or move what both sides need into server/shared/.',
      valueFromRoot:
        'A client component may import only the type of the tRPC router from "{{source}}": write `import type { AppRouter }`.',
    },
  },
  create(context) {
    const filename = context.filename;
    if (!isUseClient(context.sourceCode.ast)) return {};

    function check(node, sourceNode) {
      if (!sourceNode || typeof sourceNode.value !== "string") return;
      const target = serverTarget(sourceNode.value, filename);
      if (target === null || target.startsWith(SHARED)) return;
      if (target === TYPE_ONLY_ENTRY) {
        if (!isTypeOnly(node)) context.report({ node, messageId: "valueFromRoot", data: { source: sourceNode.value } });
        return;
      }
      context.report({ node, messageId: "serverModule", data: { source: sourceNode.value } });
    }

    return {
      ImportDeclaration: (node) => check(node, node.source),
      ExportNamedDeclaration: (node) => check(node, node.source),
      ExportAllDeclaration: (node) => check(node, node.source),
      ImportExpression: (node) => check(node, node.source.type === "Literal" ? node.source : null),
    };
  },
};

export const gatehousePlugin = { meta: { name: "gatehouse" }, rules: { "client-imports": clientImports } };
