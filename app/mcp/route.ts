import { mcpRoute } from "@/server/routes";

export const { POST, GET, DELETE, OPTIONS, PUT, PATCH } = mcpRoute;
