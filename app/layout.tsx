import type { Metadata, Viewport } from "next";
import { connection } from "next/server";
import type { ReactNode } from "react";
import { Theme } from "./_components/theme";
import { requestNonce } from "./_lib/request-nonce";
import { TRPCReactProvider } from "./_lib/trpc/client";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Gatehouse", template: "%s · Gatehouse" },
  description: "Admin console and OAuth 2.1 authorization server for MCP servers",
};

export const viewport: Viewport = {
  themeColor: [
    { media: "(prefers-color-scheme: light)", color: "#f8fafc" },
    { media: "(prefers-color-scheme: dark)", color: "#0b1020" },
  ],
};

export default async function RootLayout({ children }: { children: ReactNode }) {
  // Every page carries its request's CSP nonce (proxy.ts), so none may be prerendered without one.
  await connection();
  const nonce = await requestNonce();
  return (
    // next-themes sets the theme class on <html> before React hydrates, which React would report as a mismatch.
    <html lang="en" suppressHydrationWarning>
      <body>
        <Theme nonce={nonce}>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </Theme>
      </body>
    </html>
  );
}
