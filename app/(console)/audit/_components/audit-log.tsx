"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { DataTable, useListState, type DataColumn } from "@/app/(console)/_components/data-table";
import { Section, Badge, EmptyState, LocalTime, PageHeader, Panel } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { AuditFilterBar } from "./audit-filter-bar";
import { auditExportPath } from "@/server/shared/audit-export";
import type { AppRouter } from "@/server/trpc/root";
import { EMPTY_FILTERS, auditPageAndSort, auditParams, filtersOf, hasAnyFilter, toAuditInput, type AuditFilters } from "./filters";

const VIA_TONES = { web: "slate", mcp: "brand", oauth: "green", system: "amber" } as const;

function Muted({ children }: { children: string }) {
  return <span className="text-slate-400 italic">{children}</span>;
}

export function AuditLog() {
  const trpc = useTRPC();
  const list = useListState(auditParams);
  const filters = filtersOf(list.state);
  // The text fields are uncontrolled: when the URL's filters change from outside them (back,
  // forward, "Clear filters"), they are remounted with the URL's values.
  const [generation, setGeneration] = useState(0);
  const [typed, setTyped] = useState(filters);
  if (!sameFilters(typed, filters)) {
    setTyped(filters);
    setGeneration((value) => value + 1);
  }
  const { input, rangeError } = toAuditInput(filters);

  const events = useQuery(
    trpc.audit.list.queryOptions(
      { ...input, ...auditPageAndSort(list.state) },
      { enabled: rangeError === null, placeholderData: keepPreviousData },
    ),
  );
  const filtered = hasAnyFilter(filters);

  function change(update: Partial<AuditFilters>) {
    setTyped({ ...filters, ...update });
    list.change(Object.fromEntries(Object.entries(update).map(([key, value]) => [key, value || null])));
  }

  function clear() {
    list.change(Object.fromEntries(Object.keys(EMPTY_FILTERS).map((key) => [key, null])));
  }

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every change made through the console, the API and MCP tools, newest first."
        actions={
          rangeError === null ? (
            <a
              href={auditExportPath(input)}
              download
              className="inline-flex items-center justify-center rounded-md border border-slate-300 bg-white px-3 py-1.5 text-sm font-medium text-slate-700 shadow-sm hover:bg-slate-50 focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600"
            >
              Export CSV
            </a>
          ) : null
        }
      />
      <Section title="Filters" headingClassName="sr-only" className="mb-4">
        <Panel className="px-5 py-4">
          <AuditFilterBar filters={filters} onChange={change} onClear={clear} generation={generation} rangeError={rangeError} />
        </Panel>
      </Section>
      <Section title="Events" headingClassName="sr-only">
        <Panel className="overflow-hidden">
          {rangeError !== null ? (
            <p role="alert" className="px-6 py-6 text-sm text-red-700">
              {rangeError} Change one of them to see events.
            </p>
          ) : (
            <DataTable
              query={events}
              list={list}
              defaultSort={{ by: "at", direction: "desc" }}
              what="audit events"
              failed="The audit log could not be loaded"
              pagerLabel="Audit log pages"
              empty={
                filtered ? (
                  <EmptyState title="No events match these filters">Widen the time range or clear a filter.</EmptyState>
                ) : (
                  <EmptyState title="No events yet">Changes to users, roles, domains and clients will be listed here.</EmptyState>
                )
              }
              caption={list.sort?.direction === "asc" ? "Audit events, oldest first" : "Audit events, newest first"}
              getRowId={(event) => event.id}
              alignTop
              columns={AUDIT_COLUMNS}
            />
          )}
        </Panel>
      </Section>
    </>
  );
}

type AuditEvent = inferRouterOutputs<AppRouter>["audit"]["list"]["items"][number];

function sameFilters(a: AuditFilters, b: AuditFilters): boolean {
  return (Object.keys(a) as Array<keyof AuditFilters>).every((key) => a[key] === b[key]);
}

const AUDIT_COLUMNS: Array<DataColumn<AuditEvent>> = [
  {
    id: "at",
    header: "Time",
    enableSorting: true,
    enableHiding: false,
    meta: { key: true, className: "text-slate-600" },
    cell: ({ row }) => <LocalTime value={row.original.at} />,
  },
  {
    id: "actor",
    header: "Actor",
    cell: ({ row: { original: event } }) =>
      event.actorEmail ? (
        <span className="break-all" title={event.actorName ?? undefined}>
          {event.actorEmail}
        </span>
      ) : event.actorUserId ? (
        <Muted>deleted user</Muted>
      ) : (
        <Muted>system</Muted>
      ),
  },
  { id: "via", header: "Via", cell: ({ row }) => <Badge tone={VIA_TONES[row.original.actorVia]}>{row.original.actorVia}</Badge> },
  { id: "action", header: "Action", meta: { className: "font-mono text-xs whitespace-nowrap" }, cell: ({ row }) => row.original.action },
  {
    id: "target",
    header: "Target",
    cell: ({ row: { original: event } }) =>
      event.targetType || event.targetId ? (
        <>
          <span>{event.targetType ?? "—"}</span>
          {event.targetId ? <span className="block font-mono text-xs break-all text-slate-500">{event.targetId}</span> : null}
        </>
      ) : (
        <Muted>—</Muted>
      ),
  },
  {
    id: "domain",
    header: "Domain",
    cell: ({ row: { original: event } }) =>
      event.domainName ? (
        event.domainName
      ) : event.domainId ? (
        <>
          <Muted>deleted domain</Muted>
          <span className="block font-mono text-xs break-all text-slate-500">{event.domainId}</span>
        </>
      ) : (
        <Muted>—</Muted>
      ),
  },
  { id: "ip", header: "IP", meta: { className: "font-mono text-xs whitespace-nowrap text-slate-600" }, cell: ({ row }) => row.original.ip ?? "—" },
  {
    id: "details",
    header: () => <span className="sr-only">Details</span>,
    enableHiding: false,
    cell: ({ row }) => <EventDetails event={row.original} />,
  },
];

function EventDetails({ event }: { event: AuditEvent }) {
  return (
    <details className="group">
      <summary className="cursor-pointer text-sm font-medium whitespace-nowrap text-brand-600 hover:underline">Details</summary>
      <div className="mt-2 w-[28rem] max-w-[70vw] space-y-2 text-xs text-slate-600">
        <pre className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 font-mono break-all whitespace-pre-wrap text-slate-800">
          {JSON.stringify(event.details, null, 2)}
        </pre>
        <p>
          <span className="font-medium text-slate-700">User agent:</span> {event.userAgent ?? "—"}
        </p>
        {event.clientId ? (
          <p>
            <span className="font-medium text-slate-700">OAuth client:</span> <span className="font-mono">{event.clientId}</span>
          </p>
        ) : null}
        {event.actorUserId ? (
          <p>
            <span className="font-medium text-slate-700">Actor user ID:</span> <span className="font-mono">{event.actorUserId}</span>
          </p>
        ) : null}
      </div>
    </details>
  );
}
