import { createLoader, listParsers, pageAndSort, textFilter } from "../../_components/list-params";

/**
 * The audit filter bar's state (in the URL) and its translation into the audit.list input (which
 * the CSV export link reuses). Shared by the server page (first prefetch) and the client, so both
 * ask for the same query key.
 */

export const AUDIT_SORTS = ["at"] as const;

/** ?action=…&actorUserId=…&targetType=…&targetId=…&domainId=…&from=…&to=…&sort=at.asc&pages=… */
export const auditParams = {
  ...listParsers(AUDIT_SORTS),
  action: textFilter,
  actorUserId: textFilter,
  targetType: textFilter,
  targetId: textFilter,
  domainId: textFilter,
  from: textFilter,
  to: textFilter,
};

export const loadAuditParams = createLoader(auditParams);

type AuditState = Awaited<ReturnType<typeof loadAuditParams>>;

/** The filters of the list's URL state. */
export function filtersOf(state: AuditState): AuditFilters {
  const { action, actorUserId, targetType, targetId, domainId, from, to } = state;
  return { action, actorUserId, targetType, targetId, domainId, from, to };
}

/** The order and page of the list's URL state, left out when default (one cache key with the server's prefetch). */
export function auditPageAndSort(state: AuditState) {
  return pageAndSort(state);
}

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
 * Filters the server's render can apply (and another page may link to, /audit?domainId=…). The
 * time range is left out there: a datetime-local value means the reader's time zone, which the
 * server render cannot know.
 */
const LINKABLE = ["action", "actorUserId", "targetType", "targetId", "domainId"] as const;

/** The filters of a server render: the time range left to the browser. */
export function serverFilters(filters: AuditFilters): AuditFilters {
  return { ...filters, from: "", to: "" };
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
