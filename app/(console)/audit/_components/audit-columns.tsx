"use client";

import type { inferRouterOutputs } from "@trpc/server";
import type { DataColumn } from "@/app/(console)/_components/data-table";
import { Badge, Button, LocalTime } from "@/app/(console)/_components/ui";
import type { AppRouter } from "@/server/trpc/root";
import { ResultBadge, VIA_TONES } from "./event-badges";

export type AuditEvent = inferRouterOutputs<AppRouter>["audit"]["list"]["items"][number];

function Muted({ children }: { children: string }) {
  return <span className="text-slate-400 italic">{children}</span>;
}

/** The log's columns; a row opens the event's detail panel, and so does its Details button, for keyboard users. */
export function auditColumns(onOpen: (event: AuditEvent) => void): Array<DataColumn<AuditEvent>> {
  return [
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
    {
      id: "via",
      header: "Via",
      cell: ({ row: { original: event } }) => (
        <>
          <Badge tone={VIA_TONES[event.actorVia]}>{event.actorVia}</Badge>
          {event.clientId ? <span className="mt-1 block text-xs break-all text-slate-600">{event.clientName ?? event.clientId}</span> : null}
        </>
      ),
    },
    { id: "action", header: "Action", meta: { className: "font-mono text-xs whitespace-nowrap" }, cell: ({ row }) => row.original.action },
    { id: "result", header: "Result", cell: ({ row }) => <ResultBadge result={row.original.result} /> },
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
      meta: { className: "text-right" },
      cell: ({ row: { original: event } }) => (
        <Button
          variant="ghost"
          aria-label={`Details of ${event.action} at ${new Date(event.at).toISOString()}`}
          onClick={(click) => {
            // The row's own click would open it a second time.
            click.stopPropagation();
            onOpen(event);
          }}
        >
          Details
        </Button>
      ),
    },
  ];
}
