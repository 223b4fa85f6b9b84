"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Badge, EmptyState, ErrorState, LoadingState, PageHeader, Pager, Panel, useCursorPages } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { AuditFilterBar } from "./audit-filter-bar";
import { auditExportPath } from "@/server/shared/audit-export";
import { EMPTY_FILTERS, hasAnyFilter, toAuditInput, type AuditFilters } from "./filters";
import { LocalTime } from "@/app/(console)/_components/ui";

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
  const nextCursor = events.data?.nextCursor ?? null;
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
      <section aria-labelledby="audit-filters-heading" className="mb-4">
        <h2 id="audit-filters-heading" className="sr-only">
          Filters
        </h2>
        <Panel className="px-5 py-4">
          <AuditFilterBar filters={filters} onChange={change} onClear={clear} generation={generation} rangeError={rangeError} />
        </Panel>
      </section>
      <section aria-labelledby="audit-events-heading">
        <h2 id="audit-events-heading" className="sr-only">
          Events
        </h2>
        <Panel className="overflow-hidden">
          {rangeError !== null ? (
            <p role="alert" className="px-6 py-6 text-sm text-red-700">
              {rangeError} Change one of them to see events.
            </p>
          ) : events.isPending ? (
            <LoadingState label="Loading audit events…" />
          ) : events.isError ? (
            <ErrorState message={`The audit log could not be loaded: ${events.error.message}`} onRetry={() => void events.refetch()} />
          ) : events.data.items.length === 0 ? (
            filtered ? (
              <EmptyState title="No events match these filters">Widen the time range or clear a filter.</EmptyState>
            ) : (
              <EmptyState title="No events yet">Changes to users, roles, domains and clients will be listed here.</EmptyState>
            )
          ) : (
            <div className="overflow-x-auto">
              <table className="min-w-full divide-y divide-slate-200 text-sm">
                <caption className="sr-only">Audit events, newest first</caption>
                <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
                  <tr>
                    <th scope="col" className="px-4 py-3">
                      Time
                    </th>
                    <th scope="col" className="px-4 py-3">
                      Actor
                    </th>
                    <th scope="col" className="px-4 py-3">
                      Via
                    </th>
                    <th scope="col" className="px-4 py-3">
                      Action
                    </th>
                    <th scope="col" className="px-4 py-3">
                      Target
                    </th>
                    <th scope="col" className="px-4 py-3">
                      Domain
                    </th>
                    <th scope="col" className="px-4 py-3">
                      IP
                    </th>
                    <th scope="col" className="px-4 py-3">
                      <span className="sr-only">Details</span>
                    </th>
                  </tr>
                </thead>
                <tbody className={`divide-y divide-slate-100 align-top ${events.isPlaceholderData ? "opacity-60" : ""}`}>
                  {events.data.items.map((event) => (
                    <tr key={event.id}>
                      <td className="px-4 py-3 text-slate-600">
                        <LocalTime value={event.at} />
                      </td>
                      <td className="px-4 py-3">
                        {event.actorEmail ? (
                          <span className="break-all" title={event.actorName ?? undefined}>
                            {event.actorEmail}
                          </span>
                        ) : event.actorUserId ? (
                          <Muted>deleted user</Muted>
                        ) : (
                          <Muted>system</Muted>
                        )}
                      </td>
                      <td className="px-4 py-3">
                        <Badge tone={VIA_TONES[event.actorVia]}>{event.actorVia}</Badge>
                      </td>
                      <td className="px-4 py-3 font-mono text-xs whitespace-nowrap">{event.action}</td>
                      <td className="px-4 py-3">
                        {event.targetType || event.targetId ? (
                          <>
                            <span>{event.targetType ?? "—"}</span>
                            {event.targetId ? <span className="block font-mono text-xs break-all text-slate-500">{event.targetId}</span> : null}
                          </>
                        ) : (
                          <Muted>—</Muted>
                        )}
                      </td>
                      <td className="px-4 py-3">
                        {event.domainName ? (
                          event.domainName
                        ) : event.domainId ? (
                          <>
                            <Muted>deleted domain</Muted>
                            <span className="block font-mono text-xs break-all text-slate-500">{event.domainId}</span>
                          </>
                        ) : (
                          <Muted>—</Muted>
                        )}
                      </td>
                      <td className="px-4 py-3 font-mono text-xs whitespace-nowrap text-slate-600">{event.ip ?? "—"}</td>
                      <td className="px-4 py-3">
                        <details className="group">
                          <summary className="cursor-pointer text-sm font-medium whitespace-nowrap text-brand-600 hover:underline">
                            Details
                          </summary>
                          <div className="mt-2 w-[28rem] max-w-[70vw] space-y-2 text-xs text-slate-600">
                            <pre className="max-h-80 overflow-auto rounded-md bg-slate-50 p-3 font-mono break-all whitespace-pre-wrap text-slate-800">
                              {JSON.stringify(event.details, null, 2)}
                            </pre>
                            <p>
                              <span className="font-medium text-slate-700">User agent:</span> {event.userAgent ?? "—"}
                            </p>
                            {event.clientId ? (
                              <p>
                                <span className="font-medium text-slate-700">OAuth client:</span>{" "}
                                <span className="font-mono">{event.clientId}</span>
                              </p>
                            ) : null}
                            {event.actorUserId ? (
                              <p>
                                <span className="font-medium text-slate-700">Actor user ID:</span>{" "}
                                <span className="font-mono">{event.actorUserId}</span>
                              </p>
                            ) : null}
                          </div>
                        </details>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
          {rangeError === null && events.isSuccess && (events.data.items.length > 0 || pages.pageNumber > 1) ? (
            <Pager
              label="Audit log pages"
              pageNumber={pages.pageNumber}
              hasNext={nextCursor !== null && !events.isPlaceholderData}
              onNext={() => {
                if (nextCursor) pages.next(nextCursor);
              }}
              onPrevious={pages.previous}
            />
          ) : null}
        </Panel>
      </section>
    </>
  );
}
