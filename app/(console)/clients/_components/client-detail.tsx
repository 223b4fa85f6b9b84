"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { toast } from "sonner";
import { useTRPC } from "@/app/_lib/trpc/client";
import { SCOPE_DESCRIPTIONS } from "@/server/shared/scopes";
import { DetailList, Section, Button, ConfirmDialog, Dialog, ErrorState, LoadingState, LocalTime, PageHeader, Panel } from "../../_components/ui";
import { EditClientDialog } from "./edit-client-dialog";
import {
  CLIENT_TYPE_HINTS,
  ClientCredentialsPanel,
  ClientStatusBadge,
  ClientTypeBadge,
  ORIGIN_LABELS,
  ownerLabel,
  tokens,
  useInvalidateClients,
  type ClientDetail,
} from "./shared";
import { confirming } from "../../_components/use-confirmed-mutation";

type Confirm = "rotate" | "disable" | "delete" | "revoke-tokens" | "resource-server" | "block-host";

function BackLink() {
  return (
    <Link href="/clients" className="mb-4 inline-block text-sm font-medium text-brand-600 hover:underline">
      ← All clients
    </Link>
  );
}

export function ClientDetailView({ clientId }: { clientId: string }) {
  const trpc = useTRPC();
  const client = useQuery(trpc.clients.get.queryOptions({ clientId }));

  if (client.isPending) {
    return (
      <div className="max-w-4xl">
        <BackLink />
        <Panel>
          <LoadingState label="Loading the client…" />
        </Panel>
      </div>
    );
  }
  if (client.isError) {
    return (
      <div className="max-w-4xl">
        <BackLink />
        <h1 className="mb-4 text-2xl font-semibold tracking-tight">Client</h1>
        <Panel>
          <ErrorState message={`The client could not be loaded: ${client.error.message}`} onRetry={() => void client.refetch()} />
        </Panel>
      </div>
    );
  }
  return <ClientDetailLoaded client={client.data} />;
}

function revokedSummary(counts: { accessTokens: number; refreshTokens: number; consents: number }): string {
  const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return `Revoked ${plural(counts.accessTokens, "access token", "access tokens")}, ${plural(counts.refreshTokens, "refresh token", "refresh tokens")} and ${plural(counts.consents, "consent", "consents")}.`;
}

