import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type FormEvent, useId, useState } from "react";
import { ErrorNote } from "../shared/errors";
import { setCsrfToken, useTRPC } from "../trpc";

/**
 * Paste a key, get a session cookie. The key lives in this form's state until the call
 * answers and is then dropped: never written to localStorage or sessionStorage.
 */
export function SignInPage() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [key, setKey] = useState("");
  const inputId = useId();
  const signIn = useMutation(
    trpc.session.create.mutationOptions({
      onSuccess: (answer) => {
        setKey("");
        setCsrfToken(answer.data.csrf_token);
        // Answers fetched while signed out (401s of a prefetch) must not stand for this user's.
        // The session's own query stays: the app is subscribed to it.
        const sessionKey = JSON.stringify(trpc.session.get.queryKey({}));
        queryClient.removeQueries({ predicate: (query) => JSON.stringify(query.queryKey) !== sessionKey });
        queryClient.setQueryData(trpc.session.get.queryKey({}), answer);
      },
    }),
  );

  function submit(event: FormEvent) {
    event.preventDefault();
    if (key.trim() === "") return;
    signIn.mutate({ key });
  }

  return (
    <main className="centered">
      <form className="card sign-in" onSubmit={submit} aria-labelledby={`${inputId}-title`}>
        <h1 id={`${inputId}-title`}>Sign in to llmg</h1>
        <label htmlFor={inputId}>API key</label>
        <input
          id={inputId}
          name="key"
          type="password"
          autoComplete="off"
          spellCheck={false}
          placeholder="llmg_…"
          value={key}
          onChange={(event) => setKey(event.target.value)}
          required
          // biome-ignore lint/a11y/noAutofocus: the only thing to do on this page is to paste a key
          autoFocus
        />
        <p className="muted">
          Your key or the admin key. It is exchanged for a session cookie and not stored.
        </p>
        <button type="submit" disabled={signIn.isPending}>
          {signIn.isPending ? "Signing in…" : "Sign in"}
        </button>
        {signIn.isError && <ErrorNote error={signIn.error} />}
      </form>
    </main>
  );
}
