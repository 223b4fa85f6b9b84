import { getAuth } from "@/server/auth/instance";
import { serveAuthPreflight, serveAuthRequest } from "@/server/oauth/routes";

export const GET = async (request: Request) => serveAuthRequest(await getAuth(), request);
export const POST = async (request: Request) => serveAuthRequest(await getAuth(), request);
export const OPTIONS = serveAuthPreflight;
