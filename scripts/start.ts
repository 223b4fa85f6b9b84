/**
 * Kept for callers that run `tsx scripts/start.ts` (the bench, older scripts): the launcher is
 * scripts/start.mjs, which `npm start` runs with plain Node so that only it and Next.js stay resident.
 */
import "./start.mjs";
