"use client";

import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DataTable, useListState } from "../_components/data-table";
import { actionColumn, UserCell } from "../_components/list";
import { listParsers } from "../_components/list-params";
import { ConfirmDialog, EmptyState, LocalTime, NoAccess, PageHeader, Panel } from "../_components/ui";
import { useConfirmedMutation } from "../_components/use-confirmed-mutation";
import { useInvalidate } from "../_components/use-invalidate";

/**
 * Brute-force lockouts in force, and clearing one. A client page in one file: the rows, their
 * `can.unlock` and the "no access" answer all come from lockouts.list.
 */
/** The list's state in the URL: its page and hidden columns (it has one order: soonest to end first). */
const LOCKOUT_LIST = listParsers([] as const);

export default function LockoutsPage() {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const list = useListState(LOCKOUT_LIST);
  const lockouts = useQuery({
    ...trpc.lockouts.list.queryOptions({ cursor: list.cursor, limit: 50 }),
    placeholderData: keepPreviousData,
    retry: (failures, error) => error.data?.code !== "FORBIDDEN" && failures < 3,
  });
  type Lockout = NonNullable<typeof lockouts.data>["items"][number];
  const who = (lockout: Lockout) => lockout.email ?? lockout.address ?? "unknown";
  const { target: clearing, ask, dialog } = useConfirmedMutation({
    mutation: trpc.lockouts.unlock.mutationOptions(),
    variables: (lockout: Lockout) => ({ key: lockout.key }),
    onSuccess: () => invalidate(trpc.lockouts.list.pathKey()),
    success: (lockout) => `The lockout of ${who(lockout)} is cleared: they can try again now.`,
  });

  if (lockouts.isError && lockouts.error.data?.code === "FORBIDDEN") {
    return <NoAccess title="Lockouts" subject="lockouts" permission="users:read" />;
  }
  return (
    <>
      <title>Lockouts</title>
      <PageHeader
        title="Lockouts"
        description="Accounts and networks locked out after too many wrong codes or passwords. A lockout ends by itself; clear one to let someone try again now."
      />
      <Panel className="overflow-hidden">
        <DataTable
          query={lockouts}
          list={list}
          what="lockouts"
          empty={<EmptyState title="No lockouts">Nobody is locked out right now.</EmptyState>}
          caption="Lockouts in force"
          getRowId={(lockout) => lockout.key}
          columns={[
            {
              id: "who",
              header: "Locked out",
              enableHiding: false,
              meta: { key: true },
              cell: ({ row: { original: lockout } }) =>
                lockout.email ? (
                  <UserCell email={lockout.email} name={lockout.name} />
                ) : (
                  <p className="font-mono text-xs text-slate-700">Network {lockout.address}</p>
                ),
            },
            { id: "limit", header: "Limit", meta: { className: "text-slate-700" }, cell: ({ row }) => row.original.limitLabel },
            { id: "attempts", header: "Attempts", meta: { className: "text-slate-600 tabular-nums" }, cell: ({ row }) => row.original.attempts },
            {
              id: "lockedUntil",
              header: "Locked until",
              meta: { className: "text-slate-600" },
              cell: ({ row }) => <LocalTime value={row.original.lockedUntil} />,
            },
            actionColumn({
              label: "Clear",
              name: (lockout) => `Clear the lockout of ${who(lockout)} (${lockout.limitLabel})`,
              show: (lockout) => lockout.can.unlock,
              onClick: ask,
            }),
          ]}
        />
      </Panel>
      <ConfirmDialog {...dialog} title="Clear lockout" confirmLabel="Clear lockout">
        {clearing ? (
          <p>
            Let <strong>{who(clearing)}</strong> try again now ({clearing.limitLabel})? The count of wrong attempts starts afresh.
          </p>
        ) : null}
      </ConfirmDialog>
    </>
  );
}
