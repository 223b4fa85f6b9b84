"use client";

import { useQuery } from "@tanstack/react-query";
import { useId } from "react";
import { Button, SelectField } from "@/app/(console)/_components/ui";
import { TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import { DebouncedTextField } from "./debounced-text-field";
import { groupActions, hasAnyFilter, type AuditFilters } from "./filters";

const TARGET_TYPES = ["user", "role", "domain", "client", "session", "token"];

export function AuditFilterBar({
  filters,
  onChange,
  onClear,
  generation,
  rangeError,
}: {
  filters: AuditFilters;
  onChange: (change: Partial<AuditFilters>) => void;
  onClear: () => void;
  /** Changes when the filters are cleared, to reset the uncontrolled text fields. */
  generation: number;
  rangeError: string | null;
}) {
  const trpc = useTRPC();
  const actions = useQuery(trpc.audit.actions.queryOptions());
  // The server offers the domains this reader may filter on, or says to take a domain id as typed.
  const domains = useQuery(trpc.audit.domains.queryOptions());
  const domainsByName = domains.data?.byName ?? false;

  const { groups, ungrouped } = groupActions(actions.data ?? []);
  const knownAction =
    filters.action === "" ||
    (actions.data ?? []).includes(filters.action) ||
    groups.some(([prefix]) => prefix === filters.action);
  const domainOptions = domains.data?.items ?? [];
  const knownDomain = filters.domainId === "" || domainOptions.some((domain) => domain.id === filters.domainId);
  const listId = useId();

  return (
    <div className="space-y-3">
      <div className="grid gap-4 sm:grid-cols-2 lg:grid-cols-4">
        <SelectField label="Action" value={filters.action} onChange={(event) => onChange({ action: event.target.value })}>
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
          {knownAction ? null : <option value={filters.action}>{filters.action}</option>}
        </SelectField>
        <DebouncedTextField
          key={`actor-${generation}`}
          label="Actor user ID"
          defaultValue={filters.actorUserId}
          onCommit={(actorUserId) => onChange({ actorUserId })}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
        />
        <DebouncedTextField
          key={`type-${generation}`}
          label="Target type"
          defaultValue={filters.targetType}
          onCommit={(targetType) => onChange({ targetType })}
          list={listId}
          autoComplete="off"
          spellCheck={false}
          maxLength={50}
          placeholder="user, role, domain…"
        />
        <datalist id={listId}>
          {TARGET_TYPES.map((type) => (
            <option key={type} value={type} />
          ))}
        </datalist>
        <DebouncedTextField
          key={`target-${generation}`}
          label="Target ID"
          defaultValue={filters.targetId}
          onCommit={(targetId) => onChange({ targetId })}
          autoComplete="off"
          spellCheck={false}
          maxLength={100}
        />
        {domainsByName ? (
          <SelectField label="Domain" value={filters.domainId} onChange={(event) => onChange({ domainId: event.target.value })}>
            <option value="">All domains</option>
            {domainOptions.map((domain) => (
              <option key={domain.id} value={domain.id}>
                {domain.name} ({domain.slug})
              </option>
            ))}
            {knownDomain ? null : <option value={filters.domainId}>{filters.domainId}</option>}
          </SelectField>
        ) : (
          <DebouncedTextField
            key={`domain-${generation}`}
            label="Domain ID"
            defaultValue={filters.domainId}
            onCommit={(domainId) => onChange({ domainId })}
            autoComplete="off"
            spellCheck={false}
            maxLength={100}
          />
        )}
        <TextField
          label="From"
          type="datetime-local"
          value={filters.from}
          onChange={(event) => onChange({ from: event.target.value })}
          error={rangeError ?? undefined}
        />
        <TextField
          label="To"
          type="datetime-local"
          value={filters.to}
          onChange={(event) => onChange({ to: event.target.value })}
          hint="Inclusive, in your local time."
        />
        <div className="flex items-end">
          {hasAnyFilter(filters) ? (
            <Button variant="ghost" onClick={onClear}>
              Clear filters
            </Button>
          ) : null}
        </div>
      </div>
      {domains.data?.more ? (
        <p className="text-xs text-slate-500">The Domain list offers the first {domainOptions.length} domains by slug.</p>
      ) : null}
    </div>
  );
}
