import { NuqsAdapter } from "nuqs/adapters/next/app";
import type { ReactNode } from "react";
import { consoleSections } from "@/app/_lib/trpc/server";
import { headers } from "next/headers";
import { REQUEST_PATH_HEADER } from "@/server/shared/request-path";
import { requireMfaWhereRequired, requireSession } from "@/server/auth/session";
import { Sidebar } from "./_components/sidebar";
import { StepUpDialog } from "./_components/step-up-dialog";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await requireSession();
  await requireMfaWhereRequired(user.id, (await headers()).get(REQUEST_PATH_HEADER) ?? "/");
  const sections = await consoleSections();
  return (
    <div className="flex min-h-screen">
      <Sidebar userName={user.name} userEmail={user.email} sections={sections} />
      <main className="min-w-0 flex-1 px-8 py-8">
        {/* Lists keep their filters, sort and page in the URL (nuqs). */}
        <NuqsAdapter>{children}</NuqsAdapter>
      </main>
      <StepUpDialog />
    </div>
  );
}
