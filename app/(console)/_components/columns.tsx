import type { RowData } from "@tanstack/react-table";
import type { DataColumn } from "./data-table";
import { LocalTime } from "./ui";

/** A column the list can sort by that shows one instant of the row, in the reader's time zone. */
export function sortableTimeColumn<Row extends RowData>(id: string, header: string, instant: (row: Row) => Date | string): DataColumn<Row> {
  return {
    id,
    header,
    enableSorting: true,
    meta: { className: "text-slate-600" },
    cell: ({ row }) => <LocalTime value={instant(row.original)} />,
  };
}
