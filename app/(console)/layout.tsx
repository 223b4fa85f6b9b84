import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import { consolePages } from "@/app/_lib/trpc/server";
import { headers } from "next/headers";
import { REQUEST_PATH_HEADER } from "@/server/shared/request-path";
import { requireMfaWhereRequired, requireSession } from "@/server/auth/session";
import { ConsoleShell } from "./_components/shell";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await requireSession();
  await requireMfaWhereRequired(user.id, (await headers()).get(REQUEST_PATH_HEADER) ?? "/");
  const answer = await consolePages();
  return (
    <ConsoleShell answer={answer} user={{ name: user.name, email: user.email }}>
      {/* Lists keep their filters, sort, page and open drawer in the URL (nuqs). */}
      <NuqsAdapter>{children}</NuqsAdapter>
    </ConsoleShell>
  );
}
