import { getEnv } from "@/server/env";
import { methodNotAllowed } from "@/server/http";
import { serveProtectedResourceMetadata } from "@/server/mcp/endpoint";

async function handle(request: Request, { params }: { params: Promise<{ resource?: string[] }> }) {
  const { resource = [] } = await params;
  return serveProtectedResourceMetadata(getEnv().publicUrl, resource, request.method);
}

const wrongMethod = methodNotAllowed("GET");

export { handle as GET, handle as OPTIONS, wrongMethod as POST, wrongMethod as PUT, wrongMethod as PATCH, wrongMethod as DELETE };
