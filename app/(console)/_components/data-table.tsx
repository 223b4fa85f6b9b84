"use client";

import {
  columnVisibilityFeature,
  rowSelectionFeature,
  rowSortingFeature,
  tableFeatures,
  useTable,
  type ColumnDef,
  type RowData,
  type RowSelectionState,
} from "@tanstack/react-table";
import { ArrowDown, ArrowUp, ArrowUpDown, Columns3 } from "lucide-react";
import { useQueryStates, type ParserMap, type UrlKeys } from "nuqs";
import { DropdownMenu } from "radix-ui";
import { useMemo, useState, type ReactNode } from "react";
import type { ListSort } from "./list-params";
import { Button, ConfirmDialog, EmptyState, ErrorState, LoadingState, Pager } from "./ui";

/**
 * The console's one data table: TanStack Table (headless) over a page of a tRPC list, with its sort,
 * page cursors and hidden columns in the URL (nuqs), sortable headers, a column menu, row selection
 * for one bulk action, and the shared loading, error, empty and paging states. A list page gives
 * column definitions, its query and its own filters.
 */

export const dataTableFeatures = tableFeatures({ rowSortingFeature, rowSelectionFeature, columnVisibilityFeature });

declare module "@tanstack/react-table" {
  // Declaration merging needs the library's own type parameters, used or not.
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  interface ColumnMeta<TFeatures, TData, TValue> {
    /** Classes of the column's cells. */
    className?: string;
    /** Classes of the column's heading. */
    headerClassName?: string;
    /** The column's name in the column menu, when its heading is not plain text. */
    label?: string;
    /** The column that names a row: pinned to the left edge when the table scrolls sideways. */
    key?: boolean;
    /** A tooltip for the cell, e.g. the full text behind a short label. */
    title?: (row: TData) => string | undefined;
  }
}

/** A column of a data table. Its id is the server's sort key when `enableSorting` is true. */
export type DataColumn<Row extends RowData> = ColumnDef<typeof dataTableFeatures, Row>;

/**
 * A list's state in the URL: `parsers` are listParsers(...) plus the list's filters. Changing a
 * filter or the sort goes back to the first page; every change is a history entry, so back and
 * forward walk through them.
 */
export function useListState<Parsers extends ParserMap>(parsers: Parsers, urlKeys?: UrlKeys<Parsers>) {
  const [state, setState] = useQueryStates(parsers, { history: "push", urlKeys, scroll: false });
  const common = state as unknown as { sort: ListSort | null; pages: string[]; hide: string[] };
  type Changes = Partial<{ [Key in keyof Parsers]: unknown }>;
  return {
    state,
    sort: common.sort,
    hidden: common.hide,
    cursor: common.pages.at(-1),
    pageNumber: common.pages.length + 1,
    change: (next: Changes) => void setState({ ...next, pages: null } as never),
    next: (cursor: string) => void setState({ pages: [...common.pages, cursor] } as never),
    previous: () => void setState({ pages: common.pages.slice(0, -1) } as never),
    reset: () => void setState({ pages: null } as never),
    setHidden: (hidden: string[]) => void setState({ hide: hidden.length ? hidden : null } as never),
    /** Sets state that is not a filter (an open drawer), keeping the page. */
    set: (next: Changes) => void setState(next as never),
  };
}

/** What the table reads and changes of a list's URL state. */
export interface ListState {
  sort: ListSort | null;
  hidden: string[];
  pageNumber: number;
  change: (next: { sort: ListSort }) => void;
  next: (cursor: string) => void;
  previous: () => void;
  reset: () => void;
  setHidden: (hidden: string[]) => void;
}

/** What a data table needs of its TanStack query (tRPC's list outputs are `{ items, nextCursor }`). */
export interface PagedQuery<Row> {
  isPending: boolean;
  isError: boolean;
  error: { message: string } | null;
  data?: { items: Row[]; nextCursor: string | null; total?: number } | undefined;
  refetch: () => unknown;
  isPlaceholderData: boolean;
}