function ClientDetailLoaded({ client }: { client: ClientDetail }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const invalidate = useInvalidateClients();
  const [confirm, setConfirm] = useState<Confirm | null>(null);
  const [editing, setEditing] = useState(false);

  const afterConfirm = async () => {
    setConfirm(null);
    await invalidate();
  };
  const rotate = useMutation(
    trpc.clients.rotateSecret.mutationOptions({
      // The response holds the new secret; the mutation cache should not keep it after it is dismissed.
      gcTime: 0,
      onSuccess: afterConfirm,
    }),
  );
  /** Closes the confirmation and says in a toast what was done; a refusal stays in the open dialog. */
  const confirmed = (result: string) => async () => {
    toast.success(result);
    await afterConfirm();
  };
  const disable = useMutation(
    trpc.clients.disable.mutationOptions({ onSuccess: confirmed(`${client.name} is disabled, and the tokens it held are revoked.`) }),
  );
  // Enabling asks nothing first, so there is no dialog to hold a refusal: both outcomes are toasts.
  const enable = useMutation(
    trpc.clients.enable.mutationOptions({
      onSuccess: async () => {
        toast.success(`${client.name} is enabled and can get tokens again.`);
        await invalidate();
      },
      onError: (error) => toast.error(`${client.name} was not enabled: ${error.message}`),
    }),
  );
  const revokeTokens = useMutation(
    trpc.grants.revokeAllForClient.mutationOptions({
      onSuccess: async (revoked) => {
        toast.success(`${client.name}: ${revokedSummary(revoked)}`);
        await afterConfirm();
      },
    }),
  );
  const setResourceServer = useMutation(
    trpc.clients.update.mutationOptions({
      onSuccess: async (updated) => {
        toast.success(
          updated.resourceServer
            ? `${client.name} is a resource server: it may introspect any client's tokens.`
            : `${client.name} is no longer a resource server: it may introspect only its own tokens.`,
        );
        await afterConfirm();
      },
    }),
  );
  const blockHost = useMutation(
    trpc.clientMetadataDocuments.blockHost.mutationOptions({
      onSuccess: async () => {
        toast.success(`${client.metadataDocumentHost ?? "The host"} is blocked: its clients can no longer sign anyone in.`);
        await queryClient.invalidateQueries({ queryKey: trpc.clientMetadataDocuments.pathKey() });
        await afterConfirm();
      },
    }),
  );
  const remove = useMutation(
    trpc.clients.delete.mutationOptions({
      onSuccess: async () => {
        setConfirm(null);
        // The deleted client's own query is dropped rather than refetched: it would only answer "not found".
        queryClient.removeQueries({ queryKey: trpc.clients.get.queryKey({ clientId: client.clientId }) });
        router.push("/clients");
        toast.success(`${client.name} is deleted.`);
        await Promise.all(
          [trpc.clients.list.pathKey(), trpc.grants.pathKey(), trpc.sessions.pathKey(), trpc.account.pathKey(), trpc.audit.pathKey()].map((queryKey) =>
            queryClient.invalidateQueries({ queryKey }),
          ),
        );
      },
    }),
  );

  function ask(next: Confirm) {
    for (const mutation of [rotate, disable, revokeTokens, remove, setResourceServer, blockHost]) mutation.reset();
    setConfirm(next);
  }

  const can = client.can;
  // Its document, not the console, says what a metadata-document client is called and where it redirects.
  const documentOwned = client.origin === "metadata_document";

  const rows: Array<[string, ReactNode]> = [
    ["Client ID", <span key="id" className="font-mono text-xs break-all">{client.clientId}</span>],
    [
      "Type",
      <div key="type" className="space-y-1">
        <ClientTypeBadge type={client.type} />
        <p className="text-xs font-normal text-slate-500">{CLIENT_TYPE_HINTS[client.type]}</p>
      </div>,
    ],
    ["Token endpoint authentication", <span key="auth" className="font-mono text-xs">{client.authMethod}</span>],
    ["Status", <ClientStatusBadge key="status" disabled={client.disabled} />],
    ["Owning domain", ownerLabel(client.domainName)],
    [
      "Origin",
      client.metadataDocumentHost ? (
        <div key="origin" className="space-y-1">
          <span>{ORIGIN_LABELS[client.origin]}</span>
          <p className="text-xs font-normal text-slate-500">
            Vouched for by <span className="font-medium text-slate-700">{client.metadataDocumentHost}</span>, not registered by Gatehouse:
            its name, logo and redirect URIs come from the document at its client ID, fetched again when it expires.
          </p>
        </div>
      ) : (
        ORIGIN_LABELS[client.origin]
      ),
    ],
    ["Consent", client.skipConsent ? "Not asked: a trusted first-party app" : "Asked of each person"],
    [
      "Introspection",
      <div key="introspection" className="flex flex-wrap items-center gap-3">
        <span>{client.resourceServer ? "Any client's tokens: a resource server" : "Only its own tokens"}</span>
        {can.setResourceServer && client.type === "confidential" && !documentOwned ? (
          <Button onClick={() => ask("resource-server")}>{client.resourceServer ? "Unmark resource server" : "Mark as resource server"}</Button>
        ) : null}
      </div>,
    ],
    ["Created", <LocalTime key="created" value={client.createdAt} />],
    ["Updated", <LocalTime key="updated" value={client.updatedAt} />],
  ];

  return (
    <div className="max-w-4xl">
      <BackLink />
      <PageHeader
        title={client.name}
        description={`${client.type === "confidential" ? "Confidential" : "Public"} client · ${ownerLabel(client.domainName)}`}
        actions={
          <>
            {can.edit && !documentOwned ? <Button onClick={() => setEditing(true)}>Edit client</Button> : null}
            {can.rotateSecret && client.type === "confidential" && client.authMethod !== "private_key_jwt" ? (
              <Button onClick={() => ask("rotate")}>Rotate secret</Button>
            ) : null}
            {can.enable && client.disabled ? (
              <Button pending={enable.isPending} pendingLabel="Enabling…" onClick={() => enable.mutate({ clientId: client.clientId })}>
                Enable client
              </Button>
            ) : null}
            {can.disable && !client.disabled ? (
              <Button variant="danger" onClick={() => ask("disable")}>
                Disable client
              </Button>
            ) : null}
            {can.blockHost && client.metadataDocumentHost ? (
              <Button variant="danger" onClick={() => ask("block-host")}>
                Block {client.metadataDocumentHost}
              </Button>
            ) : null}
            {can.delete ? (
              <Button variant="danger" onClick={() => ask("delete")}>
                Delete client
              </Button>
            ) : null}
          </>
        }
      />
      <div className="space-y-8">
        {client.disabled ? (
          <p className="rounded-md border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-800">
            This client is disabled: it cannot get tokens, and the tokens it held were revoked when it was disabled.
          </p>
        ) : null}
        <Section title="Details">
          <Panel>
            <DetailList rows={rows} />
          </Panel>
        </Section>
        <Section title="Redirect URIs">
          <Panel>
            <ul className="divide-y divide-slate-100">
              {client.redirectUris.map((uri) => (
                <li key={uri} className="px-5 py-3 font-mono text-xs break-all text-slate-800">
                  {uri}
                </li>
              ))}
            </ul>
          </Panel>
        </Section>
        <Section title="Scopes">
          <Panel>
            <dl className="divide-y divide-slate-100">
              {client.scopes.map((scope) => (
                <div key={scope} className="grid grid-cols-3 gap-4 px-5 py-3 text-sm">
                  <dt className="font-mono text-xs text-slate-900">{scope}</dt>
                  <dd className="col-span-2 text-slate-600">{SCOPE_DESCRIPTIONS[scope]}</dd>
                </div>
              ))}
            </dl>
          </Panel>
        </Section>
        <Section title="Tokens">
          <Panel className="space-y-3 px-5 py-4 text-sm">
            <p>
              <span className="font-semibold tabular-nums">{tokens(client.liveAccessTokens)}</span> of this client{" "}
              {client.liveAccessTokens === 1 ? "is" : "are"} live.
            </p>
            <div className="flex flex-wrap gap-2">
              {can.viewGrants ? (
                <Link
                  href={`/sessions?clientId=${encodeURIComponent(client.clientId)}`}
                  className="inline-flex items-center justify-center rounded-md px-3 py-1.5 text-sm font-medium text-slate-600 hover:bg-slate-100"
                >
                  View grants
                </Link>
              ) : null}
              {can.revokeGrants ? (
                <Button variant="danger" onClick={() => ask("revoke-tokens")}>
                  Revoke all tokens
                </Button>
              ) : null}
            </div>
          </Panel>
        </Section>
      </div>

      {can.edit ? <EditClientDialog open={editing} onClose={() => setEditing(false)} client={client} canTrust={can.trust} /> : null}
      <ConfirmDialog
        open={confirm === "resource-server"}
        onCancel={() => setConfirm(null)}
        {...confirming(setResourceServer, { clientId: client.clientId, resourceServer: !client.resourceServer })}
        title={client.resourceServer ? "Unmark resource server" : "Mark as resource server"}
        confirmLabel={client.resourceServer ? "Unmark" : "Mark as resource server"}
      >
        {client.resourceServer ? (
          <p>
            Stop <strong>{client.name}</strong> from introspecting other clients&apos; tokens? It will learn about its own tokens only.
          </p>
        ) : (
          <p>
            Let <strong>{client.name}</strong> introspect tokens issued to any client, and so learn who they act for and with what
            scopes? Do this only for an API you run that accepts Gatehouse tokens.
          </p>
        )}
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "block-host"}
        onCancel={() => setConfirm(null)}
        onConfirm={() => client.metadataDocumentHost && blockHost.mutate({ host: client.metadataDocumentHost })}
        title="Block host"
        confirmLabel="Block and revoke"
        pending={blockHost.isPending}
        error={blockHost.error?.message}
      >
        <p>
          Block client ID metadata documents from <strong>{client.metadataDocumentHost}</strong>? {client.name} and every other client
          it vouches for are refused from now on, and every grant and token they hold, for every person, is revoked at once.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "rotate"}
        onCancel={() => setConfirm(null)}
        {...confirming(rotate, { clientId: client.clientId })}
        title="Rotate client secret"
        confirmLabel="Rotate secret"
      >
        <p>
          Rotate the secret of <strong>{client.name}</strong>? The current secret stops working at once and the client&apos;s live
          tokens are revoked. The new secret is shown once.
        </p>
      </ConfirmDialog>
      <Dialog open={rotate.data !== undefined} onClose={() => rotate.reset()} title={`New secret for ${client.name}`}>
        {rotate.data ? (
          <ClientCredentialsPanel clientId={rotate.data.clientId} clientSecret={rotate.data.clientSecret} onDone={() => rotate.reset()} />
        ) : null}
      </Dialog>
      <ConfirmDialog
        open={confirm === "disable"}
        onCancel={() => setConfirm(null)}
        {...confirming(disable, { clientId: client.clientId })}
        title="Disable client"
        confirmLabel="Disable client"
      >
        <p>
          Disable <strong>{client.name}</strong>? It can no longer get tokens, and every token it holds stops working at once.
          Enabling it again does not bring those tokens back.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "revoke-tokens"}
        onCancel={() => setConfirm(null)}
        {...confirming(revokeTokens, { clientId: client.clientId })}
        title="Revoke all tokens"
        confirmLabel="Revoke all tokens"
      >
        <p>
          Revoke every token and remembered consent of <strong>{client.name}</strong>? Everyone using it has to sign in and
          consent again. The client itself stays active.
        </p>
      </ConfirmDialog>
      <ConfirmDialog
        open={confirm === "delete"}
        onCancel={() => setConfirm(null)}
        {...confirming(remove, { clientId: client.clientId })}
        title="Delete client"
        confirmLabel="Delete client"
        typeToConfirm={client.name}
      >
        <p>
          Delete <strong>{client.name}</strong> (<span className="font-mono">{client.clientId}</span>) with its consents and tokens?
          Every app using it stops working at once. This cannot be undone.
        </p>
      </ConfirmDialog>
    </div>
  );
}
