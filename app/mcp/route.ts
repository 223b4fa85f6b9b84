import { withBodyLimit } from "@/server/body-limit";
import { handleMcpRequest } from "@/server/mcp/endpoint";
import { getMcpEndpoint } from "@/server/mcp/instance";

const handle = withBodyLimit(async (request: Request) => handleMcpRequest(await getMcpEndpoint(), request));

export { handle as POST, handle as GET, handle as DELETE, handle as OPTIONS, handle as PUT, handle as PATCH };
