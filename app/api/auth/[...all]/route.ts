import { authRoute } from "@/server/routes";

export const { GET, POST, PUT, DELETE, OPTIONS, PATCH } = authRoute;
