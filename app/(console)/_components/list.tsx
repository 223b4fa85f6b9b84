"use client";

import { useState, type ReactNode } from "react";
import { Button, EmptyState, ErrorState, LoadingState, Pager, SearchField, useCursorPages } from "./ui";

/**
 * The console's lists: one table markup and one set of loading, error, empty and paging states, so
 * every list looks and behaves alike. The table takes plain columns and rows, so it can be swapped
 * for a table library without touching the pages' column definitions much.
 */

export interface Column<Row> {
  /** The column's heading; a column of row actions passes <span className="sr-only">Actions</span>. */
  header: ReactNode;
  cell: (row: Row) => ReactNode;
  /** Classes added to the cell's (and, with headerClassName unset, not the heading's) padding. */
  className?: string;
  headerClassName?: string;
  /** A tooltip for the cell, e.g. the full text behind a short label. */
  title?: (row: Row) => string | undefined;
}

interface ListTableProps<Row> {
  caption: ReactNode;
  columns: Array<Column<Row>>;
  rows: Row[];
  rowKey: (row: Row) => string;
  /** True while the rows shown are the previous page's, kept until the next one arrives. */
  busy?: boolean;
  onRowClick?: (row: Row) => void;
  rowClassName?: string;
  /** Rows with tall cells (opened details) keep their other cells at the top. */
  alignTop?: boolean;
}

export function ListTable<Row>({
  caption,
  columns,
  rows,
  rowKey,
  busy = false,
  onRowClick,
  rowClassName = "",
  alignTop = false,
}: ListTableProps<Row>) {
  return (
    <div className="overflow-x-auto">
      <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={busy || undefined}>
        <caption className="sr-only">{caption}</caption>
        <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
          <tr>
            {columns.map((column, index) => (
              <th key={index} scope="col" className={`px-4 py-3 ${column.headerClassName ?? ""}`}>
                {column.header}
              </th>
            ))}
          </tr>
        </thead>
        <tbody className={`divide-y divide-slate-100 ${alignTop ? "align-top" : ""} ${busy ? "opacity-60" : ""}`}>
          {rows.map((row) => (
            <tr key={rowKey(row)} className={rowClassName || undefined} onClick={onRowClick ? () => onRowClick(row) : undefined}>
              {columns.map((column, index) => (
                <td key={index} className={`px-4 py-3 ${column.className ?? ""}`} title={column.title?.(row)}>
                  {column.cell(row)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** A column of row actions: its heading is for screen readers only. */
export const ACTIONS_HEADER = <span className="sr-only">Actions</span>;

/**
 * The column of one row action, a quiet button named for its row (`name`) so the buttons of a list
 * tell apart; `show` hides it on the rows the server says the caller may not act on.
 */
export function actionColumn<Row>({
  label,
  name,
  show,
  onClick,
}: {
  label: string;
  name: (row: Row) => string;
  show: (row: Row) => boolean;
  onClick: (row: Row) => void;
}): Column<Row> {
  return {
    header: ACTIONS_HEADER,
    className: "text-right",
    cell: (row) =>
      show(row) ? (
        <Button variant="ghost" aria-label={name(row)} onClick={() => onClick(row)}>
          {label}
        </Button>
      ) : null,
  };
}

/** A person in a list: the email address, with the name below it. */
export function UserCell({ email, name }: { email: string; name: string | null }) {
  return (
    <>
      <p className="font-medium break-all text-slate-900">{email}</p>
      <p className="text-xs text-slate-500">{name}</p>
    </>
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

/** What a paged list needs of its TanStack query (tRPC's list outputs are `{ items, nextCursor }`). */
export interface PagedQuery<Row> extends StatesQuery<{ items: Row[]; nextCursor: string | null }> {
  isPlaceholderData: boolean;
}

type CursorPages = ReturnType<typeof useCursorPages>;

/**
 * One page of a list as a ListTable (the props it takes but rows), with its states (loading,
 * failed, empty, a page past the end) and the pager below it.
 */
export function PagedList<Row>({
  query,
  pages,
  what,
  failed,
  pagerLabel,
  empty,
  ...table
}: Omit<ListTableProps<Row>, "rows" | "busy"> & {
  query: PagedQuery<Row>;
  pages: CursorPages;
  /** The plural noun the states speak of: "clients", "browser sessions". */
  what: string;
  failed?: string;
  /** Names the pager; by default "<What> pages". */
  pagerLabel?: string;
  /** What an empty first page says (nothing at all, or nothing matching the filters). */
  empty: ReactNode;
}) {
  const nextCursor = query.data?.nextCursor ?? null;
  return (
    <>
      <QueryStates
        query={query}
        what={what}
        failed={failed}
        isEmpty={(data) => data.items.length === 0}
        empty={
          pages.pageNumber > 1 ? (
            // Rows can vanish between two pages (revoked, deleted): a page past the end offers the way back.
            <EmptyState title={`No more ${what} on this page`}>
              <Button className="mt-3" onClick={pages.reset}>
                Back to the first page
              </Button>
            </EmptyState>
          ) : (
            empty
          )
        }
      >
        {(data) => <ListTable {...table} rows={data.items} busy={query.isPlaceholderData} />}
      </QueryStates>
      {query.data && !query.isError && (query.data.items.length > 0 || pages.pageNumber > 1) ? (
        <Pager
          label={pagerLabel ?? `${what.charAt(0).toUpperCase()}${what.slice(1)} pages`}
          pageNumber={pages.pageNumber}
          hasNext={nextCursor !== null && !query.isPlaceholderData}
          onNext={() => {
            if (nextCursor) pages.next(nextCursor);
          }}
          onPrevious={pages.previous}
        />
      ) : null}
    </>
  );
}

/**
 * A list's search text, going back to the first page whenever it changes; `searchField` is the
 * search box above the list.
 */
export function useSearchPages({ label, placeholder }: { label: string; placeholder: string }) {
  const [search, setSearch] = useState("");
  const pages = useCursorPages();
  const onSearch = (value: string) => {
    if (value === search) return;
    setSearch(value);
    pages.reset();
  };
  return {
    search,
    pages,
    searchField: (
      <div className="mb-4 max-w-sm">
        <SearchField label={label} placeholder={placeholder} onSearch={onSearch} />
      </div>
    ),
  };
}
