"use client";

import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useState } from "react";
import { useTRPC } from "@/app/_lib/trpc/client";
import { Badge, Button, ConfirmDialog, EmptyState, ErrorState, LoadingState, LocalTime, Pager, Panel, useCursorPages } from "../../_components/ui";
import { grantsInput } from "./queries";
import { revokedSummary, tokenCounts, useInvalidateRevocations, type GrantItem } from "./shared";

export function GrantsTable({
  filters,
  filtered,
  pages,
}: {
  filters: { userId: string; clientId: string };
  filtered: boolean;
  pages: ReturnType<typeof useCursorPages>;
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const [revoking, setRevoking] = useState<GrantItem | null>(null);
  const grants = useQuery({
    ...trpc.grants.list.queryOptions(grantsInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });
  const revoke = useMutation(
    trpc.grants.revoke.mutationOptions({
      onSuccess: async () => {
        setRevoking(null);
        await invalidate();
      },
    }),
  );
  const nextCursor = grants.data?.nextCursor ?? null;

  return (
    <Panel className="overflow-hidden">
      {revoke.data ? (
        <p role="status" className="border-b border-slate-200 px-4 py-3 text-sm text-green-700">
          {revokedSummary(revoke.data)}
        </p>
      ) : null}
      {grants.isPending ? (
        <LoadingState label="Loading grants…" />
      ) : grants.isError ? (
        <ErrorState message={`The grants could not be loaded: ${grants.error.message}`} onRetry={() => void grants.refetch()} />
      ) : grants.data.items.length === 0 ? (
        pages.pageNumber > 1 ? (
          <EmptyState title="No more grants on this page">
            <Button className="mt-3" onClick={pages.reset}>
              Back to the first page
            </Button>
          </EmptyState>
        ) : (
          <EmptyState title={filtered ? "No grants match these filters" : "No grants yet"}>
            A grant appears when someone lets an application act for them.
          </EmptyState>
        )
      ) : (
        <div className="overflow-x-auto">
          <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={grants.isPlaceholderData || undefined}>
            <caption className="sr-only">Grants</caption>
            <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="px-4 py-3">
                  User
                </th>
                <th scope="col" className="px-4 py-3">
                  Client
                </th>
                <th scope="col" className="px-4 py-3">
                  Scopes
                </th>
                <th scope="col" className="px-4 py-3">
                  Granted
                </th>
                <th scope="col" className="px-4 py-3">
                  Last used
                </th>
                <th scope="col" className="px-4 py-3">
                  Live tokens
                </th>
                <th scope="col" className="px-4 py-3">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className={`divide-y divide-slate-100 ${grants.isPlaceholderData ? "opacity-60" : ""}`}>
              {grants.data.items.map((grant) => (
                <tr key={`${grant.userId}:${grant.clientId}`}>
                  <td className="px-4 py-3">
                    <p className="font-medium break-all text-slate-900">{grant.userEmail}</p>
                    <p className="text-xs text-slate-500">{grant.userName}</p>
                  </td>
                  <td className="px-4 py-3">
                    {grant.can.openClient ? (
                      <Link href={`/clients/${encodeURIComponent(grant.clientId)}`} className="font-medium text-brand-600 hover:underline">
                        {grant.clientName}
                      </Link>
                    ) : (
                      <span className="font-medium">{grant.clientName}</span>
                    )}
                  </td>
                  <td className="px-4 py-3">
                    <ul className="flex flex-wrap gap-1" aria-label={`Scopes granted to ${grant.clientName} by ${grant.userEmail}`}>
                      {grant.scopes.map((scope) => (
                        <li key={scope}>
                          <Badge>{scope}</Badge>
                        </li>
                      ))}
                    </ul>
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    <LocalTime value={grant.createdAt} />
                  </td>
                  <td className="px-4 py-3 text-slate-600">
                    {grant.lastUsedAt ? <LocalTime value={grant.lastUsedAt} /> : <span className="text-slate-400">Never</span>}
                  </td>
                  <td className="px-4 py-3 whitespace-nowrap text-slate-600">
                    {tokenCounts(grant)}
                    {grant.consented ? null : <p className="text-xs text-slate-400">No remembered consent</p>}
                  </td>
                  <td className="px-4 py-3 text-right">
                    {grant.can.revoke ? (
                      <Button
                        variant="ghost"
                        aria-label={`Revoke ${grant.clientName} for ${grant.userEmail}`}
                        onClick={() => {
                          revoke.reset();
                          setRevoking(grant);
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
      {grants.isSuccess && (grants.data.items.length > 0 || pages.pageNumber > 1) ? (
        <Pager
          label="Grants pages"
          pageNumber={pages.pageNumber}
          hasNext={nextCursor !== null && !grants.isPlaceholderData}
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
          if (revoking) revoke.mutate({ userId: revoking.userId, clientId: revoking.clientId });
        }}
        title="Revoke grant"
        confirmLabel="Revoke grant"
        pending={revoke.isPending}
        error={revoke.error?.message}
      >
        {revoking ? (
          <p>
            Revoke the access of <strong>{revoking.clientName}</strong> for <strong>{revoking.userEmail}</strong>? Its tokens stop
            working at once, and the app has to ask {revoking.userName || revoking.userEmail} for consent again.
          </p>
        ) : null}
      </ConfirmDialog>
    </Panel>
  );
}
