"use client";

import { X } from "lucide-react";
import { Dialog as RadixDialog, Tooltip } from "radix-ui";
import { TextField } from "@/app/_components/form";
import { useInertBehind } from "./inert-behind";
import { forwardRef, useEffect, useId, useRef, useState, useSyncExternalStore, type ButtonHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from "react";

/** Building blocks shared by the console pages, so every page has the same states and controls. */

export function PageHeader({ title, description, actions }: { title: string; description?: string; actions?: ReactNode }) {
  return (
    <header className="mb-6 flex flex-wrap items-start justify-between gap-4">
      <div>
        <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
        {description ? <p className="mt-1 text-sm text-slate-500">{description}</p> : null}
      </div>
      {actions ? <div className="flex items-center gap-2">{actions}</div> : null}
    </header>
  );
}

type ButtonVariant = "primary" | "secondary" | "danger" | "ghost";

const BUTTON_STYLES: Record<ButtonVariant, string> = {
  primary: "bg-primary text-on-fill hover:bg-primary-hover focus-visible:outline-brand-600",
  secondary: "border border-slate-300 bg-white text-slate-700 hover:bg-slate-50 focus-visible:outline-brand-600",
  danger: "bg-danger text-on-fill hover:bg-danger-hover focus-visible:outline-red-600",
  ghost: "text-slate-600 hover:bg-slate-100 focus-visible:outline-brand-600",
};

type ButtonProps = ButtonHTMLAttributes<HTMLButtonElement> & { variant?: ButtonVariant; pending?: boolean; pendingLabel?: string };

/** Forwards its ref, so Radix triggers (`asChild`) can wrap it. */
export const Button = forwardRef<HTMLButtonElement, ButtonProps>(function Button(
  { variant = "secondary", pending = false, pendingLabel, children, className = "", ...props },
  ref,
) {
  return (
    <button
      ref={ref}
      type="button"
      {...props}
      disabled={props.disabled || pending}
      aria-busy={pending || undefined}
      className={`inline-flex items-center justify-center rounded-md px-3 py-1.5 text-sm font-medium shadow-sm focus-visible:outline-2 focus-visible:outline-offset-2 disabled:cursor-not-allowed disabled:opacity-60 ${BUTTON_STYLES[variant]} ${className}`}
    >
      {pending && pendingLabel ? pendingLabel : children}
    </button>
  );
});

/**
 * A button that shows only an icon: its label is its accessible name and shows as a tooltip on
 * hover and keyboard focus. Needs a <Tooltip.Provider> above it (the console layout has one).
 */
export const IconButton = forwardRef<HTMLButtonElement, ButtonProps & { label: string; children: ReactNode }>(function IconButton(
  { label, children, className = "", variant = "ghost", ...props },
  ref,
) {
  return (
    <Tooltip.Root>
      <Tooltip.Trigger asChild>
        <Button ref={ref} variant={variant} aria-label={label} className={`px-2 ${className}`} {...props}>
          {children}
        </Button>
      </Tooltip.Trigger>
      <Tooltip.Portal>
        <Tooltip.Content sideOffset={6} className="z-50 rounded-md bg-slate-900 px-2 py-1 text-xs font-medium text-slate-50 shadow-md">
          {label}
        </Tooltip.Content>
      </Tooltip.Portal>
    </Tooltip.Root>
  );
});

export function SelectField({
  label,
  children,
  hideLabel = false,
  ...select
}: Omit<SelectHTMLAttributes<HTMLSelectElement>, "id"> & { label: string; hideLabel?: boolean; children: ReactNode }) {
  const id = useId();
  return (
    <div className="space-y-1">
      <label htmlFor={id} className={hideLabel ? "sr-only" : "block text-sm font-medium text-slate-700"}>
        {label}
      </label>
      <select
        id={id}
        className="block w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm outline-none focus:border-brand-600 focus:ring-2 focus:ring-brand-600/30"
        {...select}
      >
        {children}
      </select>
    </div>
  );
}

/** A search box that reports its value once typing pauses, so each keystroke is not a request. */
export function SearchField({
  label,
  onSearch,
  placeholder,
  value: outer = "",
}: {
  label: string;
  onSearch: (value: string) => void;
  placeholder?: string;
  /** The search in force (e.g. from the URL): the box follows it when it changes from outside. */
  value?: string;
}) {
  const [value, setValue] = useState(outer);
  const [followed, setFollowed] = useState(outer);
  if (outer !== followed) {
    setFollowed(outer);
    if (outer !== value.trim()) setValue(outer);
  }
  const latest = useRef(onSearch);
  useEffect(() => {
    latest.current = onSearch;
  }, [onSearch]);
  useEffect(() => {
    const timer = setTimeout(() => latest.current(value.trim()), 250);
    // A click on a link leaves the page: a search still waiting would go into the address after the
    // navigation began and overtake it, so it is dropped.
    const dropOnLeave = (event: MouseEvent) => {
      if (event.target instanceof Element && event.target.closest("a[href]")) clearTimeout(timer);
    };
    document.addEventListener("click", dropOnLeave, true);
    return () => {
      clearTimeout(timer);
      document.removeEventListener("click", dropOnLeave, true);
    };
  }, [value]);
  return <TextField label={label} type="search" value={value} placeholder={placeholder} onChange={(event) => setValue(event.target.value)} />;
}

/** A titled part of a page; its heading names it, so assistive technology lists it as a region. */
export function Section({
  title,
  level = 2,
  card = false,
  headingClassName = card ? "border-b border-slate-200 px-5 py-3 text-sm font-semibold" : "mb-3 text-lg font-semibold",
  className = card ? "rounded-xl border border-slate-200 bg-white shadow-sm" : undefined,
  children,
}: {
  title: ReactNode;
  level?: 2 | 3;
  /** A white card with the title in its header bar, as on the account pages. */
  card?: boolean;
  headingClassName?: string;
  className?: string;
  children: ReactNode;
}) {
  const id = useId();
  const Heading = level === 2 ? "h2" : "h3";
  return (
    <section aria-labelledby={id} className={className}>
      <Heading id={id} className={headingClassName}>
        {title}
      </Heading>
      {children}
    </section>
  );
}

/** Label and value rows, as a definition list. */
export function DetailList({ rows }: { rows: Array<[string, ReactNode]> }) {
  return (
    <dl className="divide-y divide-slate-100">
      {rows.map(([label, value]) => (
        <div key={label} className="grid grid-cols-3 gap-4 px-5 py-3 text-sm">
          <dt className="text-slate-500">{label}</dt>
          <dd className="col-span-2 font-medium break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function Panel({ children, className = "" }: { children: ReactNode; className?: string }) {
  return <div className={`rounded-xl border border-slate-200 bg-white shadow-sm ${className}`}>{children}</div>;
}

export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="px-6 py-12 text-center">
      <p className="text-sm font-semibold text-slate-900">{title}</p>
      {children ? <div className="mt-1 text-sm text-slate-500">{children}</div> : null}
    </div>
  );
}

export function ErrorState({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div role="alert" className="flex items-center justify-between gap-4 px-6 py-6 text-sm text-red-700">
      <span>{message}</span>
      {onRetry ? (
        <Button variant="secondary" onClick={onRetry}>
          Try again
        </Button>
      ) : null}
    </div>
  );
}

export function LoadingState({ label }: { label: string }) {
  return (
    <div role="status" className="space-y-3 px-6 py-6">
      <span className="sr-only">{label}</span>
      {[0, 1, 2].map((row) => (
        <div key={row} aria-hidden="true" className="h-4 animate-pulse rounded bg-slate-100" />
      ))}
    </div>
  );
}

export function Pager({
  pageNumber,
  hasNext,
  onNext,
  onPrevious,
  label,
}: {
  pageNumber: number;
  hasNext: boolean;
  onNext: () => void;
  onPrevious: () => void;
  label: string;
}) {
  return (
    <nav aria-label={label} className="flex items-center justify-between border-t border-slate-200 px-4 py-3 text-sm">
      <span className="text-slate-500">Page {pageNumber}</span>
      <div className="flex gap-2">
        <Button onClick={onPrevious} disabled={pageNumber <= 1}>
          Previous
        </Button>
        <Button onClick={onNext} disabled={!hasNext}>
          Next
        </Button>
      </div>
    </nav>
  );
}

/**
 * A modal on Radix Dialog: focus moves in and stays inside, Escape closes, focus returns to what
 * opened it, the page behind is inert and does not scroll. Its content mounts only while open. A
 * dialog opened from inside another (a confirmation in a drawer) stacks above it, and Escape closes
 * the top one only.
 */
export function Dialog({
  open,
  onClose,
  title,
  children,
  side = false,
}: {
  open: boolean;
  onClose: () => void;
  title: string;
  children: ReactNode;
  /** Slides in from the right as a drawer instead of a centred dialog. */
  side?: boolean;
}) {
  useInertBehind(open);
  return (
    <RadixDialog.Root
      open={open}
      onOpenChange={(next) => {
        if (!next) onClose();
      }}
    >
      <RadixDialog.Portal>
        <RadixDialog.Overlay className="fixed inset-0 z-40 bg-backdrop" />
        <RadixDialog.Content
          // The dialog's text is its own description; Radix would otherwise ask for a separate one.
          aria-describedby={undefined}
          // A stray click beside a half-filled form must not throw it away; a drawer closes as expected.
          onPointerDownOutside={side ? undefined : (event) => event.preventDefault()}
          className={
            side
              ? "fixed inset-y-0 right-0 z-50 flex h-full w-full max-w-xl flex-col bg-white shadow-xl outline-none"
              : "fixed top-1/2 left-1/2 z-50 flex max-h-[calc(100dvh-2rem)] w-[calc(100%-2rem)] max-w-lg -translate-x-1/2 -translate-y-1/2 flex-col rounded-xl bg-white shadow-xl outline-none"
          }
        >
          <div className="flex items-center justify-between gap-4 border-b border-slate-200 px-5 py-4">
            <RadixDialog.Title className="text-base font-semibold">{title}</RadixDialog.Title>
            <RadixDialog.Close asChild>
              <Button variant="ghost" aria-label="Close" className="px-2">
                <X aria-hidden="true" className="size-4" />
              </Button>
            </RadixDialog.Close>
          </div>
          <div className="flex-1 overflow-y-auto px-5 py-4">{children}</div>
        </RadixDialog.Content>
      </RadixDialog.Portal>
    </RadixDialog.Root>
  );
}

/** The end of a form in a dialog: Cancel, then the submit button, which says what is under way. */
export function FormFooter({
  onCancel,
  submitLabel,
  pending,
  pendingLabel,
  disabled,
  variant = "primary",
}: {
  onCancel: () => void;
  submitLabel: string;
  pending: boolean;
  pendingLabel: string;
  disabled?: boolean;
  variant?: "primary" | "danger";
}) {
  return (
    <div className="flex justify-end gap-2">
      <Button onClick={onCancel}>Cancel</Button>
      <Button type="submit" variant={variant} disabled={disabled} pending={pending} pendingLabel={pendingLabel}>
        {submitLabel}
      </Button>
    </div>
  );
}

/**
 * Destructive actions name the object and, for the worst ones, make the person type its name, so a
 * slip of the mouse cannot delete the wrong thing.
 */
interface ConfirmDialogProps {
  open: boolean;
  onCancel: () => void;
  onConfirm: () => void;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  pending: boolean;
  error?: string;
  typeToConfirm?: string;
  /** "primary" for a confirmation that destroys nothing (sending an email); "danger" otherwise. */
  variant?: "primary" | "danger";
}

export function ConfirmDialog({ open, onCancel, title, ...form }: ConfirmDialogProps) {
  // The form mounts only while open, so a typed confirmation never survives to the next opening.
  return (
    <Dialog open={open} onClose={onCancel} title={title}>
      <ConfirmForm onCancel={onCancel} {...form} />
    </Dialog>
  );
}

function ConfirmForm({
  onCancel,
  onConfirm,
  children,
  confirmLabel,
  pending,
  error,
  typeToConfirm,
  variant = "danger",
}: Omit<ConfirmDialogProps, "open" | "title">) {
  const [typed, setTyped] = useState("");
  const inputId = useId();
  const confirmed = !typeToConfirm || typed === typeToConfirm;
  return (
    <form method="post"
      className="space-y-4"
      onSubmit={(event) => {
        event.preventDefault();
        if (confirmed) onConfirm();
      }}
    >
      <div className="text-sm text-slate-700">{children}</div>
      {typeToConfirm ? (
        <div className="space-y-1">
          <label htmlFor={inputId} className="block text-sm font-medium text-slate-700">
            Type <span className="font-mono">{typeToConfirm}</span> to confirm
          </label>
          <input
            id={inputId}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            autoComplete="off"
            className="block w-full rounded-md border border-slate-300 px-3 py-2 text-sm"
          />
        </div>
      ) : null}
      {error ? (
        <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-700">
          {error}
        </p>
      ) : null}
      <FormFooter
        onCancel={onCancel}
        submitLabel={confirmLabel}
        variant={variant}
        disabled={!confirmed}
        pending={pending}
        pendingLabel="Working…"
      />
    </form>
  );
}

export function Badge({ children, tone = "slate" }: { children: ReactNode; tone?: "slate" | "red" | "green" | "amber" | "brand" }) {
  const tones = {
    slate: "bg-slate-100 text-slate-700",
    red: "bg-red-50 text-red-700",
    green: "bg-green-50 text-green-700",
    amber: "bg-amber-50 text-amber-800",
    brand: "bg-brand-50 text-brand-700",
  };
  return <span className={`inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium ${tones[tone]}`}>{children}</span>;
}

/** Whether a user may sign in: banned or active. */
export function StatusBadge({ banned }: { banned: boolean }) {
  return banned ? <Badge tone="red">Banned</Badge> : <Badge tone="green">Active</Badge>;
}

export function formatDateTime(value: Date | string | number): string {
  return new Date(value).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

const noSubscription = () => () => {};

/**
 * A date in the reader's own time zone and locale. The server cannot know them, so the server
 * render (and hydration) shows UTC and the browser switches to local time right after, instead of
 * a hydration mismatch whenever the server's time zone differs from the reader's.
 */
export function LocalTime({ value: input }: { value: Date | string }) {
  const value = new Date(input);
  const inBrowser = useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
  const iso = value.toISOString();
  return (
    <time dateTime={iso} className="whitespace-nowrap">
      {inBrowser ? formatDateTime(value) : `${iso.slice(0, 16).replace("T", " ")} UTC`}
    </time>
  );
}

/** The first message the server gave for one input field (zod issues travel in error.data.fieldErrors). */
export function fieldError(
  error: { data?: { fieldErrors?: Record<string, string[] | undefined> } | null } | null,
  field: string,
): string | undefined {
  return error?.data?.fieldErrors?.[field]?.[0];
}

/** What a page shows to someone who lacks the permission to read it anywhere: a plain refusal, not an error. */
export function NoAccess({ title, subject, permission }: { title: string; subject: string; permission: string }) {
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold tracking-tight">{title}</h1>
      <Panel>
        <EmptyState title={`You do not have access to ${subject}.`}>
          Viewing {subject} needs the {permission} permission. Ask an administrator if you need it.
        </EmptyState>
      </Panel>
    </div>
  );
}

/**
 * Copies `value` to the clipboard and says whether it worked; clipboard access can be refused
 * (an insecure origin, a denied permission), so the fallback of selecting the text is spelled out.
 */
export function CopyButton({ value, label, what, tone = "slate" }: { value: string; label: string; what: string; tone?: "slate" | "green" }) {
  const [copied, setCopied] = useState<"idle" | "copied" | "failed">("idle");
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
      setCopied("copied");
    } catch {
      setCopied("failed");
    }
  }
  return (
    <div className="flex items-center gap-3">
      <Button onClick={copy}>{label}</Button>
      <span role="status" className={`text-xs ${tone === "green" ? "text-green-900" : "text-slate-600"}`}>
        {copied === "copied" ? "Copied to the clipboard." : copied === "failed" ? `Copying failed; select ${what} and copy it.` : ""}
      </span>
    </div>
  );
}
