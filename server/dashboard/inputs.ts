import { z } from "zod";

import { DASHBOARD_RANGES } from "@/server/shared/dashboard";

export type { DashboardRange } from "@/server/shared/dashboard";

export const activityInput = z.object({
  range: z
    .enum(DASHBOARD_RANGES, { error: 'Choose the range "24h", "7d" or "30d".' })
    .default("24h")
    .describe('The period charted: "24h" in hourly buckets, "7d" or "30d" in daily buckets (UTC).'),
});

export const securityEventsInput = z
  .object({
    limit: z
      .number()
      .int("The limit must be a whole number.")
      .min(1, "Ask for at least one event.")
      .max(50, "Ask for at most 50 events.")
      .default(10)
      .describe("How many of the most recent security events to return."),
  })
  .prefault({});

export const topClientsInput = z
  .object({
    limit: z
      .number()
      .int("The limit must be a whole number.")
      .min(1, "Ask for at least one client.")
      .max(20, "Ask for at most 20 clients.")
      .default(5)
      .describe("How many clients to list, those with the most users holding a live grant first."),
  })
  .prefault({});

export const registeredClientsInput = z
  .object({
    limit: z
      .number()
      .int("The limit must be a whole number.")
      .min(1, "Ask for at least one client.")
      .max(20, "Ask for at most 20 clients.")
      .default(5)
      .describe("How many of the most recently registered clients to list."),
  })
  .prefault({});
