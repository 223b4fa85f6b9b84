import { protectedResourceRoute } from "@/server/routes";

export const { GET, OPTIONS, POST, PUT, PATCH, DELETE } = protectedResourceRoute;
