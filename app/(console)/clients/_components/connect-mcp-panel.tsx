"use client";

import { useQuery } from "@tanstack/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import { useId, useState, type KeyboardEvent } from "react";
import { CheckboxField } from "@/app/_components/form";
import { useTRPC } from "@/app/_lib/trpc/client";
import type { AppRouter } from "@/server/trpc/root";
import { Badge, Button, CopyButton, ErrorState, LoadingState, Panel } from "../../_components/ui";
import { CopyableValue } from "./shared";

type McpScope = inferRouterInputs<AppRouter>["mcp"]["previewTools"]["scopes"][number];
type ScopeOption = inferRouterOutputs<AppRouter>["mcp"]["connection"]["scopes"][number];

const SCOPE_TONES: Record<McpScope, "slate" | "amber" | "red"> = { "mcp:read": "slate", "mcp:write": "amber", "mcp:admin": "red" };

/** The server's name in every snippet, so the tools show up as gatehouse's in each client. */
const SERVER_NAME = "gatehouse";

interface Snippet {
  client: string;
  /** Where the snippet goes and what happens next. */
  where: string;
  text: string;
}

function json(value: unknown): string {
  return JSON.stringify(value, null, 2);
}

function snippetsFor(mcpUrl: string): Snippet[] {
  return [
    {
      client: "Claude Code",
      where: "Run this in a terminal. Claude Code opens the browser for you to sign in the first time it uses the server (or from /mcp).",
      text: `claude mcp add --transport http ${SERVER_NAME} ${mcpUrl}`,
    },
    {
      client: "Claude Desktop",
      where:
        "In Settings › Connectors choose Add custom connector and paste this URL. Claude connects from Anthropic's servers, so this works only when Gatehouse is reachable from the internet.",
      text: mcpUrl,
    },
    {
      client: "ChatGPT",
      where:
        "With developer mode on (Settings › Apps & Connectors › Advanced settings), create a connector with this URL and OAuth authentication. ChatGPT connects from OpenAI's servers, so this works only when Gatehouse is reachable from the internet.",
      text: mcpUrl,
    },
    {
      client: "VS Code",
      where: "Save as .vscode/mcp.json in the workspace (or add the server to your user mcp.json), then start it from the file.",
      text: json({ servers: { [SERVER_NAME]: { type: "http", url: mcpUrl } } }),
    },
    {
      client: "Cursor",
      where: "Add to ~/.cursor/mcp.json (every project) or .cursor/mcp.json (one project), then turn the server on in Cursor's MCP settings.",
      text: json({ mcpServers: { [SERVER_NAME]: { url: mcpUrl } } }),
    },
    {
      client: "Other clients",
      where: "The mcpServers file most clients read, such as a project's .mcp.json for Claude Code.",
      text: json({ mcpServers: { [SERVER_NAME]: { type: "http", url: mcpUrl } } }),
    },
    {
      client: "MCP Inspector",
      where: "Run this, then in the page it opens choose the transport Streamable HTTP, enter the MCP URL and connect; it walks through the sign-in.",
      text: "npx @modelcontextprotocol/inspector",
    },
  ];
}

function ClientSnippets({ mcpUrl }: { mcpUrl: string }) {
  const id = useId();
  const snippets = snippetsFor(mcpUrl);
  const [selected, setSelected] = useState(0);
  const current = snippets[selected]!;

  // Arrow keys move between tabs, as the ARIA tabs pattern expects; Tab goes on into the panel.
  function onKeyDown(event: KeyboardEvent<HTMLButtonElement>) {
    const last = snippets.length - 1;
    const next =
      event.key === "ArrowRight" ? (selected === last ? 0 : selected + 1)
      : event.key === "ArrowLeft" ? (selected === 0 ? last : selected - 1)
      : event.key === "Home" ? 0
      : event.key === "End" ? last
      : null;
    if (next === null) return;
    event.preventDefault();
    setSelected(next);
    document.getElementById(`${id}-tab-${next}`)?.focus();
  }

  return (
    <div className="space-y-3">
      <h3 className="text-sm font-semibold text-slate-900">Add Gatehouse to a client</h3>
      <div role="tablist" aria-label="MCP clients" className="flex flex-wrap gap-1 border-b border-slate-200">
        {snippets.map((snippet, index) => (
          <button
            key={snippet.client}
            id={`${id}-tab-${index}`}
            type="button"
            role="tab"
            aria-selected={index === selected}
            aria-controls={`${id}-panel`}
            tabIndex={index === selected ? 0 : -1}
            onClick={() => setSelected(index)}
            onKeyDown={onKeyDown}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 focus-visible:outline-2 focus-visible:outline-brand-600 aria-selected:border-brand-600 aria-selected:text-brand-700"
          >
            {snippet.client}
          </button>
        ))}
      </div>
      <div id={`${id}-panel`} role="tabpanel" aria-labelledby={`${id}-tab-${selected}`} className="space-y-2">
        <p className="text-sm text-slate-600">{current.where}</p>
        <pre className="overflow-x-auto rounded-md bg-slate-900 px-4 py-3 font-mono text-xs text-slate-100">
          <code>{current.text}</code>
        </pre>
        <CopyButton value={current.text} label={`Copy ${current.client} snippet`} what="the snippet" />
      </div>
    </div>
  );
}

