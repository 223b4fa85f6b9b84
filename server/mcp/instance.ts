import "server-only";
import { getAuth } from "@/server/auth/instance";
import { getAppDatabase } from "@/server/db";
import { getEnv } from "@/server/env";
import { createMcpEndpoint, type McpEndpoint } from "./endpoint";

let endpoint: Promise<McpEndpoint> | undefined;

/** One endpoint per process, so the verifier's signing-key cache is shared by every request. */
export function getMcpEndpoint(): Promise<McpEndpoint> {
  endpoint ??= getAuth().then((auth) => createMcpEndpoint(getAppDatabase().db, auth, getEnv().publicUrl));
  endpoint.catch(() => {
    endpoint = undefined;
  });
  return endpoint;
}
