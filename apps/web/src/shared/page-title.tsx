import { type ReactNode, useEffect } from "react";

/** The page's h1, also set as the document title so tabs and history say where you are. */
export function PageTitle({ children, title }: { children: ReactNode; title?: string }) {
  const text = title ?? (typeof children === "string" ? children : undefined);
  useEffect(() => {
    document.title = text ? `${text} · llmg` : "llmg";
  }, [text]);
  return <h1>{children}</h1>;
}