function ScopeCheckbox({ option, checked, onChange }: { option: ScopeOption; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <CheckboxField
      item
      label={option.scope}
      labelClassName="font-mono text-sm text-slate-900"
      hint={option.description}
      checked={checked}
      onChange={onChange}
    />
  );
}

function sameScopes(a: readonly McpScope[], b: readonly McpScope[]): boolean {
  return a.length === b.length && a.every((scope, index) => scope === b[index]);
}

function scopeList(scopes: readonly McpScope[]): string {
  return scopes.length === 0 ? "no MCP scope" : scopes.join(", ");
}

function TestConnection({ options }: { options: readonly ScopeOption[] }) {
  const trpc = useTRPC();
  const headingId = useId();
  const [checked, setChecked] = useState<ReadonlySet<McpScope>>(() => new Set<McpScope>(["mcp:read"]));
  const [tested, setTested] = useState<McpScope[] | null>(null);
  const preview = useQuery({
    ...trpc.mcp.previewTools.queryOptions({ scopes: tested ?? [] }),
    enabled: tested !== null,
    // The answer follows the caller's roles, which an administrator may just have changed.
    staleTime: 0,
  });

  function toggle(scope: McpScope, on: boolean) {
    setChecked((current) => {
      const next = new Set(current);
      if (on) next.add(scope);
      else next.delete(scope);
      return next;
    });
  }

  function runTest() {
    const scopes = options.map((option) => option.scope).filter((scope) => checked.has(scope));
    if (tested && sameScopes(tested, scopes)) void preview.refetch();
    else setTested(scopes);
  }

  return (
    <section aria-labelledby={headingId} className="space-y-3">
      <div>
        <h3 id={headingId} className="text-sm font-semibold text-slate-900">
          Test connection
        </h3>
        <p className="text-sm text-slate-600">
          See the tools a client would list for you with a token carrying these scopes. Most tools also need a permission from your roles.
        </p>
      </div>
      <fieldset>
        <legend className="sr-only">Scopes of the token</legend>
        <ul className="space-y-2">
          {options.map((option) => (
            <ScopeCheckbox key={option.scope} option={option} checked={checked.has(option.scope)} onChange={(on) => toggle(option.scope, on)} />
          ))}
        </ul>
      </fieldset>
      <Button variant="primary" onClick={runTest} pending={preview.isFetching} pendingLabel="Testing…">
        Test connection
      </Button>
      <div aria-live="polite">
        {tested === null ? null : preview.isPending ? (
          <LoadingState label="Testing the connection…" />
        ) : preview.isError ? (
          <ErrorState message={`The test could not run: ${preview.error.message}`} onRetry={() => void preview.refetch()} />
        ) : preview.data.length === 0 ? (
          <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700">
            A token with {scopeList(tested)} would see no tools. Add a scope, or ask an administrator for a role whose permissions the tools need.
          </p>
        ) : (
          <div className="space-y-2">
            <p className="text-sm text-slate-700">
              A token with {scopeList(tested)} would see {preview.data.length === 1 ? "1 tool" : `${preview.data.length} tools`}:
            </p>
            <ul aria-label="Tools the token would see" className="divide-y divide-slate-100 rounded-md border border-slate-200">
              {preview.data.map((tool) => (
                <li key={tool.name} className="space-y-1 px-3 py-2">
                  <div className="flex flex-wrap items-center gap-2">
                    <span className="font-mono text-sm font-medium text-slate-900">{tool.name}</span>
                    <Badge tone={SCOPE_TONES[tool.scope]}>{tool.scope}</Badge>
                  </div>
                  <p className="text-xs text-slate-600">{tool.description}</p>
                </li>
              ))}
            </ul>
          </div>
        )}
      </div>
    </section>
  );
}

/** How to point an MCP client at Gatehouse, for anyone on the Clients page; it needs no permission. */
export function ConnectMcpPanel() {
  const trpc = useTRPC();
  const headingId = useId();
  const connection = useQuery(trpc.mcp.connection.queryOptions());
  return (
    <section aria-labelledby={headingId} className="mt-8">
      <Panel>
        <div className="border-b border-slate-200 px-5 py-4">
          <h2 id={headingId} className="text-base font-semibold">
            Connect an MCP client
          </h2>
          <p className="mt-1 text-sm text-slate-600">
            Clients register themselves and sign you in through Gatehouse (OAuth with PKCE), asking for mcp:read first and for more
            scopes only when a tool needs them, so no secret or token goes into these settings.
          </p>
        </div>
        {connection.isPending ? (
          <LoadingState label="Loading the connection details…" />
        ) : connection.isError ? (
          <ErrorState
            message={`The connection details could not be loaded: ${connection.error.message}`}
            onRetry={() => void connection.refetch()}
          />
        ) : (
          <div className="space-y-8 px-5 py-5">
            <div className="space-y-5">
              <CopyableValue
                what="the URL"
                label="MCP URL"
                copyLabel="Copy MCP URL"
                value={connection.data.mcpUrl}
                hint="The one address a client needs; it uses the Streamable HTTP transport."
              />
              <CopyableValue
                what="the URL"
                label="Resource metadata URL"
                copyLabel="Copy resource metadata URL"
                value={connection.data.resourceMetadataUrl}
                hint={`Where clients discover the authorization server (${connection.data.issuer}); for clients that ask for it.`}
              />
            </div>
            <ClientSnippets mcpUrl={connection.data.mcpUrl} />
            <TestConnection options={connection.data.scopes} />
          </div>
        )}
      </Panel>
    </section>
  );
}
