"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { useTRPC } from "@/app/_lib/trpc/client";
import { useConfirmedMutation } from "../../_components/use-confirmed-mutation";
import { DataTable, type DataColumn, type ListState } from "../../_components/data-table";
import { sortableTimeColumn } from "../../_components/columns";
import type { ListSort } from "../../_components/list-params";
import { actionColumn, UserCell } from "../../_components/list";
import { Badge, ConfirmDialog, EmptyState, LocalTime, Panel } from "../../_components/ui";
import { grantsInput, type GRANT_SORTS } from "./queries";
import { revokedSummary, tokenCounts, useInvalidateRevocations, type GrantItem } from "./shared";

export function GrantsTable({
  filters,
  filtered,
  list,
}: {
  filters: { userId: string; clientId: string };
  filtered: boolean;
  list: ListState & { state: { sort: ListSort<(typeof GRANT_SORTS)[number]> | null; pages: string[] } };
}) {
  const trpc = useTRPC();
  const invalidate = useInvalidateRevocations();
  const grants = useQuery({
    ...trpc.grants.list.queryOptions(grantsInput(filters, list.state)),
    placeholderData: keepPreviousData,
  });
  const { target: revoking, ask, dialog } = useConfirmedMutation({
    mutation: trpc.grants.revoke.mutationOptions(),
    variables: (grant: GrantItem) => ({ userId: grant.userId, clientId: grant.clientId }),
    onSuccess: invalidate,
    success: (grant, revoked) => `${grant.clientName} for ${grant.userEmail}: ${revokedSummary(revoked)}`,
  });

  return (
    <Panel className="overflow-hidden">
      <DataTable
        query={grants}
        list={list}
        defaultSort={{ by: "lastActive", direction: "desc" }}
        what="grants"
        empty={
          <EmptyState title={filtered ? "No grants match these filters" : "No grants yet"}>
            A grant appears when someone lets an application act for them.
          </EmptyState>
        }
        caption="Grants"
        getRowId={(grant) => `${grant.userId}:${grant.clientId}`}
        columns={[
          ...GRANT_COLUMNS,
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

const GRANT_COLUMNS: Array<DataColumn<GrantItem>> = [
  {
    id: "user",
    header: "User",
    enableHiding: false,
    meta: { key: true },
    cell: ({ row: { original: grant } }) => <UserCell email={grant.userEmail} name={grant.userName} />,
  },
  {
    id: "client",
    header: "Client",
    cell: ({ row: { original: grant } }) =>
      grant.can.openClient ? (
        <Link href={`/clients/${encodeURIComponent(grant.clientId)}`} className="font-medium text-brand-600 hover:underline">
          {grant.clientName}
        </Link>
      ) : (
        <span className="font-medium">{grant.clientName}</span>
      ),
  },
  {
    id: "scopes",
    header: "Scopes",
    cell: ({ row: { original: grant } }) => (
      <ul className="flex flex-wrap gap-1" aria-label={`Scopes granted to ${grant.clientName} by ${grant.userEmail}`}>
        {grant.scopes.map((scope) => (
          <li key={scope}>
            <Badge>{scope}</Badge>
          </li>
        ))}
      </ul>
    ),
  },
  sortableTimeColumn("createdAt", "Granted", (grant) => grant.createdAt),
  {
    // Sorting by last activity: the last use, or the grant itself when it was never used.
    id: "lastActive",
    header: "Last used",
    enableSorting: true,
    meta: { className: "text-slate-600" },
    cell: ({ row }) => (row.original.lastUsedAt ? <LocalTime value={row.original.lastUsedAt} /> : <span className="text-slate-400">Never</span>),
  },
  {
    id: "liveTokens",
    header: "Live tokens",
    meta: { className: "whitespace-nowrap text-slate-600" },
    cell: ({ row: { original: grant } }) => (
      <>
        {tokenCounts(grant)}
        {grant.consented ? null : <p className="text-xs text-slate-400">No remembered consent</p>}
      </>
    ),
  },
];