/** One action on the selected rows, confirmed once with the count and the names of the objects. */
export interface BulkAction<Row> {
  /** The verb on the button and in the question: "Disable". */
  verb: string;
  /** The objects, singular and plural: ["user", "users"]. */
  noun: [string, string];
  /** Whether the server's `can` flags allow the action on this row; only such rows are selectable. */
  allows: (row: Row) => boolean;
  /** How the question names a row: its email, its name. */
  name: (row: Row) => string;
  /** What happens, said after the question. */
  consequence?: string;
  pending: boolean;
  error?: string;
  /** Runs the action; resolves once it succeeded, so the selection clears and the dialog closes. */
  run: (rows: Row[]) => Promise<unknown>;
}

const NAMES_SHOWN = 5;

/** "Disable 3 users: ann@…, bob@…, cy@…?" with at most five names and the rest counted. */
export function bulkQuestion<Row>(action: Pick<BulkAction<Row>, "verb" | "noun" | "name">, rows: Row[]): string {
  const names = rows.slice(0, NAMES_SHOWN).map(action.name);
  const more = rows.length > NAMES_SHOWN ? ` and ${rows.length - NAMES_SHOWN} more` : "";
  const noun = rows.length === 1 ? action.noun[0] : action.noun[1];
  return `${action.verb} ${rows.length} ${noun}: ${names.join(", ")}${more}?`;
}

interface DataTableProps<Row extends RowData> {
  caption: ReactNode;
  columns: Array<DataColumn<Row>>;
  query: PagedQuery<Row>;
  list: ListState;
  /** The server's order when the URL names none, shown on its heading. */
  defaultSort?: ListSort;
  getRowId: (row: Row) => string;
  /** The plural noun the states speak of: "clients", "browser sessions". */
  what: string;
  failed?: string;
  pagerLabel?: string;
  /** What an empty first page says (nothing at all, or nothing matching the filters). */
  empty: ReactNode;
  onRowClick?: (row: Row) => void;
  rowClassName?: string;
  alignTop?: boolean;
  bulk?: BulkAction<Row>;
  /** False for a list that is always one page (a role's holders): no pager. */
  paged?: boolean;
}

/** The rows of a list that is already loaded (part of another answer), as the query a data table reads. */
export function loadedPage<Row>(items: Row[]): PagedQuery<Row> {
  return { isPending: false, isError: false, error: null, data: { items, nextCursor: null }, refetch: () => undefined, isPlaceholderData: false };
}

