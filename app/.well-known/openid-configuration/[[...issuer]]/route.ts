import { getAuth } from "@/server/auth/instance";
import { getEnv } from "@/server/env";
import { methodNotAllowed } from "@/server/http";
import { corsPreflight } from "@/server/oauth/cors";
import { serveIssuerMetadata } from "@/server/oauth/routes";

export async function GET(request: Request, { params }: { params: Promise<{ issuer?: string[] }> }) {
  const { issuer = [] } = await params;
  return serveIssuerMetadata(await getAuth(), getEnv().publicUrl, "openid-configuration", issuer, request);
}

export const OPTIONS = corsPreflight;
export const POST = methodNotAllowed("GET");
export const PUT = POST;
export const PATCH = POST;
export const DELETE = POST;
