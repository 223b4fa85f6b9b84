import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // libSQL ships a native binding; bundling it breaks the .node file lookup.
  serverExternalPackages: ["@libsql/client", "libsql"],
  typedRoutes: false,
  // Tests, e2e and scripts are type-checked by `npm run typecheck`; a mistake there must not stop `npm start`.
  typescript: { tsconfigPath: "tsconfig.build.json" },
};

export default nextConfig;
