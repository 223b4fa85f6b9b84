"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { actionColumn, PagedList, UserCell } from "../../_components/list";
import { Badge, ConfirmDialog, EmptyState, LocalTime, Panel, useCursorPages } from "../../_components/ui";
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
  const grants = useQuery({
    ...trpc.grants.list.queryOptions(grantsInput(filters, pages.cursor)),
    placeholderData: keepPreviousData,
  });
  const { target: revoking, mutation: revoke, ask, dialog } = useConfirmedMutation({
    mutation: trpc.grants.revoke.mutationOptions(),
    variables: (grant: GrantItem) => ({ userId: grant.userId, clientId: grant.clientId }),
    onSuccess: invalidate,
  });

  return (
    <Panel className="overflow-hidden">
      {revoke.data ? (
        <p role="status" className="border-b border-slate-200 px-4 py-3 text-sm text-green-700">
          {revokedSummary(revoke.data)}
        </p>
      ) : null}
      <PagedList
        query={grants}
        pages={pages}
        what="grants"
        empty={
          <EmptyState title={filtered ? "No grants match these filters" : "No grants yet"}>
            A grant appears when someone lets an application act for them.
          </EmptyState>
        }
        caption="Grants"
        rowKey={(grant) => `${grant.userId}:${grant.clientId}`}
        columns={[
          {
            header: "User",
            cell: (grant) => <UserCell email={grant.userEmail} name={grant.userName} />,
          },
          {
            header: "Client",
            cell: (grant) =>
              grant.can.openClient ? (
                <Link href={`/clients/${encodeURIComponent(grant.clientId)}`} className="font-medium text-brand-600 hover:underline">
                  {grant.clientName}
                </Link>
              ) : (
                <span className="font-medium">{grant.clientName}</span>
              ),
          },
          {
            header: "Scopes",
            cell: (grant) => (
              <ul className="flex flex-wrap gap-1" aria-label={`Scopes granted to ${grant.clientName} by ${grant.userEmail}`}>
                {grant.scopes.map((scope) => (
                  <li key={scope}>
                    <Badge>{scope}</Badge>
                  </li>
                ))}
              </ul>
            ),
          },
          { header: "Granted", className: "text-slate-600", cell: (grant) => <LocalTime value={grant.createdAt} /> },
          {
            header: "Last used",
            className: "text-slate-600",
            cell: (grant) => (grant.lastUsedAt ? <LocalTime value={grant.lastUsedAt} /> : <span className="text-slate-400">Never</span>),
          },
          {
            header: "Live tokens",
            className: "whitespace-nowrap text-slate-600",
            cell: (grant) => (
              <>
                {tokenCounts(grant)}
                {grant.consented ? null : <p className="text-xs text-slate-400">No remembered consent</p>}
              </>
            ),
          },
          actionColumn({
            label: "Revoke",
            name: (grant) => `Revoke ${grant.clientName} for ${grant.userEmail}`,
            show: (grant) => grant.can.revoke,
            onClick: ask,
          }),
        ]}
      />
      <ConfirmDialog
        {...dialog}
        title="Revoke grant"
        confirmLabel="Revoke grant"
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
