import { issuerMetadataRoute } from "@/server/routes";

export const { GET, OPTIONS, POST, PUT, PATCH, DELETE } = issuerMetadataRoute("oauth-authorization-server");
