import { auditExportRoute } from "@/server/routes";

export const { GET, POST, PUT, PATCH, DELETE } = auditExportRoute;
