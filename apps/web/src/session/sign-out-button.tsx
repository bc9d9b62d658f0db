import { useMutation, useQueryClient } from "@tanstack/react-query";
import { setCsrfToken, useTRPC } from "../trpc";

/** Ends the session on the server (with the CSRF token), then forgets every cached answer. */
export function SignOutButton() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const signOut = useMutation(
    trpc.session.delete.mutationOptions({
      onSuccess: async () => {
        setCsrfToken(undefined);
        // Back to no data at all: the session query asks again (401 → the sign-in page) and
        // nothing of this user's stays in memory for whoever signs in next.
        await queryClient.resetQueries();
      },
    }),
  );
  return (
    <button
      type="button"
      className="secondary"
      onClick={() => signOut.mutate({})}
      disabled={signOut.isPending}
    >
      Sign out
    </button>
  );
}
