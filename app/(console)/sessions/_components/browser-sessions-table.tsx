"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { DataTable, type DataColumn, type ListState } from "../../_components/data-table";
import { sortableTimeColumn } from "../../_components/columns";
import type { ListSort } from "../../_components/list-params";
import { actionColumn, UserCell } from "../../_components/list";
import { Badge, ConfirmDialog, EmptyState, Panel } from "../../_components/ui";
import { sessionsInput, type SESSION_SORTS } from "./queries";
import { useInvalidateRevocations, type SessionItem } from "./shared";

export function BrowserSessionsTable({
  userId,
  filtered,
  list,
}: {
  userId: string;
  filtered: boolean;
  list: ListState & { state: { sort: ListSort<(typeof SESSION_SORTS)[number]> | null; pages: string[] } };
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const sessions = useQuery({
    ...trpc.sessions.list.queryOptions(sessionsInput(userId, list.state)),
    placeholderData: keepPreviousData,
  });
  const revokeMany = useMutation(trpc.sessions.revokeMany.mutationOptions({ onSuccess: invalidate }));
  const { target: revoking, ask, dialog } = useConfirmedMutation({
    mutation: trpc.sessions.revoke.mutationOptions(),
    variables: (session: SessionItem) => ({ sessionId: session.id }),
    onSuccess: invalidate,
    success: (session) => `The session of ${session.userEmail} on ${session.device} is ended.`,
  });

  return (
    <Panel className="overflow-hidden">
      <DataTable
        query={sessions}
        list={list}
        defaultSort={{ by: "lastActive", direction: "desc" }}
        what="browser sessions"
        failed="The sessions could not be loaded"
        empty={
          <EmptyState title={filtered ? "This user has no browser sessions" : "No browser sessions"}>
            A session starts when someone signs in to Gatehouse in a browser.
          </EmptyState>
        }
        caption="Browser sessions"
        getRowId={(session) => session.id}
        bulk={{
          verb: "Revoke",
          done: "Revoked",
          noun: ["session", "sessions"],
          // Ending one's own current session is signing out, which the sidebar offers.
          allows: (session) => session.can.revoke && !session.current,
          name: (session) => `${session.userEmail} on ${session.device}`,
          consequence: "Those browsers are signed out at once; the people's other sessions and app tokens are not affected.",
          pending: revokeMany.isPending,
          error: revokeMany.error?.message,
          run: (rows) => revokeMany.mutateAsync({ sessionIds: rows.map((session) => session.id) }),
        }}
        columns={[
          ...SESSION_COLUMNS,
          // Ending one's own current session is signing out, which the sidebar offers.
          actionColumn({
            label: "Revoke",
            name: (session) => `Revoke the session of ${session.userEmail} on ${session.device}`,
            show: (session) => session.can.revoke && !session.current,
            onClick: ask,
          }),
        ]}
      />
      <ConfirmDialog
        {...dialog}
        title="Revoke session"
        confirmLabel="Revoke session"
      >
        {revoking ? (
          <p>
            End the session of <strong>{revoking.userEmail}</strong> on <strong>{revoking.device}</strong>
            {revoking.ipAddress ? ` (${revoking.ipAddress})` : ""}? That browser is signed out at once; their other sessions and app
            tokens are not affected.
          </p>
        ) : null}
      </ConfirmDialog>
    </Panel>
  );
}

const SESSION_COLUMNS: Array<DataColumn<SessionItem>> = [
  {
    id: "user",
    header: "User",
    enableHiding: false,
    meta: { key: true },
    cell: ({ row: { original: session } }) => <UserCell email={session.userEmail} name={session.userName} />,
  },
  {
    id: "device",
    header: "Device",
    meta: { className: "text-slate-700", title: (session) => session.userAgent ?? undefined },
    cell: ({ row: { original: session } }) => (
      <>
        {session.device} {session.current ? <Badge tone="brand">This session</Badge> : null}
      </>
    ),
  },
  { id: "ipAddress", header: "IP address", meta: { className: "font-mono text-xs text-slate-600" }, cell: ({ row }) => row.original.ipAddress ?? "Unknown" },
  sortableTimeColumn("lastActive", "Last seen", (session) => session.lastSeenAt),
  sortableTimeColumn("createdAt", "Signed in", (session) => session.createdAt),
];
