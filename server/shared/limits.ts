/**
 * Calls in one /api/trpc batch. The server answers a longer batch with 400; the console's batch link
 * splits at the same number, so it never sends one.
 */
export const MAX_BATCH_SIZE = 20;
