/**
 * Catalog entries are shared by every request and cached by identity (parsed prices are memoised
 * per object), so a caller mutating one would silently change billing for everyone.
 */
export function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === "object" && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
