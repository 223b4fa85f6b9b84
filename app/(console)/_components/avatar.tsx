/** A person's initials in a circle, shared by the account menu and the lists that show people. */

/** Initials for the avatar: the first letters of the first two words of the name, or of the email. */
export function initialsOf(name: string | null, email: string): string {
  const words = (name ?? "").trim().split(/\s+/).filter(Boolean);
  const letters = words.length > 0 ? words.slice(0, 2).map((word) => word[0]) : [email[0] ?? "?"];
  return letters.join("").toUpperCase();
}

/** Decorative (aria-hidden): the name and address shown beside it say who it is. */
export function Avatar({ email, name }: { email: string; name: string | null }) {
  return (
    <span
      aria-hidden="true"
      className="flex size-8 shrink-0 items-center justify-center rounded-full bg-brand-50 text-xs font-semibold text-brand-700 select-none"
    >
      {initialsOf(name, email)}
    </span>
  );
}
