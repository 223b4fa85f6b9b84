"use client";

import { ErrorView } from "./_components/error-view";
import "./globals.css";

/**
 * When the root layout itself fails: this replaces the whole document. Next's built-in page styles
 * itself inline, which the page CSP refuses, so this one uses the app's stylesheet and follows the
 * system's colour scheme (the theme provider is part of what failed).
 */
export default function GlobalError({ error, retry }: { error: unknown; retry: () => void }) {
  return (
    <html lang="en">
      <head>
        <title>Something went wrong · Gatehouse</title>
      </head>
      <body>
        <ErrorView error={error} retry={retry} />
      </body>
    </html>
  );
}
