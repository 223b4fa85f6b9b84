import { setupRoute } from "@/server/routes";

export const { POST, GET, PUT, PATCH, DELETE } = setupRoute;
