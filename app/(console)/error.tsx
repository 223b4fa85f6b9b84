"use client";

import { ErrorView } from "@/app/_components/error-view";

/** A console page that failed to render: the shell (navigation, search, account menu) stays usable around it. */
export default function ConsoleError({ error, retry }: { error: unknown; retry: () => void }) {
  return <ErrorView error={error} retry={retry} framed={false} />;
}
