import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { methodNotAllowed } from "@/server/http";
import { serveAuthPreflight, serveAuthRequest } from "@/server/oauth/routes";

export const GET = async (request: Request) => serveAuthRequest(await getAuth(), request);
export const POST = withBodyLimit(async (request: Request) => serveAuthRequest(await getAuth(), request));
// RFC 7592: a client updates and deletes its own registration at /oauth2/register/<client_id>.
export const PUT = POST;
export const DELETE = async (request: Request) => serveAuthRequest(await getAuth(), request);
export const OPTIONS = serveAuthPreflight;
export const PATCH = methodNotAllowed("GET, POST, PUT, DELETE");
