"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { DataTable, useListState } from "@/app/(console)/_components/data-table";
import { Section, Button, EmptyState, LocalTime, PageHeader, Panel } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { AuditEventPanel } from "./audit-event-panel";
import { AuditFilterBar } from "./audit-filter-bar";
import { auditExportPath } from "@/server/shared/audit-export";
import { auditColumns, type AuditEvent } from "./audit-columns";
import { EMPTY_FILTERS, auditPageAndSort, auditParams, filtersOf, hasAnyFilter, toAuditInput, type AuditFilters } from "./filters";

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
  const searchedTo = events.data?.searchedTo;
  const older = events.data?.nextCursor ?? null;
  const openEvent = (event: AuditEvent) => list.set({ event: event.id });

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
            <>
              {searchedTo && older && !events.isPlaceholderData ? (
                // A text search reads a bounded stretch of the log per page, so a short page does not mean the end.
                <div role="status" className="flex flex-wrap items-center gap-3 border-b border-slate-200 px-4 py-3 text-sm text-slate-700">
                  <span>
                    Searched events back to <LocalTime value={searchedTo} />; older events are not searched yet.
                  </span>
                  <Button onClick={() => list.next(older)}>Search older events</Button>
                </div>
              ) : null}
              <DataTable
                query={events}
                list={list}
                defaultSort={{ by: "at", direction: "desc" }}
                what="audit events"
                failed="The audit log could not be loaded"
                pagerLabel="Audit log pages"
                empty={
                  searchedTo && older ? (
                    <EmptyState title="No events match in the stretch searched so far">Search older events, or change the filters.</EmptyState>
                  ) : filtered ? (
                    <EmptyState title="No events match these filters">Widen the time range or clear a filter.</EmptyState>
                  ) : (
                    <EmptyState title="No events yet">Changes to users, roles, domains and clients will be listed here.</EmptyState>
                  )
                }
                caption={list.sort?.direction === "asc" ? "Audit events, oldest first" : "Audit events, newest first"}
                getRowId={(event) => event.id}
                onRowClick={openEvent}
                rowClassName="cursor-pointer hover:bg-slate-50"
                alignTop
                columns={auditColumns(openEvent)}
              />
            </>
          )}
        </Panel>
      </Section>
      <AuditEventPanel eventId={list.state.event || null} onClose={() => list.set({ event: null })} />
    </>
  );
}

function sameFilters(a: AuditFilters, b: AuditFilters): boolean {
  return (Object.keys(a) as Array<keyof AuditFilters>).every((key) => a[key] === b[key]);
}
