/** A field name that can go in a header as is; anything else is counted, not echoed. */
const HEADER_SAFE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_NAMED = 16;

/**
 * The top-level fields of a chat body that the surface's schema does not know: they are dropped,
 * not forwarded, and named in x-llmg-adjusted-params (`<field>=dropped`). Names that are unsafe in
 * a header, or past the 16th, are counted as `<n>_other_fields`.
 */
export function unroutedFields(body: unknown, known: ReadonlySet<string>): string[] | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  let names: string[] | undefined;
  let unnamed = 0;
  for (const key of Object.keys(body)) {
    if (known.has(key)) continue;
    // Explicit nulls are how the Python SDK says "not set": nothing was dropped.
    if ((body as Record<string, unknown>)[key] === null) continue;
    names ??= [];
    if (HEADER_SAFE.test(key) && names.length < MAX_NAMED) names.push(key);
    else unnamed += 1;
  }
  if (unnamed > 0) names?.push(`${unnamed}_other_fields`);
  return names;
}
