import { randomUUID } from "node:crypto";

/** A fixed instant, and seconds after it, so tests place events in order without waiting. */
export const BASE = Date.UTC(2026, 0, 1);
export const atSecond = (n: number) => new Date(BASE + n * 1000);

let prefixSequence = 0;

/** An action prefix no other test uses, so that filtering on it isolates one test's events. */
export function uniqueActionPrefix(): string {
  prefixSequence += 1;
  return `t${prefixSequence}${randomUUID().slice(0, 6)}.`;
}
