"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { ErrorState, LoadingState, LocalTime, Panel } from "../../_components/ui";

function count(value: number, one: string, many: string): string {
  return `${value} ${value === 1 ? one : many}`;
}

/**
 * How many clients registered themselves lately, and what becomes of the ones nobody uses: for
 * holders of clients:read globally (self-registered clients belong to no domain).
 */
export function RegistrationSummary() {
  const trpc = useTRPC();
  const headingId = useId();
  const summary = useQuery(trpc.clients.registrationSummary.queryOptions());
  return (
    <section aria-labelledby={headingId} className="mt-8">
      <Panel>
        <div className="border-b border-slate-200 px-5 py-4">
          <h2 id={headingId} className="text-base font-semibold">
            Self-registered clients
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            MCP clients register themselves (RFC 7591) the first time someone connects them. One that nobody has authorized, or whose
            every grant has ended, is removed after a while; it registers again when someone connects it.
          </p>
        </div>
        {summary.isPending ? (
          <LoadingState label="Loading the registration summary…" />
        ) : summary.isError ? (
          <ErrorState message={`The registration summary could not be loaded: ${summary.error.message}`} onRetry={() => void summary.refetch()} />
        ) : (
          <div className="space-y-3 px-5 py-4 text-sm text-slate-700">
            <dl className="grid grid-cols-2 gap-4 sm:grid-cols-4">
              <div>
                <dt className="text-xs text-slate-500">Last 24 hours</dt>
                <dd className="text-lg font-semibold text-slate-900">{summary.data.registeredLastDay}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Last 7 days</dt>
                <dd className="text-lg font-semibold text-slate-900">{summary.data.registeredLastWeek}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">In all</dt>
                <dd className="text-lg font-semibold text-slate-900">{summary.data.selfRegistered}</dd>
              </div>
              <div>
                <dt className="text-xs text-slate-500">Unused (no grant)</dt>
                <dd className="text-lg font-semibold text-slate-900">{summary.data.unused}</dd>
              </div>
            </dl>
            <p>
              A self-registered client with no grant for {count(summary.data.unusedClientDays, "day", "days")} is removed
              (GATEHOUSE_UNUSED_CLIENT_DAYS).{" "}
              {summary.data.dueForRemoval > 0
                ? `${count(summary.data.dueForRemoval, "client is", "clients are")} due and will be removed within the hour. `
                : null}
              {summary.data.nextRemovalAt ? (
                <>
                  The next unused client goes on <LocalTime value={summary.data.nextRemovalAt} /> unless someone authorizes it first.
                </>
              ) : summary.data.unused === 0 ? (
                "Every self-registered client is in use."
              ) : null}
            </p>
          </div>
        )}
      </Panel>
    </section>
  );
}
