import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "./_lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Gatehouse", template: "%s · Gatehouse" },
  description: "Admin console and OAuth 2.1 authorization server for MCP servers",
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
