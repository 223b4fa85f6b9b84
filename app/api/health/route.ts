import { healthRoute } from "@/server/routes";

export const { GET, POST, PUT, PATCH, DELETE } = healthRoute;
