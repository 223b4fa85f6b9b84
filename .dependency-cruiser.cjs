/**
 * Import boundaries, checked by `npm run lint` (depcruise). Each rule's comment says why it exists;
 * a violation prints the rule's name and the two files.
 *
 * Type-only imports count (tsPreCompilationDeps), so an `import type` cycle fails like any other.
 */

/** Tests and test helpers may reach into anything; the rules below are about production code. */
const TESTS = "(\\.test\\.tsx?$|^server/testing/|^e2e/)";

/**
 * The server modules app/ (and proxy.ts) may import. Anything else under server/ is an internal of
 * its area: reach it through one of these, or add an entry here with a reason.
 */
const APP_ENTRIES = [
  // Isomorphic code both the browser and the server need (permission vocabulary, scopes, limits, paths).
  "^server/shared/",
  // The tRPC router: its type for the client, and the caller the server components' prefetch uses.
  "^server/trpc/root\\.ts$",
  // The page gates server components and layouts call (session, MFA enrolment, sign-in redirect).
  "^server/auth/session\\.ts$",
  // Server-rendered pages that read one thing before the client takes over (setup, invite, consent, outbox).
  "^server/pages\\.ts$",
  // Validated configuration (public URL, dev flags) for server components and proxy.ts.
  "^server/env\\.ts$",
  // Security headers and CSP nonce, set by proxy.ts on every page.
  "^server/security-headers\\.ts$",
  // One entry per route handler: the handler functions, built with the app's database and auth.
  "^server/routes\\.ts$",
].join("|");

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "A module imports itself through others. Cycles make load order matter and hide which side owns what: " +
        "move the shared part into a module both import, or pass it in.",
      from: { path: "^(server|app|db|scripts|bench)/" },
      to: { circular: true },
    },
    {
      name: "server-not-to-app",
      severity: "error",
      comment:
        "server/ and db/ never import from app/: app/ is routes and UI. Code both sides need lives in server/shared/.",
      from: { path: "^(server|db)/", pathNot: TESTS },
      to: { path: "^app/" },
    },
    {
      name: "shared-is-isomorphic",
      severity: "error",
      comment:
        "server/shared/ runs in the browser too: it imports only server/shared/ and browser-safe npm packages, " +
        "never node: builtins, db/ or the rest of server/.",
      from: { path: "^server/shared/", pathNot: TESTS },
      to: {
        pathNot: ["^server/shared/", "^node_modules/(zod)/"],
      },
    },
    {
      name: "app-through-entries",
      severity: "error",
      comment:
        "app/ reaches server/ only through its public entry points (APP_ENTRIES in .dependency-cruiser.cjs). " +
        "Import the entry, or add the function to it, instead of an area's internals.",
      from: { path: "^(app/|proxy\\.ts$)", pathNot: TESTS },
      to: { path: "^server/", pathNot: APP_ENTRIES },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment: "An import that resolves to nothing: a typo, or a package missing from package.json.",
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: "node_modules" },
    exclude: { path: "^(\\.next|data|test-results|playwright-report|db/migrations)/" },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: "tsconfig.json" },
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "require", "node", "default", "types"],
      mainFields: ["module", "main", "types", "typings"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
