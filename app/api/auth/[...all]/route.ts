import { getAuth } from "@/server/auth/instance";
import { withBodyLimit } from "@/server/body-limit";
import { methodNotAllowed } from "@/server/http";
import { serveAuthPreflight, serveAuthRequest } from "@/server/oauth/routes";

export const GET = async (request: Request) => serveAuthRequest(await getAuth(), request);
export const POST = withBodyLimit(async (request: Request) => serveAuthRequest(await getAuth(), request));
export const OPTIONS = serveAuthPreflight;
export const PUT = methodNotAllowed("GET, POST");
export const PATCH = PUT;
export const DELETE = PUT;
