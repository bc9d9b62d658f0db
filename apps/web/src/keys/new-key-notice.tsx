import { useEffect, useRef, useState } from "react";
import type { CreatedKey } from "./key-types";

/**
 * The full key, shown this once: it lives only in this component's memory (never in storage or
 * the URL) and is gone when the notice is dismissed or the page is left.
 */
export function NewKeyNotice({ created, onDismiss }: { created: CreatedKey; onDismiss: () => void }) {
  const [copied, setCopied] = useState<"yes" | "failed" | null>(null);
  const heading = useRef<HTMLHeadingElement>(null);
  // Focus moves to the notice so a keyboard or screen-reader user lands on the key at once.
  useEffect(() => heading.current?.focus(), []);

  async function copy() {
    try {
      await navigator.clipboard.writeText(created.key);
      setCopied("yes");
    } catch {
      setCopied("failed");
    }
  }

  return (
    <section className="secret-once" aria-labelledby="new-key-title">
      <h2 id="new-key-title" tabIndex={-1} ref={heading}>
        Your new key{created.name ? ` "${created.name}"` : ""}
      </h2>
      <p>
        <strong>Copy it now: you will not see it again.</strong> The gateway keeps only a hash of it.
      </p>
      <code data-testid="new-key">{created.key}</code>
      <div className="form-actions">
        <button type="button" onClick={() => void copy()}>
          Copy key
        </button>
        <button type="button" className="secondary" onClick={onDismiss}>
          I have copied it
        </button>
        <span role="status">
          {copied === "yes"
            ? "Copied to the clipboard."
            : copied === "failed"
              ? "Copying failed: select the key and copy it."
              : ""}
        </span>
      </div>
    </section>
  );
}
