import type { NextConfig } from "next";
import { STATIC_SECURITY_HEADERS } from "./server/security-headers";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // libSQL ships a native binding; bundling it breaks the .node file lookup.
  serverExternalPackages: ["@libsql/client", "libsql"],
  typedRoutes: false,
  // Tests, e2e and scripts are type-checked by `npm run typecheck`; a mistake there must not stop `npm start`.
  typescript: { tsconfigPath: "tsconfig.build.json" },
  // Per-request page headers (CSP with its nonce, the referrer policy of pages carrying codes, HSTS) are set in proxy.ts.
  async headers() {
    return [{ source: "/:path*", headers: [...STATIC_SECURITY_HEADERS] }];
  },
};

export default nextConfig;
