"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import Link from "next/link";
import { useId, type ReactNode } from "react";
import { Badge, CopyButton, Dialog, ErrorState, LoadingState, LocalTime } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { ResultBadge, VIA_TONES } from "./event-badges";

type AuditEventDetail = inferRouterOutputs<AppRouter>["audit"]["get"];

const LINK = "font-medium text-brand-600 hover:underline";

/**
 * One audit event in full, in a drawer whose state is the URL's `?event=<id>` (so a reload or a
 * shared link opens it again): loaded with audit.get, which finds only events the reader may see.
 */
export function AuditEventPanel({ eventId, onClose }: { eventId: string | null; onClose: () => void }) {
  const trpc = useTRPC();
  const event = useQuery({ ...trpc.audit.get.queryOptions({ id: eventId ?? "" }), enabled: eventId !== null });
  let body: ReactNode = null;
  if (event.isPending) body = <LoadingState label="Loading the event…" />;
  else if (event.isError) body = <ErrorState message={`This event could not be loaded: ${event.error.message}`} onRetry={() => void event.refetch()} />;
  else body = <EventDetail event={event.data} />;
  return (
    <Dialog open={eventId !== null} side onClose={onClose} title={event.data ? event.data.action : "Audit event"}>
      {body}
    </Dialog>
  );
}

function EventDetail({ event }: { event: AuditEventDetail }) {
  const headingId = useId();
  const json = JSON.stringify(event.details, null, 2);
  const rows: Array<[string, ReactNode]> = [
    [
      "Time",
      <span key="time">
        <LocalTime value={event.at} />
        <span className="block font-mono text-xs text-slate-500">{new Date(event.at).toISOString()}</span>
      </span>,
    ],
    ["Action", <span key="action" className="font-mono">{event.action}</span>],
    ["Result", <ResultBadge key="result" result={event.result} />],
    ["Actor", <Actor key="actor" event={event} />],
    ["Via", <Badge key="via" tone={VIA_TONES[event.actorVia]}>{event.actorVia}</Badge>],
    ["Target", <Target key="target" event={event} />],
    ["Domain", event.domainId ? <Named key="domain" href={`/domains/${encodeURIComponent(event.domainId)}`} name={event.domainName} id={event.domainId} gone="deleted domain" /> : "—"],
    ["Client", event.clientId ? <Named key="client" href={`/clients/${encodeURIComponent(event.clientId)}`} name={event.clientName} id={event.clientId} gone="deleted client" /> : "—"],
    ["IP address", <span key="ip" className="font-mono">{event.ip ?? "—"}</span>],
    ["User agent", <span key="agent" className="break-words">{event.userAgent ?? "—"}</span>],
    ["Event ID", <span key="id" className="font-mono text-xs break-all">{event.id}</span>],
  ];
  return (
    <div className="space-y-6">
      <dl className="divide-y divide-slate-100 rounded-md border border-slate-200">
        {rows.map(([label, value]) => (
          <div key={label} className="grid grid-cols-3 gap-3 px-3 py-2 text-sm">
            <dt className="text-slate-500">{label}</dt>
            <dd className="col-span-2 min-w-0 break-words">{value}</dd>
          </div>
        ))}
      </dl>
      <section aria-labelledby={headingId} className="space-y-2">
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          Details
        </h3>
        {/* Wrapped, never cut: long values break onto new lines, and a tall document scrolls (by keyboard too). */}
        <pre
          tabIndex={0}
          role="region"
          aria-label="The event's details as JSON"
          className="max-h-[60vh] overflow-auto rounded-md bg-slate-50 p-3 font-mono text-xs break-all whitespace-pre-wrap text-slate-800 focus-visible:outline-2 focus-visible:outline-brand-600"
        >
          {json}
        </pre>
        <CopyButton value={json} label="Copy details" what="the details" />
      </section>
    </div>
  );
}

/** The id of something that no longer exists, said so. */
function Gone({ label, id }: { label: string; id: string }) {
  return (
    <span>
      <span className="text-slate-500 italic">{label}</span>
      <span className="block font-mono text-xs break-all text-slate-500">{id}</span>
    </span>
  );
}

/** A thing linked by its current name, or its id marked as gone when it no longer exists. */
function Named({ href, name, id, gone }: { href: string; name: string | null; id: string; gone: string }) {
  if (name === null) return <Gone label={gone} id={id} />;
  return (
    <Link href={href} className={LINK}>
      {name}
    </Link>
  );
}

function Actor({ event }: { event: AuditEventDetail }) {
  if (!event.actorUserId) return <span className="text-slate-500 italic">system</span>;
  if (!event.actorEmail) return <Gone label="deleted user" id={event.actorUserId} />;
  return (
    <span>
      <Link href={`/users?user=${encodeURIComponent(event.actorUserId)}`} className={`${LINK} break-all`}>
        {event.actorEmail}
      </Link>
      {event.actorName ? <span className="block text-xs text-slate-500">{event.actorName}</span> : null}
    </span>
  );
}

/** The pages a target links to, by its type; other kinds (sessions, tokens) have none. */
function targetHref(type: string | null, id: string): string | null {
  const encoded = encodeURIComponent(id);
  switch (type) {
    case "user":
      return `/users?user=${encoded}`;
    case "role":
      return `/roles/${encoded}`;
    case "domain":
      return `/domains/${encoded}`;
    case "client":
      return `/clients/${encoded}`;
    default:
      return null;
  }
}

function Target({ event }: { event: AuditEventDetail }) {
  if (!event.targetType && !event.targetId) return <>—</>;
  const href = event.targetId ? targetHref(event.targetType, event.targetId) : null;
  return (
    <span>
      <span className="text-slate-700">{event.targetType ?? "—"}</span>{" "}
      {href && event.targetName !== null ? (
        <Link href={href} className={`${LINK} break-all`}>
          {event.targetName}
        </Link>
      ) : href ? (
        <span className="text-slate-500 italic">(no longer exists)</span>
      ) : null}
      {event.targetId ? <span className="block font-mono text-xs break-all text-slate-500">{event.targetId}</span> : null}
    </span>
  );
}
