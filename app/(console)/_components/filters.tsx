"use client";

import type { ReactNode } from "react";
import { Button, EmptyState, SearchField, SelectField } from "./ui";

/** The row of filters above a list (their values live in the URL): a search box first, then the list's own choices, then "Clear filters". */
export function FilterBar({
  searchLabel,
  searchPlaceholder,
  search,
  onSearch,
  filtered,
  onClear,
  children,
}: {
  searchLabel: string;
  searchPlaceholder: string;
  search: string;
  onSearch: (search: string) => void;
  filtered: boolean;
  onClear: () => void;
  children?: ReactNode;
}) {
  return (
    <div className="flex flex-wrap items-end gap-4 border-b border-slate-200 px-4 py-4">
      <div className="min-w-64 flex-1">
        <SearchField
          value={search}
          label={searchLabel}
          placeholder={searchPlaceholder}
          onSearch={(value) => {
            if (value !== search) onSearch(value);
          }}
        />
      </div>
      {children}
      {filtered ? (
        <Button variant="ghost" onClick={onClear}>
          Clear filters
        </Button>
      ) : null}
    </div>
  );
}

/** One choice among a list's filters; "" stands for any. */
export function ChoiceFilter({
  label,
  value,
  onChange,
  anyLabel,
  choices,
  width = "w-52",
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  anyLabel: string;
  choices: Array<{ value: string; label: string }>;
  width?: string;
}) {
  return (
    <div className={width}>
      <SelectField label={label} value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{anyLabel}</option>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </SelectField>
    </div>
  );
}

/** The choices of a filter over named things (domains, roles), by id. */
export function byName(things: Array<{ id: string; name: string }>) {
  return things.map((thing) => ({ value: thing.id, label: thing.name }));
}

/** The choices of a filter over fixed values, in the order written: `{ value: "Label" }`. */
export function choicesOf(labels: Record<string, string>) {
  return Object.entries(labels).map(([value, label]) => ({ value, label }));
}

/** What a filtered list says when nothing matches, with the way out. */
export function NoMatches({ what, hint, onClear }: { what: string; hint: string; onClear: () => void }) {
  return (
    <EmptyState title={`No ${what} match these filters`}>
      <p>{hint}</p>
      <Button className="mt-3" onClick={onClear}>
        Clear filters
      </Button>
    </EmptyState>
  );
}
