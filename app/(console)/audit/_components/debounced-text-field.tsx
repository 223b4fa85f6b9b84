"use client";

import { useEffect, useRef, type ComponentProps } from "react";
import { TextField } from "@/app/_components/form";

/**
 * A text filter that reports its trimmed value once typing pauses (or on Enter), so each keystroke
 * is not a request. Uncontrolled: remount it with a new key to clear it.
 */
export function DebouncedTextField({
  onCommit,
  delay = 300,
  ...field
}: Omit<ComponentProps<typeof TextField>, "onChange" | "value"> & { onCommit: (value: string) => void; delay?: number }) {
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => {
    const pending = timer;
    // A value typed just before the field goes away (cleared filters, another page) is dropped.
    return () => clearTimeout(pending.current);
  }, []);
  return (
    <TextField
      {...field}
      onChange={(event) => {
        const value = event.target.value.trim();
        clearTimeout(timer.current);
        timer.current = setTimeout(() => onCommit(value), delay);
      }}
      onKeyDown={(event) => {
        if (event.key !== "Enter") return;
        clearTimeout(timer.current);
        onCommit(event.currentTarget.value.trim());
      }}
    />
  );
}
