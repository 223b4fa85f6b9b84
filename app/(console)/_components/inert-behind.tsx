"use client";

import { createContext, useCallback, useContext, useEffect, useRef, type ReactNode } from "react";

/**
 * While a modal is open, the page behind it is `inert`: not focusable, not clickable, out of the
 * accessibility tree. Radix already hides it from assistive technology with aria-hidden and traps
 * focus, but aria-hidden over focusable controls is itself a WCAG failure (axe's aria-hidden-focus);
 * inert says the same thing truthfully. Set on the DOM at once rather than through state, so the
 * page is live again before Radix returns focus to the control that opened the modal.
 */
const InertContext = createContext<() => () => void>(() => () => {});

export function InertBehindModals({ page, children }: { page: ReactNode; children?: ReactNode }) {
  const pageRef = useRef<HTMLDivElement>(null);
  const open = useRef(0);
  const register = useCallback(() => {
    open.current += 1;
    pageRef.current?.setAttribute("inert", "");
    return () => {
      open.current -= 1;
      if (open.current === 0) pageRef.current?.removeAttribute("inert");
    };
  }, []);
  return (
    <InertContext.Provider value={register}>
      <div ref={pageRef}>{page}</div>
      {children}
    </InertContext.Provider>
  );
}

/** Makes the page behind inert while `open`; modals call this (outside the console it does nothing). */
export function useInertBehind(open: boolean) {
  const register = useContext(InertContext);
  useEffect(() => (open ? register() : undefined), [open, register]);
}
