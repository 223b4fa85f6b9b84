"use client";

import { useQuery } from "@tanstack/react-query";
import { SelectField } from "@/app/(console)/_components/ui";
import { useTRPC } from "@/app/_lib/trpc/client";
import { groupActions } from "./filters";

/**
 * The event type filter: every action in the log, grouped by what it is about, each group with a
 * "role.*" choice for all of its events. An action from a link that the log does not hold yet stays
 * selectable.
 */
export function ActionFilter({ value, onChange }: { value: string; onChange: (action: string) => void }) {
  const trpc = useTRPC();
  const actions = useQuery(trpc.audit.actions.queryOptions());
  const { groups, ungrouped } = groupActions(actions.data ?? []);
  const known = value === "" || (actions.data ?? []).includes(value) || groups.some(([prefix]) => prefix === value);
  return (
    <SelectField label="Action" value={value} onChange={(event) => onChange(event.target.value)}>
      <option value="">All actions</option>
      {groups.map(([prefix, names]) => (
        <optgroup key={prefix} label={prefix.slice(0, -1)}>
          <option value={prefix}>{`${prefix}* (every ${prefix.slice(0, -1)} event)`}</option>
          {names.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </optgroup>
      ))}
      {ungrouped.map((name) => (
        <option key={name} value={name}>
          {name}
        </option>
      ))}
      {known ? null : <option value={value}>{value}</option>}
    </SelectField>
  );
}
