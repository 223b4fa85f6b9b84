import { getEnv } from "@/server/env";
import { serveProtectedResourceMetadata } from "@/server/mcp/endpoint";

async function handle(request: Request, { params }: { params: Promise<{ resource?: string[] }> }) {
  const { resource = [] } = await params;
  return serveProtectedResourceMetadata(getEnv().publicUrl, resource, request.method);
}

export { handle as GET, handle as OPTIONS };
