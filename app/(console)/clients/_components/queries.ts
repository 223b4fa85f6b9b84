import { parseAsStringLiteral } from "nuqs/server";
import { createLoader, listParsers, pageAndSort, textFilter } from "../../_components/list-params";

/**
 * The clients list's URL state and query input, shared by the server page's prefetch and the client
 * components. Kept out of the "use client" files: a server component importing a value from one
 * gets a reference, not the value.
 */

export const CLIENT_SORTS = ["name", "createdAt"] as const;

export const clientsParams = {
  ...listParsers(CLIENT_SORTS),
  q: textFilter,
  type: parseAsStringLiteral(["public", "confidential"] as const),
  status: parseAsStringLiteral(["active", "disabled"] as const),
  origin: parseAsStringLiteral(["console", "dynamic", "metadata_document"] as const),
  domain: textFilter,
};

export const loadClientsParams = createLoader(clientsParams);

type ClientsState = Awaited<ReturnType<typeof loadClientsParams>>;

/** Empty filters and the default order are left out, so the server's prefetch and the browser's first query share one cache key. */
export function clientsListInput(state: ClientsState) {
  return {
    ...(state.q ? { search: state.q } : {}),
    ...(state.type ? { type: state.type } : {}),
    ...(state.status ? { status: state.status } : {}),
    ...(state.domain ? { domainId: state.domain } : {}),
    ...(state.origin ? { origin: state.origin } : {}),
    ...pageAndSort(state),
  };
}
