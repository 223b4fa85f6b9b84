import type { Metadata } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "./_lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Gatehouse", template: "%s · Gatehouse" },
  description: "Admin console and OAuth 2.1 authorization server for MCP servers",
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page carries its request's CSP nonce (proxy.ts), so none may be prerendered without one.
  await connection();
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
