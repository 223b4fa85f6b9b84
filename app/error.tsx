"use client";

import { ErrorView } from "./_components/error-view";

/** A page outside the console (sign-in and the like) that failed to render. */
export default function RootError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} />;
}
