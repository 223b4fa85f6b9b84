import { handleMcpRequest } from "@/server/mcp/endpoint";
import { getMcpEndpoint } from "@/server/mcp/instance";

async function handle(request: Request): Promise<Response> {
  return handleMcpRequest(await getMcpEndpoint(), request);
}

export { handle as POST, handle as GET, handle as DELETE, handle as OPTIONS, handle as PUT, handle as PATCH };
