import { getAuth } from "@/server/auth/instance";
import { allowsCrossOrigin, corsPreflight, withCors } from "@/server/oauth/cors";

const BASE_PATH = "/api/auth";

async function handle(request: Request): Promise<Response> {
  const response = await (await getAuth()).handler(request);
  return allowsCrossOrigin(new URL(request.url).pathname, BASE_PATH) ? withCors(response) : response;
}

export const GET = handle;
export const POST = handle;

export function OPTIONS(request: Request): Response {
  if (allowsCrossOrigin(new URL(request.url).pathname, BASE_PATH)) return corsPreflight();
  return new Response(null, { status: 405, headers: { Allow: "GET, POST" } });
}
