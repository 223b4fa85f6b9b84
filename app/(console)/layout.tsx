import type { ReactNode } from "react";
import { requireSession } from "@/server/auth/session";
import { Sidebar } from "./_components/sidebar";

export default async function ConsoleLayout({ children }: { children: ReactNode }) {
  const { user } = await requireSession();
  return (
    <div className="flex min-h-screen">
      <Sidebar userName={user.name} userEmail={user.email} />
      <main className="flex-1 px-8 py-8">{children}</main>
    </div>
  );
}
