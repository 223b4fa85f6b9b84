"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { actionColumn, PagedList, UserCell } from "../../_components/list";
import { Badge, ConfirmDialog, EmptyState, LocalTime, Panel, useCursorPages } from "../../_components/ui";
import { sessionsInput } from "./queries";
import { useInvalidateRevocations, type SessionItem } from "./shared";

export function BrowserSessionsTable({
  userId,
  filtered,
  pages,
}: {
  userId: string;
  filtered: boolean;
  pages: ReturnType<typeof useCursorPages>;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const sessions = useQuery({
    ...trpc.sessions.list.queryOptions(sessionsInput(userId, pages.cursor)),
    placeholderData: keepPreviousData,
  });
  const { target: revoking, ask, dialog } = useConfirmedMutation({
    mutation: trpc.sessions.revoke.mutationOptions(),
    variables: (session: SessionItem) => ({ sessionId: session.id }),
    onSuccess: invalidate,
  });

  return (
    <Panel className="overflow-hidden">
      <PagedList
        query={sessions}
        pages={pages}
        what="browser sessions"
        failed="The sessions could not be loaded"
        empty={
          <EmptyState title={filtered ? "This user has no browser sessions" : "No browser sessions"}>
            A session starts when someone signs in to Gatehouse in a browser.
          </EmptyState>
        }
        caption="Browser sessions"
        rowKey={(session) => session.id}
        columns={[
          {
            header: "User",
            cell: (session) => <UserCell email={session.userEmail} name={session.userName} />,
          },
          {
            header: "Device",
            className: "text-slate-700",
            title: (session) => session.userAgent ?? undefined,
            cell: (session) => (
              <>
                {session.device} {session.current ? <Badge tone="brand">This session</Badge> : null}
              </>
            ),
          },
          { header: "IP address", className: "font-mono text-xs text-slate-600", cell: (session) => session.ipAddress ?? "Unknown" },
          { header: "Last seen", className: "text-slate-600", cell: (session) => <LocalTime value={session.lastSeenAt} /> },
          { header: "Signed in", className: "text-slate-600", cell: (session) => <LocalTime value={session.createdAt} /> },
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
