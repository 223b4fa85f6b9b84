"use client";

import Link from "next/link";
import { useState } from "react";
import { FormAlert } from "@/app/_components/form";
import { isNavigableUrl, signedOAuthQuery } from "@/app/_lib/oauth-query";

interface ConsentReply {
  url?: string;
  error?: string;
  error_description?: string;
  message?: string;
}

/** Why the answer did not go through, and whether answering again can help. */
interface Problem {
  message: string;
  retry: boolean;
  /** Where to go instead when retrying cannot help. */
  way: { href: string; label: string };
}

const HOME = { href: "/", label: "Go to your Gatehouse account" };

function problemFor(status: number, reply: ConsentReply | null, clientName: string): Problem {
  if (status === 401) {
    return {
      message: `You were signed out before answering. Sign in again to answer ${clientName}'s request.`,
      retry: false,
      way: { href: `/sign-in${window.location.search}`, label: "Sign in again" },
    };
  }
  if (reply?.error === "invalid_signature") {
    return {
      message: `This request from ${clientName} has expired or was changed. Go back to ${clientName} and connect again.`,
      retry: false,
      way: HOME,
    };
  }
  if (status === 429) return { message: "Too many attempts. Wait a moment and try again.", retry: true, way: HOME };
  if (status >= 500) return { message: "Gatehouse could not record your answer. Try again.", retry: true, way: HOME };
  const detail = reply?.error_description ?? reply?.message;
  return {
    message: `Gatehouse could not complete this request${detail ? ` (${detail})` : ""}. Go back to ${clientName} and connect again.`,
    retry: false,
    way: HOME,
  };
}

/** Posts the user's answer with the signed request and follows the provider to the client's redirect URI. */
async function answer(accept: boolean, clientName: string): Promise<{ url: string } | Problem> {
  const oauthQuery = signedOAuthQuery(window.location.search);
  if (!oauthQuery) return problemFor(400, { error: "invalid_signature" }, clientName);
  const response = await fetch("/api/auth/oauth2/consent", {
    method: "POST",
    headers: { "content-type": "application/json", accept: "application/json" },
    credentials: "same-origin",
    body: JSON.stringify({ accept, oauth_query: oauthQuery }),
  }).catch(() => null);
  if (!response) return { message: "Gatehouse could not be reached. Check your connection and try again.", retry: true, way: HOME };
  const reply = (await response.json().catch(() => null)) as ConsentReply | null;
  if (response.ok && reply?.url && isNavigableUrl(reply.url)) return { url: reply.url };
  return problemFor(response.ok ? 500 : response.status, reply, clientName);
}

const BUTTON =
  "w-full rounded-md px-3 py-2 text-sm font-semibold shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-brand-600 disabled:cursor-wait disabled:opacity-70";

export function ConsentActions({ clientName }: { clientName: string }) {
  const [pending, setPending] = useState<"allow" | "deny" | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);

  async function choose(choice: "allow" | "deny") {
    setPending(choice);
    setProblem(null);
    const outcome = await answer(choice === "allow", clientName);
    if ("url" in outcome) {
      // Stay pending: the browser is leaving for the client, and a second answer would be refused.
      window.location.assign(outcome.url);
      return;
    }
    setProblem(outcome);
    setPending(null);
  }

  if (problem && !problem.retry) {
    return (
      <div className="space-y-3">
        <FormAlert message={problem.message} />
        <Link href={problem.way.href} className="inline-block text-sm font-medium text-brand-600 hover:underline">
          {problem.way.label}
        </Link>
      </div>
    );
  }

  return (
    <div className="space-y-3">
      <FormAlert message={problem?.message} />
      <div className="grid grid-cols-2 gap-3">
        <button
          type="button"
          onClick={() => choose("deny")}
          disabled={pending !== null}
          aria-busy={pending === "deny"}
          className={`${BUTTON} border border-slate-300 bg-white text-slate-700 hover:bg-slate-50`}
        >
          {pending === "deny" ? "Denying…" : "Deny"}
        </button>
        <button
          type="button"
          onClick={() => choose("allow")}
          disabled={pending !== null}
          aria-busy={pending === "allow"}
          className={`${BUTTON} bg-primary text-on-fill hover:bg-primary-hover`}
        >
          {pending === "allow" ? "Allowing…" : "Allow"}
        </button>
      </div>
    </div>
  );
}
