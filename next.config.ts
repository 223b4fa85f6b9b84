import type { NextConfig } from "next";

const nextConfig: NextConfig = {
  poweredByHeader: false,
  // libSQL ships a native binding; bundling it breaks the .node file lookup.
  serverExternalPackages: ["@libsql/client", "libsql"],
  typedRoutes: false,
};

export default nextConfig;
