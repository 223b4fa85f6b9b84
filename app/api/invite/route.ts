import { inviteRoute } from "@/server/routes";

export const { POST, GET, PUT, PATCH, DELETE } = inviteRoute;
