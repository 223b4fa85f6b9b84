/** Gatehouse's name with its mark (the same drawing as the favicon, app/icon.svg). */
export function Brand({ className = "" }: { className?: string }) {
  return (
    <span className={`inline-flex items-center gap-2 text-lg font-semibold tracking-tight text-slate-900 ${className}`}>
      <svg aria-hidden="true" viewBox="0 0 32 32" className="size-6 shrink-0">
        <rect width="32" height="32" rx="7" className="fill-primary" />
        <path d="M8 26V13l8-6 8 6v13h-5v-7h-6v7z" fill="#fff" />
      </svg>
      Gatehouse
    </span>
  );
}
