"use client";

import type { RowData } from "@tanstack/react-table";
import type { ReactNode } from "react";
import { Avatar } from "./avatar";
import type { DataColumn } from "./data-table";
import { Button, ErrorState, LoadingState } from "./ui";

/** Parts the console's lists share beside the DataTable: a row-action column, a person's cell, and the states of a query that is not a list. */

/** A column of row actions: its heading is for screen readers only. */
export const ACTIONS_HEADER = <span className="sr-only">Actions</span>;

/**
 * The column of one row action, a quiet button named for its row (`name`) so the buttons of a list
 * tell apart; `show` hides it on the rows the server says the caller may not act on.
 */
export function actionColumn<Row extends RowData>({
  id = "actions",
  label,
  name,
  show,
  onClick,
}: {
  id?: string;
  label: string;
  name: (row: Row) => string;
  show: (row: Row) => boolean;
  onClick: (row: Row) => void;
}): DataColumn<Row> {
  return {
    id,
    header: () => ACTIONS_HEADER,
    enableHiding: false,
    meta: { className: "text-right" },
    cell: ({ row: { original: row } }) =>
      show(row) ? (
        <Button variant="ghost" aria-label={name(row)} onClick={() => onClick(row)}>
          {label}
        </Button>
      ) : null,
  };
}

/** A person in a list: their avatar, the email address, with the name below it. */
export function UserCell({ email, name }: { email: string; name: string | null }) {
  return (
    <div className="flex items-center gap-3">
      <Avatar email={email} name={name} />
      <div className="min-w-0">
        <p className="font-medium break-all text-slate-900">{email}</p>
        {name ? <p className="text-xs text-slate-500">{name}</p> : null}
      </div>
    </div>
  );
}

/** What the states need of a TanStack query. */
export interface StatesQuery<Data> {
  isPending: boolean;
  isError: boolean;
  error: { message: string } | null;
  data?: Data | undefined;
  refetch: () => unknown;
}

/** A query's loading, failed and empty states, and its data once there is some. */
export function QueryStates<Data>({
  query,
  what,
  failed = `The ${what} could not be loaded`,
  isEmpty,
  empty,
  children,
}: {
  query: StatesQuery<Data>;
  /** The plural noun the states speak of: "clients", "your sessions". */
  what: string;
  /** The start of the sentence that says loading failed. */
  failed?: string;
  isEmpty: (data: Data) => boolean;
  empty: ReactNode;
  children: (data: Data) => ReactNode;
}) {
  if (query.isPending) return <LoadingState label={`Loading ${what}…`} />;
  if (query.isError || query.data === undefined) {
    return <ErrorState message={`${failed}: ${query.error?.message ?? "unknown error"}`} onRetry={() => void query.refetch()} />;
  }
  return isEmpty(query.data) ? empty : children(query.data);
}
