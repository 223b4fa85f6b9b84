import { createLoader, parseAsStringLiteral } from "nuqs/server";
import { DASHBOARD_RANGES } from "@/server/shared/dashboard";

/** The dashboard's URL state (`/?range=7d`), read the same way by the server render and the browser. */
export const dashboardSearchParams = {
  range: parseAsStringLiteral(DASHBOARD_RANGES).withDefault("24h"),
};

export const loadDashboardSearchParams = createLoader(dashboardSearchParams);
