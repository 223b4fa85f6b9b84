import { getAuth } from "@/server/auth/instance";
import { getEnv } from "@/server/env";
import { corsPreflight, withCors } from "@/server/oauth/cors";
import { issuerMetadataResponse } from "@/server/oauth/discovery";

export async function GET(request: Request, { params }: { params: Promise<{ issuer?: string[] }> }) {
  const { issuer = [] } = await params;
  return withCors(await issuerMetadataResponse(await getAuth(), getEnv().publicUrl, "openid-configuration", issuer, request));
}

export const OPTIONS = corsPreflight;
