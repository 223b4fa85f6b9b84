import type { ClientItem } from "@/server/pages";

/**
 * Who stands behind the application asking for access. A client identified by a metadata document
 * chose its own name; what people can rely on is the host that serves its document, so that host is
 * said first and plainly, with the fact that Gatehouse never registered the application.
 */
export function ClientIdentity({
  client,
  redirectsToThisComputer = false,
}: {
  client: Pick<ClientItem, "name" | "logoUri" | "metadataDocumentHost">;
  /** The request's redirect URI is on loopback, where any program on the person's computer may be listening. */
  redirectsToThisComputer?: boolean;
}) {
  const host = client.metadataDocumentHost;
  return (
    <div className="space-y-3">
      <div className="flex items-center gap-3">
        {/* A document's logo is whatever its host chose, any brand's included: only registered clients show one. */}
        {!host && client.logoUri?.startsWith("https://") ? (
          // An external logo of any size from the client's registration; next/image would need its host allow-listed.
          // eslint-disable-next-line @next/next/no-img-element
          <img
            src={client.logoUri}
            alt={`${client.name} logo`}
            width={40}
            height={40}
            referrerPolicy="no-referrer"
            className="size-10 shrink-0 rounded-md border border-slate-200 object-contain"
          />
        ) : null}
        <h1 className="text-xl font-semibold">{client.name} wants to use your account</h1>
      </div>
      {host ? (
        <div role="note" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-sm text-amber-900">
          <p>
            Identified by <span className="font-mono font-semibold break-all">{host}</span>
          </p>
          <p className="mt-1 text-xs">
            Gatehouse did not register this application: it describes itself in a document published on {host}, and its name is
            whatever that document says. Allow it only if you trust {host}.
          </p>
          {redirectsToThisComputer ? (
            <p className="mt-1 text-xs font-medium">
              It sends you back to a program on this computer, which {host} cannot vouch for: allow it only if you just started
              this connection yourself.
            </p>
          ) : null}
        </div>
      ) : null}
    </div>
  );
}
