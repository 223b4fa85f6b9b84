"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { useState, type FormEvent } from "react";
import { toast } from "sonner";
import { TextField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { Section, Badge, Button, ConfirmDialog, ErrorState, LoadingState, LocalTime, Panel, SelectField } from "../../_components/ui";
import { useInvalidateClients } from "./shared";

type Policy = inferRouterOutputs<AppRouter>["clientMetadataDocuments"]["get"];
type Mode = Policy["mode"];

const MODE_LABELS: Record<Mode, string> = {
  all: "Accept documents from any public https host",
  allowlist: "Accept documents only from allowed hosts",
  off: "Accept no documents",
};

const MODE_HINTS: Record<Mode, string> = {
  all: "What MCP clients expect: an application names itself with the https URL of its document, and people decide on the consent page, which names the host that vouches for it.",
  allowlist: "Only the hosts allowed below; any other client_id URL is refused before it is fetched.",
  off: "Applications must be registered in the console or by dynamic registration. Clients already seen stay listed but cannot get tokens.",
};

/**
 * The installation's policy on client ID metadata documents (https client_id URLs): whose documents
 * are accepted, and the hosts an administrator allowed or blocked. The page shows it to those the
 * server lets read it; who may change it the server says in `can.change`.
 */
export function MetadataDocumentPolicyPanel() {
  const trpc = useTRPC();
  const policy = useQuery(trpc.clientMetadataDocuments.get.queryOptions());
  return (
    <Section title="Client ID metadata documents" headingClassName="mb-1 text-lg font-semibold" className="mt-8">
      <p className="mb-3 max-w-3xl text-sm text-slate-600">
        An MCP client may identify itself by the https URL of a JSON document that describes it, instead of registering. Gatehouse
        fetches the document from the public internet only, and lists such clients above with the host that vouches for them.
      </p>
      <Panel>
        {policy.isPending ? (
          <LoadingState label="Loading the policy…" />
        ) : policy.isError ? (
          <ErrorState message={`The policy could not be loaded: ${policy.error.message}`} onRetry={() => void policy.refetch()} />
        ) : (
          <PolicyForm policy={policy.data} />
        )}
      </Panel>
    </Section>
  );
}

function PolicyForm({ policy }: { policy: Policy }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const invalidateClients = useInvalidateClients();
  const [mode, setMode] = useState<Mode>(policy.mode);
  const [host, setHost] = useState("");
  const [blocking, setBlocking] = useState<string | null>(null);
  // Blocking a host revokes grants, so the clients, sessions and audit views change as well.
  const refresh = () =>
    Promise.all([invalidateClients(), queryClient.invalidateQueries({ queryKey: trpc.clientMetadataDocuments.pathKey() })]);
  const setModeMutation = useMutation(
    trpc.clientMetadataDocuments.setMode.mutationOptions({
      onSuccess: (_data, { mode: saved }) => {
        toast.success(`Accepted documents: ${MODE_LABELS[saved]}.`);
        return refresh();
      },
      onError: (error) => toast.error(`The setting was not saved: ${error.message}`),
    }),
  );
  const allow = useMutation(
    trpc.clientMetadataDocuments.allowHost.mutationOptions({
      onSuccess: (_data, { host: allowed }) => {
        setHost("");
        toast.success(`${allowed.trim()} is allowed.`);
        return refresh();
      },
      onError: (error) => toast.error(`The host was not allowed: ${error.message}`),
    }),
  );
  // Blocking is confirmed first, so its refusal shows in the confirmation, which stays open.
  const block = useMutation(
    trpc.clientMetadataDocuments.blockHost.mutationOptions({
      onSuccess: (_data, { host: blocked }) => {
        setBlocking(null);
        setHost("");
        toast.success(`${blocked} is blocked, and the grants and tokens of its clients are revoked.`);
        return refresh();
      },
    }),
  );
  const remove = useMutation(
    trpc.clientMetadataDocuments.removeHostRule.mutationOptions({
      onSuccess: (_data, { host: removed }) => {
        toast.success(`The rule for ${removed} is removed.`);
        return refresh();
      },
      onError: (error, { host: kept }) => toast.error(`The rule for ${kept} was not removed: ${error.message}`),
    }),
  );
  const canChange = policy.can.change;

  function submitMode(event: FormEvent) {
    event.preventDefault();
    setModeMutation.mutate({ mode });
  }

  return (
    <div className="divide-y divide-slate-100">
      <form method="post" className="flex flex-wrap items-end gap-4 px-5 py-4" onSubmit={submitMode}>
        <div className="min-w-80 flex-1 space-y-1">
          <SelectField label="Accepted documents" value={mode} disabled={!canChange} onChange={(event) => setMode(event.target.value as Mode)}>
            {(Object.keys(MODE_LABELS) as Mode[]).map((option) => (
              <option key={option} value={option}>
                {MODE_LABELS[option]}
              </option>
            ))}
          </SelectField>
          <p className="text-xs text-slate-500">{MODE_HINTS[mode]}</p>
        </div>
        {canChange ? (
          <Button type="submit" variant="primary" disabled={mode === policy.mode} pending={setModeMutation.isPending} pendingLabel="Saving…">
            Save
          </Button>
        ) : null}
      </form>

      <div className="px-5 py-4">
        <h3 className="mb-2 text-sm font-semibold text-slate-700">Hosts</h3>
        {policy.hosts.length === 0 ? (
          <p className="text-sm text-slate-600">No host is allowed or blocked.</p>
        ) : (
          <table className="min-w-full text-sm">
            <caption className="sr-only">Allowed and blocked hosts</caption>
            <thead className="text-left text-xs font-semibold tracking-wide text-slate-500 uppercase">
              <tr>
                <th scope="col" className="py-2 pr-4">Host</th>
                <th scope="col" className="py-2 pr-4">Rule</th>
                <th scope="col" className="py-2 pr-4">Clients seen</th>
                <th scope="col" className="py-2 pr-4">Since</th>
                {canChange ? <th scope="col" className="py-2"><span className="sr-only">Actions</span></th> : null}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {policy.hosts.map((item) => (
                <tr key={item.host}>
                  <td className="py-2 pr-4 font-mono text-xs break-all">{item.host}</td>
                  <td className="py-2 pr-4">{item.rule === "block" ? <Badge tone="red">Blocked</Badge> : <Badge tone="green">Allowed</Badge>}</td>
                  <td className="py-2 pr-4 tabular-nums">{item.clients}</td>
                  <td className="py-2 pr-4 text-slate-600">
                    <LocalTime value={item.createdAt} />
                    {item.createdByEmail ? <span className="block text-xs">by {item.createdByEmail}</span> : null}
                  </td>
                  {canChange ? (
                    <td className="py-2 text-right">
                      <Button variant="ghost" pending={remove.isPending && remove.variables?.host === item.host} pendingLabel="Removing…" onClick={() => remove.mutate({ host: item.host })}>
                        {item.rule === "block" ? `Unblock ${item.host}` : `Remove ${item.host}`}
                      </Button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {canChange ? (
          <form method="post"
            className="mt-4 flex flex-wrap items-end gap-3"
            onSubmit={(event) => {
              event.preventDefault();
              if (host.trim()) allow.mutate({ host });
            }}
          >
            <div className="min-w-64 flex-1">
              <TextField
                label="Host"
                value={host}
                placeholder="app.example.com"
                hint="A host name, or a client_id URL on it."
                onChange={(event) => setHost(event.target.value)}
              />
            </div>
            <Button type="submit" disabled={!host.trim()} pending={allow.isPending} pendingLabel="Allowing…">
              Allow host
            </Button>
            <Button variant="danger" disabled={!host.trim()} onClick={() => setBlocking(host.trim())}>
              Block host
            </Button>
          </form>
        ) : null}
      </div>
      <ConfirmDialog
        open={blocking !== null}
        onCancel={() => {
          setBlocking(null);
          block.reset();
        }}
        onConfirm={() => blocking && block.mutate({ host: blocking })}
        title="Block host"
        confirmLabel="Block and revoke"
        pending={block.isPending}
        error={block.error?.message}
      >
        <p>
          Block client ID metadata documents from <strong>{blocking}</strong>? Its clients are refused from now on, whatever the
          mode, and every grant and token they hold, for every person, is revoked at once.
        </p>
      </ConfirmDialog>
    </div>
  );
}
