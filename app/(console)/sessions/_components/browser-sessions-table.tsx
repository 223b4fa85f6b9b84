"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Badge, Button, ConfirmDialog, EmptyState, ErrorState, LoadingState, LocalTime, Pager, Panel, useCursorPages } from "../../_components/ui";
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
  const [revoking, setRevoking] = useState<SessionItem | null>(null);
  const sessions = useQuery({
    ...trpc.sessions.list.queryOptions(sessionsInput(userId, pages.cursor)),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation(
    trpc.sessions.revoke.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await invalidate();
      },
    }),
  );
  const nextCursor = sessions.data?.nextCursor ?? null;

  return (
    <Panel className="overflow-hidden">
      {sessions.isPending ? (
        <LoadingState label="Loading browser sessions…" />
      ) : sessions.isError ? (
        <ErrorState message={`The sessions could not be loaded: ${sessions.error.message}`} onRetry={() => void sessions.refetch()} />
      ) : sessions.data.items.length === 0 ? (
        pages.pageNumber > 1 ? (
          <EmptyState title="No more sessions on this page">
            <Button className="mt-3" onClick={pages.reset}>
              Back to the first page
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title={filtered ? "This user has no browser sessions" : "No browser sessions"}>
            A session starts when someone signs in to Gatehouse in a browser.
          </EmptyState>
        )
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={sessions.isPlaceholderData || undefined}>
            <caption className="sr-only">Browser sessions</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-3">
                  User
                </th>
                <th scope="col" className="px-4 py-3">
                  Device
                </th>
                <th scope="col" className="px-4 py-3">
                  IP address
                </th>
                <th scope="col" className="px-4 py-3">
                  Last seen
                </th>
                <th scope="col" className="px-4 py-3">
                  Signed in
                </th>
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className={`divide-y divide-slate-100 ${sessions.isPlaceholderData ? "opacity-60" : ""}`}>
              {sessions.data.items.map((session) => (
                <tr key={session.id}>
                  <td className="px-4 py-3">
                    <p className="font-medium break-all text-slate-900">{session.userEmail}</p>
                    <p className="text-xs text-slate-500">{session.userName}</p>
                  </td>
                  <td className="px-4 py-3 text-slate-700" title={session.userAgent ?? undefined}>
                    {session.device} {session.current ? <Badge tone="brand">This session</Badge> : null}
                  </td>
                  <td className="px-4 py-3 font-mono text-xs text-slate-600">{session.ipAddress ?? "Unknown"}</td>
                  <td className="px-4 py-3 text-slate-600">
                    <LocalTime value={session.lastSeenAt} />
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    <LocalTime value={session.createdAt} />
                  </td>
                  <td className="px-4 py-3 text-right">
                    {/* Ending one's own current session is signing out, which the sidebar offers. */}
                    {session.can.revoke && !session.current ? (
                      <Button
                        variant="ghost"
                        aria-label={`Revoke the session of ${session.userEmail} on ${session.device}`}
                        onClick={() => {
                          revoke.reset();
                          setRevoking(session);
                        }}
                      >
                        Revoke
                      </Button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {sessions.isSuccess && (sessions.data.items.length > 0 || pages.pageNumber > 1) ? (
        <Pager
          label="Browser sessions pages"
          pageNumber={pages.pageNumber}
          hasNext={nextCursor !== null && !sessions.isPlaceholderData}
          onNext={() => {
            if (nextCursor) pages.next(nextCursor);
          }}
          onPrevious={pages.previous}
        />
      ) : null}
      <ConfirmDialog
        open={revoking !== null}
        onCancel={() => setRevoking(null)}
        onConfirm={() => {
          if (revoking) revoke.mutate({ sessionId: revoking.id });
        }}
        title="Revoke session"
        confirmLabel="Revoke session"
        pending={revoke.isPending}
        error={revoke.error?.message}
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
