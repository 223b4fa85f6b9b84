import { trpcRoute } from "@/server/routes";

export const { GET, POST, PUT, PATCH, DELETE } = trpcRoute;
