/**
 * The audit filter bar's state and its translation into the audit.list input (which the CSV
 * export link reuses). Shared by the server page (first prefetch) and the client, so both ask for
 * the same query key.
 */

export interface AuditFilters {
  action: string;
  actorUserId: string;
  targetType: string;
  targetId: string;
  domainId: string;
  /** Values of <input type="datetime-local">, in the reader's local time; empty when unset. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = {
  action: "",
  actorUserId: "",
  targetType: "",
  targetId: "",
  domainId: "",
  from: "",
  to: "",
};

export interface AuditFilterInput {
  action?: string;
  actorUserId?: string;
  targetType?: string;
  targetId?: string;
  domainId?: string;
  from?: Date;
  to?: Date;
}

/**
 * Filters another page may link to (/audit?domainId=…). The time range is left out: a
 * datetime-local value means the reader's time zone, which the server render cannot know.
 */
const LINKABLE = ["action", "actorUserId", "targetType", "targetId", "domainId"] as const;

export function filtersFromSearchParams(params: Record<string, string | string[] | undefined>): AuditFilters {
  const filters = { ...EMPTY_FILTERS };
  for (const key of LINKABLE) {
    const value = params[key];
    if (typeof value === "string") filters[key] = value.trim().slice(0, 100);
  }
  return filters;
}

const MINUTE_ONLY = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/;
const WHOLE_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/;

/**
 * A datetime-local value as an instant. "To" includes the whole minute (or second) it names, so
 * "to 12:00" keeps the events of 12:00:30, as a person reading the filter expects.
 */
function localInstant(value: string, end: boolean): Date | undefined {
  if (value === "") return undefined;
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) return undefined;
  if (end && MINUTE_ONLY.test(value)) return new Date(date.getTime() + 59_999);
  if (end && WHOLE_SECONDS.test(value)) return new Date(date.getTime() + 999);
  return date;
}

export function toAuditInput(filters: AuditFilters): { input: AuditFilterInput; rangeError: string | null } {
  const input: AuditFilterInput = {};
  for (const key of LINKABLE) {
    const value = filters[key].trim();
    if (value !== "") input[key] = value;
  }
  const from = localInstant(filters.from, false);
  const to = localInstant(filters.to, true);
  if (from) input.from = from;
  if (to) input.to = to;
  const rangeError = from && to && from.getTime() > to.getTime() ? "The “From” time must not be after the “To” time." : null;
  return { input, rangeError };
}

export function hasAnyFilter(filters: AuditFilters): boolean {
  return Object.values(filters).some((value) => value !== "");
}

/** Action names grouped by the part before the first dot, for the select's "role.*" options. */
export function groupActions(actions: readonly string[]): { groups: [prefix: string, actions: string[]][]; ungrouped: string[] } {
  const groups = new Map<string, string[]>();
  const ungrouped: string[] = [];
  for (const action of actions) {
    const dot = action.indexOf(".");
    if (dot <= 0) {
      ungrouped.push(action);
      continue;
    }
    const prefix = action.slice(0, dot + 1);
    let list = groups.get(prefix);
    if (!list) groups.set(prefix, (list = []));
    list.push(action);
  }
  return { groups: [...groups].sort(([a], [b]) => a.localeCompare(b)), ungrouped };
}