export function DataTable<Row extends RowData>({
  caption,
  columns,
  query,
  list,
  defaultSort,
  getRowId,
  what,
  failed = `The ${what} could not be loaded`,
  pagerLabel,
  empty,
  onRowClick,
  rowClassName = "",
  alignTop = false,
  bulk,
  paged = true,
}: DataTableProps<Row>) {
  const sort = list.sort ?? defaultSort ?? null;
  const hidden = list.hidden;
  const items = useMemo(() => query.data?.items ?? [], [query.data]);
  const [rowSelection, setRowSelection] = useState<RowSelectionState>({});
  const [selectionRows, setSelectionRows] = useState(items);
  const [confirming, setConfirming] = useState(false);
  // Another page, order or filter is another set of rows: a selection never outlives the rows it was made on.
  if (selectionRows !== items) {
    setSelectionRows(items);
    setRowSelection({});
  }

  const allColumns = useMemo(() => (bulk ? [selectColumn<Row>(what, bulk.name), ...columns] : columns), [bulk, columns, what]);
  const table = useTable({
    features: dataTableFeatures,
    columns: allColumns,
    data: items,
    getRowId: (row) => getRowId(row),
    manualSorting: true,
    enableSortingRemoval: false,
    enableMultiSort: false,
    enableRowSelection: (row) => bulk?.allows(row.original) ?? false,
    state: {
      sorting: sort ? [{ id: sort.by, desc: sort.direction === "desc" }] : [],
      columnVisibility: Object.fromEntries(hidden.map((id) => [id, false])),
      rowSelection,
    },
    onRowSelectionChange: setRowSelection,
    onColumnVisibilityChange: (updater) => {
      const current = Object.fromEntries(hidden.map((id) => [id, false]));
      const next = typeof updater === "function" ? updater(current) : updater;
      list.setHidden(Object.entries(next).filter(([, visible]) => !visible).map(([id]) => id));
    },
  });

  const selected = items.filter((row) => rowSelection[getRowId(row)]);
  const nextCursor = query.data?.nextCursor ?? null;
  const hideable = table.getAllLeafColumns().filter((column) => column.getCanHide() && column.id !== "select");

  function sortBy(id: string) {
    const direction = sort?.by === id && sort.direction === "asc" ? "desc" : "asc";
    list.change({ sort: { by: id, direction } });
  }

  let body: ReactNode;
  if (query.isPending) body = <LoadingState label={`Loading ${what}…`} />;
  else if (query.isError || query.data === undefined) {
    body = <ErrorState message={`${failed}: ${query.error?.message ?? "unknown error"}`} onRetry={() => void query.refetch()} />;
  } else if (items.length === 0) {
    body =
      list.pageNumber > 1 ? (
        // Rows can vanish between two pages (revoked, deleted): a page past the end offers the way back.
        <EmptyState title={`No more ${what} on this page`}>
          <Button className="mt-3" onClick={list.reset}>
            Back to the first page
          </Button>
        </EmptyState>
      ) : (
        empty
      );
  } else {
    body = (
      <div className="overflow-x-auto">
        <table className="min-w-full divide-y divide-slate-200 text-sm" aria-busy={query.isPlaceholderData || undefined}>
          <caption className="sr-only">{caption}</caption>
          <thead className="bg-slate-50 text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
            {table.getHeaderGroups().map((group) => (
              <tr key={group.id}>
                {group.headers.map((header) => {
                  const column = header.column;
                  const sorted = sort?.by === column.id ? sort.direction : null;
                  const meta = column.columnDef.meta;
                  return (
                    <th
                      key={header.id}
                      scope="col"
                      aria-sort={sortable(column.columnDef) ? (sorted === "asc" ? "ascending" : sorted === "desc" ? "descending" : "none") : undefined}
                      className={`px-4 py-3 ${pinned(meta?.key, bulk !== undefined, "bg-slate-50")} ${meta?.headerClassName ?? ""}`}
                    >
                      {sortable(column.columnDef) ? (
                        <button
                          type="button"
                          onClick={() => sortBy(column.id)}
                          className="inline-flex items-center gap-1 uppercase hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-offset-2"
                        >
                          <table.FlexRender header={header} />
                          {sorted === "asc" ? (
                            <ArrowUp aria-hidden className="size-3.5" />
                          ) : sorted === "desc" ? (
                            <ArrowDown aria-hidden className="size-3.5" />
                          ) : (
                            <ArrowUpDown aria-hidden className="size-3.5 text-slate-400" />
                          )}
                        </button>
                      ) : (
                        <table.FlexRender header={header} />
                      )}
                    </th>
                  );
                })}
              </tr>
            ))}
          </thead>
          <tbody className={`divide-y divide-slate-100 ${alignTop ? "align-top" : ""} ${query.isPlaceholderData ? "opacity-60" : ""}`}>
            {table.getRowModel().rows.map((row) => (
              <tr
                key={row.id}
                className={`${rowClassName} ${row.getIsSelected() ? "bg-brand-50" : ""}`}
                onClick={onRowClick ? () => onRowClick(row.original) : undefined}
              >
                {row.getVisibleCells().map((cell) => {
                  const meta = cell.column.columnDef.meta;
                  return (
                    <td
                      key={cell.id}
                      className={`px-4 py-3 ${pinned(meta?.key, bulk !== undefined, "bg-white")} ${meta?.className ?? ""}`}
                      title={meta?.title?.(row.original)}
                    >
                      <table.FlexRender cell={cell} />
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }

  return (
    <>
      <div className="flex flex-wrap items-center justify-end gap-2 px-4 py-2">
        {bulk && selected.length > 0 ? (
          <div className="mr-auto flex items-center gap-3 text-sm" role="status">
            <span>
              {selected.length} selected
            </span>
            <Button variant="danger" onClick={() => setConfirming(true)}>
              {bulk.verb} selected
            </Button>
          </div>
        ) : null}
        {query.data?.total !== undefined ? <p className="mr-auto text-sm text-slate-500">{query.data.total} in total</p> : null}
        {hideable.length > 0 ? (
          <DropdownMenu.Root>
            <DropdownMenu.Trigger asChild>
              <Button variant="ghost" aria-label={`Columns of the ${what} table`}>
                <Columns3 aria-hidden className="mr-1 inline size-4" />
                Columns
              </Button>
            </DropdownMenu.Trigger>
            <DropdownMenu.Portal>
              <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-48 rounded-md border border-slate-200 bg-white p-1 text-sm shadow-lg">
                <DropdownMenu.Label className="px-2 py-1.5 text-xs font-semibold text-slate-500">Show columns</DropdownMenu.Label>
                {hideable.map((column) => (
                  <DropdownMenu.CheckboxItem
                    key={column.id}
                    checked={column.getIsVisible()}
                    onCheckedChange={(visible) => column.toggleVisibility(visible)}
                    onSelect={(event) => event.preventDefault()}
                    className="flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-slate-700 outline-none data-[highlighted]:bg-slate-100"
                  >
                    <span aria-hidden className="inline-block w-4">
                      <DropdownMenu.ItemIndicator>✓</DropdownMenu.ItemIndicator>
                    </span>
                    {columnLabel(column.columnDef, column.id)}
                  </DropdownMenu.CheckboxItem>
                ))}
              </DropdownMenu.Content>
            </DropdownMenu.Portal>
          </DropdownMenu.Root>
        ) : null}
      </div>
      {body}
      {paged && query.data && !query.isError && (items.length > 0 || list.pageNumber > 1) ? (
        <Pager
          label={pagerLabel ?? `${what.charAt(0).toUpperCase()}${what.slice(1)} pages`}
          pageNumber={list.pageNumber}
          hasNext={nextCursor !== null && !query.isPlaceholderData}
          onNext={() => {
            if (nextCursor) list.next(nextCursor);
          }}
          onPrevious={list.previous}
        />
      ) : null}
      {bulk ? (
        <ConfirmDialog
          open={confirming && selected.length > 0}
          onCancel={() => setConfirming(false)}
          title={`${bulk.verb} ${selected.length} ${selected.length === 1 ? bulk.noun[0] : bulk.noun[1]}`}
          confirmLabel={`${bulk.verb} ${selected.length}`}
          pending={bulk.pending}
          error={bulk.error}
          onConfirm={() => {
            void bulk.run(selected).then(() => {
              setConfirming(false);
              setRowSelection({});
            });
          }}
        >
          <p>{bulkQuestion(bulk, selected)}</p>
          {bulk.consequence ? <p className="mt-2">{bulk.consequence}</p> : null}
        </ConfirmDialog>
      ) : null}
    </>
  );
}

/** The key column stays in view when a narrow screen scrolls the table sideways (after the selection column). */
function pinned(key: boolean | undefined, afterSelection: boolean, background: string): string {
  if (!key) return "";
  return `sticky ${afterSelection ? "left-12" : "left-0"} z-10 ${background}`;
}

/** A column sorts when it says so: its id is then the server's sort key (the rows are sorted there, not here). */
function sortable(def: { enableSorting?: boolean }): boolean {
  return def.enableSorting === true;
}

function columnLabel(def: { meta?: { label?: string }; header?: unknown }, id: string): string {
  return def.meta?.label ?? (typeof def.header === "string" ? def.header : id);
}

function selectColumn<Row extends RowData>(what: string, name: (row: Row) => string): DataColumn<Row> {
  return {
    id: "select",
    enableHiding: false,
    enableSorting: false,
    meta: { headerClassName: "sticky left-0 z-10 w-12 bg-slate-50", className: "sticky left-0 z-10 w-12 bg-white" },
    header: ({ table }) => (
      <input
        type="checkbox"
        aria-label={`Select all ${what} on this page that you may act on`}
        className="size-4"
        checked={table.getIsAllPageRowsSelected()}
        ref={(input) => {
          if (input) input.indeterminate = table.getIsSomePageRowsSelected();
        }}
        onChange={table.getToggleAllPageRowsSelectedHandler()}
      />
    ),
    cell: ({ row }) =>
      row.getCanSelect() ? (
        <input
          type="checkbox"
          aria-label={`Select ${name(row.original)}`}
          className="size-4"
          checked={row.getIsSelected()}
          onClick={(event) => event.stopPropagation()}
          onChange={row.getToggleSelectedHandler()}
        />
      ) : null,
  };
}
