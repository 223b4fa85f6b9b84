"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { PagedList, type Column } from "@/app/(console)/_components/list";
import { Section, Badge, EmptyState, LocalTime, PageHeader, Panel, useCursorPages } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { AuditFilterBar } from "./audit-filter-bar";
import { auditExportPath } from "@/server/shared/audit-export";
import type { AppRouter } from "@/server/trpc/root";
import { EMPTY_FILTERS, hasAnyFilter, toAuditInput, type AuditFilters } from "./filters";

const VIA_TONES = { web: "slate", mcp: "brand", oauth: "green", system: "amber" } as const;

function Muted({ children }: { children: string }) {
  return <span className="text-slate-400 italic">{children}</span>;
}

export function AuditLog({ initialFilters }: { initialFilters: AuditFilters }) {
  const trpc = useTRPC();
  const [filters, setFilters] = useState(initialFilters);
  const [generation, setGeneration] = useState(0);
  const pages = useCursorPages();
  const { input, rangeError } = toAuditInput(filters);

  const events = useQuery(
    trpc.audit.list.queryOptions(
      { ...input, cursor: pages.cursor },
      { enabled: rangeError === null, placeholderData: keepPreviousData },
    ),
  );
  const filtered = hasAnyFilter(filters);

  function change(update: Partial<AuditFilters>) {
    setFilters((current) => ({ ...current, ...update }));
    pages.reset();
  }

  function clear() {
    setFilters(EMPTY_FILTERS);
    setGeneration((value) => value + 1);
    pages.reset();
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
            <PagedList
              query={events}
              pages={pages}
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
              caption="Audit events, newest first"
              rowKey={(event) => event.id}
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

const AUDIT_COLUMNS: Array<Column<AuditEvent>> = [
  { header: "Time", className: "text-slate-600", cell: (event) => <LocalTime value={event.at} /> },
  {
    header: "Actor",
    cell: (event) =>
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
  { header: "Via", cell: (event) => <Badge tone={VIA_TONES[event.actorVia]}>{event.actorVia}</Badge> },
  { header: "Action", className: "font-mono text-xs whitespace-nowrap", cell: (event) => event.action },
  {
    header: "Target",
    cell: (event) =>
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
    header: "Domain",
    cell: (event) =>
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
  { header: "IP", className: "font-mono text-xs whitespace-nowrap text-slate-600", cell: (event) => event.ip ?? "—" },
  { header: <span className="sr-only">Details</span>, cell: (event) => <EventDetails event={event} /> },
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
