import type { Metadata } from "next";
import { connection } from "next/server";
import { notFound } from "next/navigation";
import { getEnv } from "@/server/env";
import { outboxMessages } from "@/server/pages";

export const metadata: Metadata = { title: "Development outbox", robots: { index: false }, referrer: "no-referrer" };

/** Email that would have been sent, for installations without SMTP. Gone unless the outbox is on. */
export default async function DevOutboxPage() {
  // Decided per request, against the configuration the server runs with, never at build time.
  await connection();
  if (!getEnv().email.devOutbox) notFound();
  const messages = await outboxMessages();
  return (
    <main className="mx-auto max-w-3xl space-y-6 px-4 py-10">
      <div className="space-y-1">
        <h1 className="text-xl font-semibold">Development outbox</h1>
        <p className="text-sm text-slate-600">
          Email Gatehouse would have sent, newest first. Set SMTP_URL to send real email instead.
        </p>
      </div>
      {messages.length === 0 ? (
        <p className="text-sm text-slate-600">No messages yet.</p>
      ) : (
        <ol className="space-y-4">
          {messages.map((message) => (
            <li key={message.id}>
              <article aria-label={message.subject} className="space-y-2 rounded-xl border border-slate-200 bg-white p-4 shadow-sm">
                <h2 className="font-medium">{message.subject}</h2>
                <p className="text-xs text-slate-500">
                  To {message.to} · <time dateTime={message.createdAt.toISOString()}>{message.createdAt.toISOString()}</time>
                </p>
                <pre className="text-sm whitespace-pre-wrap break-all text-slate-700">{message.text}</pre>
                {message.link && /^https?:\/\//.test(message.link) ? (
                  <a href={message.link} className="text-sm font-medium text-brand-600 hover:underline">
                    Open the link
                  </a>
                ) : null}
              </article>
            </li>
          ))}
        </ol>
      )}
    </main>
  );
}
