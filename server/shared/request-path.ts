/** Set by proxy.ts on page requests; never trusted as more than a same-origin return path. */
export const REQUEST_PATH_HEADER = "x-gatehouse-request-path";
