import { createLoader, listParsers, pageAndSort, textFilter } from "../../_components/list-params";

/**
 * The audit filter bar's state (in the URL) and its translation into the audit.list input (which
 * the CSV export link reuses). Shared by the server page (first prefetch) and the client, so both
 * ask for the same query key.
 */

export const AUDIT_SORTS = ["at"] as const;

/**
 * ?actor=…&search=…&action=…&result=…&clientId=…&actorUserId=…&targetType=…&targetId=…&domainId=…
 * &from=…&to=…&sort=at.asc&pages=…, and ?event=<id> for the event whose detail panel is open.
 */
export const auditParams = {
  ...listParsers(AUDIT_SORTS),
  actor: textFilter,
  search: textFilter,
  action: textFilter,
  result: textFilter,
  clientId: textFilter,
  actorUserId: textFilter,
  targetType: textFilter,
  targetId: textFilter,
  domainId: textFilter,
  from: textFilter,
  to: textFilter,
  /** The event whose detail panel is open. */
  event: textFilter,
};

export const loadAuditParams = createLoader(auditParams);

type AuditState = Awaited<ReturnType<typeof loadAuditParams>>;

export interface AuditFilters {
  /** Text in the actor's email address or name. */
  actor: string;
  /** Free text in the action, the target and the details. */
  search: string;
  action: string;
  /** "success", "failure" or "" for both. */
  result: string;
  clientId: string;
  /** An exact actor, as the dashboard links to one. */
  actorUserId: string;
  targetType: string;
  targetId: string;
  domainId: string;
  /** Values of <input type="datetime-local">, in the reader's local time; empty when unset. */
  from: string;
  to: string;
}

export const EMPTY_FILTERS: AuditFilters = {
  actor: "",
  search: "",
  action: "",
  result: "",
  clientId: "",
  actorUserId: "",
  targetType: "",
  targetId: "",
  domainId: "",
  from: "",
  to: "",
};

const FILTER_KEYS = Object.keys(EMPTY_FILTERS) as Array<keyof AuditFilters>;

/** The filters of the list's URL state. */
export function filtersOf(state: AuditState): AuditFilters {
  return Object.fromEntries(FILTER_KEYS.map((key) => [key, state[key]])) as unknown as AuditFilters;
}

/** The order and page of the list's URL state, left out when default (one cache key with the server's prefetch). */
export function auditPageAndSort(state: AuditState) {
  return pageAndSort(state);
}

export const AUDIT_RESULTS = ["success", "failure"] as const;
type AuditResult = (typeof AUDIT_RESULTS)[number];

export interface AuditFilterInput {
  actor?: string;
  search?: string;
  action?: string;
  result?: AuditResult;
  clientId?: string;
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
const LINKABLE = ["actor", "search", "action", "clientId", "actorUserId", "targetType", "targetId", "domainId"] as const;

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

function isResult(value: string): value is AuditResult {
  return (AUDIT_RESULTS as readonly string[]).includes(value);
}

export function toAuditInput(filters: AuditFilters): { input: AuditFilterInput; rangeError: string | null } {
  const input: AuditFilterInput = {};
  for (const key of LINKABLE) {
    const value = filters[key].trim();
    if (value !== "") input[key] = value;
  }
  // A result typed into the URL by hand that is neither is ignored, as an unknown sort is.
  if (isResult(filters.result)) input.result = filters.result;
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
