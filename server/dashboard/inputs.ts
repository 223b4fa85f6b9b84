import { z } from "zod";

import { DASHBOARD_RANGES } from "@/server/shared/dashboard";

export type { DashboardRange } from "@/server/shared/dashboard";

export const activityInput = z.object({
  range: z
    .enum(DASHBOARD_RANGES, { error: 'Choose the range "24h", "7d" or "30d".' })
    .default("24h")
    .describe('The period charted: "24h" in hourly buckets, "7d" or "30d" in daily buckets (UTC).'),
});

/**
 * An input that asks for at most `max` of something, `fallback` when not given; the whole input may
 * be left out.
 */
function limitInput(options: { one: string; many: string; max: number; fallback: number; describe: string }) {
  const { one, many, max, fallback, describe } = options;
  return z
    .object({
      limit: z
        .number()
        .int("The limit must be a whole number.")
        .min(1, `Ask for at least one ${one}.`)
        .max(max, `Ask for at most ${max} ${many}.`)
        .default(fallback)
        .describe(describe),
    })
    .prefault({});
}

export const securityEventsInput = limitInput({
  one: "event",
  many: "events",
  max: 50,
  fallback: 10,
  describe: "How many of the most recent security events to return.",
});

/** Both client lists on the dashboard are short: five by default, twenty at the most. */
const CLIENT_LIMIT = { one: "client", many: "clients", max: 20, fallback: 5 };

export const topClientsInput = limitInput({
  ...CLIENT_LIMIT,
  describe: "How many clients to list, those with the most users holding a live grant first.",
});

export const registeredClientsInput = limitInput({ ...CLIENT_LIMIT, describe: "How many of the most recently registered clients to list." });
