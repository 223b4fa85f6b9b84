"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { DataTable, useListState, type DataColumn } from "../../_components/data-table";
import { listParsers, prefixedKeys } from "../../_components/list-params";
import { Badge, Button, ConfirmDialog, EmptyState, LocalTime } from "../../_components/ui";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { useInvalidate } from "../../_components/use-invalidate";

type OwnSession = inferRouterOutputs<AppRouter>["account"]["sessions"][number];

function sessionName(session: OwnSession): string {
  return session.ipAddress ? `${session.device} (${session.ipAddress})` : session.device;
}

const OWN_SESSIONS_PARAMS = listParsers([] as const);
const OWN_SESSIONS_URL_KEYS = prefixedKeys(["sort", "pages", "hide"] as const, "sessions.");

const OWN_SESSION_COLUMNS: Array<DataColumn<OwnSession>> = [
  {
    id: "device",
    header: "Device",
    enableHiding: false,
    meta: { key: true, className: "font-medium", title: (session) => session.userAgent ?? undefined },
    cell: ({ row: { original: session } }) => (
      <>
        {session.device} {session.current ? <Badge tone="brand">This device</Badge> : null}
      </>
    ),
  },
  { id: "ipAddress", header: "IP address", meta: { className: "font-mono text-xs text-slate-600" }, cell: ({ row }) => row.original.ipAddress ?? "Unknown" },
  { id: "lastSeen", header: "Last seen", meta: { className: "text-slate-600" }, cell: ({ row }) => <LocalTime value={row.original.lastSeenAt} /> },
  { id: "createdAt", header: "Signed in", meta: { className: "text-slate-600" }, cell: ({ row }) => <LocalTime value={row.original.createdAt} /> },
];

export function AccountSessions() {
  const trpc = useTRPC();
  const invalidateQueries = useInvalidate();
  // One's own sessions are few and come in one answer: the table reads them as a page without a next one.
  const sessions = useQuery({ ...trpc.account.sessions.queryOptions(), select: (items) => ({ items, nextCursor: null }) });
  const list = useListState(OWN_SESSIONS_PARAMS, OWN_SESSIONS_URL_KEYS);
  const [endingOthers, setEndingOthers] = useState(false);

  const invalidate = () =>
    invalidateQueries(
      trpc.account.sessions.pathKey(),
      trpc.grants.pathKey(),
      trpc.sessions.pathKey(),
      trpc.users.pathKey(),
      trpc.audit.pathKey(),
    );
  const endOne = useConfirmedMutation({
    mutation: trpc.account.revokeSession.mutationOptions(),
    variables: (session: OwnSession) => ({ sessionId: session.id }),
    onSuccess: invalidate,
    success: (session) => `Your session on ${sessionName(session)} was ended.`,
  });
  const endOthers = useMutation(
    trpc.account.revokeOtherSessions.mutationOptions({
      onSuccess: async (ended) => {
        setEndingOthers(false);
        toast.success(ended.sessions === 1 ? "1 other session was ended." : `${ended.sessions} other sessions were ended.`);
        await invalidate();
      },
    }),
  );

  const others = sessions.data?.items.filter((session) => !session.current).length ?? 0;
  return (
    <section aria-labelledby="sessions-heading" className="rounded-xl border border-slate-200 bg-white shadow-sm">
      <div className="flex items-center justify-between gap-4 border-b border-slate-200 px-5 py-3">
        <h2 id="sessions-heading" className="text-sm font-semibold">
          Sessions
        </h2>
        {others > 0 ? (
          <Button
            variant="ghost"
            onClick={() => {
              endOthers.reset();
              setEndingOthers(true);
            }}
          >
            End all other sessions
          </Button>
        ) : null}
      </div>
      <DataTable
        query={sessions}
        list={list}
        paged={false}
        what="your sessions"
        failed="Your sessions could not be loaded"
        empty={<EmptyState title="No sessions">Browsers where you are signed in appear here.</EmptyState>}
        caption="Your sessions"
        getRowId={(session) => session.id}
        columns={[
          ...OWN_SESSION_COLUMNS,
          {
            id: "actions",
            header: () => <span className="sr-only">Actions</span>,
            enableHiding: false,
            meta: { className: "text-right" },
            cell: ({ row: { original: session } }) =>
              session.current || !session.can.revoke ? null : (
                <Button variant="ghost" aria-label={`End the session on ${sessionName(session)}`} onClick={() => endOne.ask(session)}>
                  End session
                </Button>
              ),
          },
        ]}
      />
      <ConfirmDialog
        {...endOne.dialog}
        title="End session"
        confirmLabel="End session"
      >
        {endOne.target ? (
          <p>
            End your session on <strong>{sessionName(endOne.target)}</strong>? That browser is signed out at once.
          </p>
        ) : null}
      </ConfirmDialog>
      <ConfirmDialog
        open={endingOthers}
        onCancel={() => setEndingOthers(false)}
        onConfirm={() => endOthers.mutate()}
        title="End all other sessions"
        confirmLabel="End other sessions"
        pending={endOthers.isPending}
        error={endOthers.error?.message}
      >
        <p>
          End your {others === 1 ? "other session" : `${others} other sessions`}? Every browser but this one is signed out at once.
        </p>
      </ConfirmDialog>
    </section>
  );
}
