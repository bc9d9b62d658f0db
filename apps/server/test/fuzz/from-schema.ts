import fc from "fast-check";
import { hostileValue } from "./hostile";

/** The part of JSON Schema that trpc-to-openapi emits for our zod inputs. */
export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  format?: string;
  pattern?: string;
  example?: unknown;
  default?: unknown;
}

/** Where every URL a generated body names points: a closed port on loopback, never outside. */
export const LOOPBACK_URL = "http://127.0.0.1:9/v1";

function stringFor(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? 10_000;
  const choices: fc.Arbitrary<string>[] = [
    fc.string({ minLength: min, maxLength: Math.min(max, Math.max(min, 40)) }),
    // Exactly at the limit, in multi-byte characters too: zod counts UTF-16 units, columns don't.
    fc.constant("a".repeat(max > 100_000 ? min : max)),
    fc.constant("é".repeat(max > 100_000 ? min : max)),
    fc.constant("😀".repeat(Math.floor((max > 100_000 ? min : max) / 2))),
  ];
  if (schema.format === "email")
    return fc.oneof(
      fc.stringMatching(/^[a-z]{1,20}$/).map((local) => `${local}@example.com`),
      fc.constant(`${"a".repeat(64)}@${"b".repeat(63)}.${"c".repeat(63)}.${"d".repeat(63)}.com`),
    );
  if (schema.format === "uri")
    return fc.constantFrom(LOOPBACK_URL, "http://127.0.0.1:9/", `${LOOPBACK_URL}/${"p".repeat(1900)}`);
  if (schema.format === "date-time") return fc.constantFrom("2026-11-27T12:00:00.000Z", "2026-11-01");
  if (schema.pattern !== undefined || schema.example !== undefined) {
    if (typeof schema.example === "string") choices.push(fc.constant(schema.example));
    if (schema.pattern !== undefined) {
      try {
        choices.push(fc.stringMatching(new RegExp(schema.pattern)));
      } catch {}
    }
  }
  return fc.oneof(...choices);
}

function numberFor(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum ?? -1e12;
  const max = schema.maximum ?? schema.exclusiveMaximum ?? 1e12;
  const boundaries = [min, max, Math.max(min, Math.min(max, 0))];
  // fc.integer takes 32-bit bounds only; wider ranges draw near the low end plus the boundaries.
  const small = fc.integer({
    min: Math.max(min, -(2 ** 31)),
    max: Math.min(max, Math.max(min, -(2 ** 31)) + 1_000_000, 2 ** 31 - 1),
  });
  if (integer) return fc.oneof(fc.constantFrom(...boundaries), small);
  return fc.oneof(fc.constantFrom(...boundaries), fc.double({ min, max, noNaN: true }));
}

/** A value the schema accepts (mostly: boundary values exercise what lies behind validation). */
export function validValue(schema: JsonSchema, depth = 0, nestedHostility = 0): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives) return fc.oneof(...alternatives.map((s) => validValue(s, depth, nestedHostility)));
  if (schema.allOf?.[0]) return validValue(schema.allOf[0], depth, nestedHostility);
  const types = Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];
  if (types.length > 1)
    return fc.oneof(...types.map((type) => validValue({ ...schema, type }, depth, nestedHostility)));
  switch (types[0]) {
    case "string":
      return stringFor(schema);
    case "integer":
      return numberFor(schema, true);
    case "number":
      return numberFor(schema, false);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      if (depth > 8) return fc.constant([]);
      const item = schema.items
        ? validValue(schema.items, depth + 1, nestedHostility)
        : fc.jsonValue({ maxDepth: 2 });
      const minLength = schema.minItems ?? 0;
      return fc.array(item, { minLength, maxLength: Math.min(schema.maxItems ?? 5, Math.max(minLength, 5)) });
    }
    case "object":
      return depth > 8 ? fc.constant({}) : objectOf(schema, depth, nestedHostility, nestedHostility);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

/**
 * An object after the schema. With `hostileWeight` 0 it is valid; otherwise it is valid, or has
 * one property replaced by a hostile value (the most telling case: everything else passes), or
 * has several properties hostile and required ones missing, or carries unknown extra properties.
 * `nestedHostility` does the same inside nested objects (e.g. chat messages).
 */
export function objectOf(
  schema: JsonSchema,
  depth: number,
  hostileWeight: number,
  nestedHostility = 0,
): fc.Arbitrary<unknown> {
  const properties = Object.entries(schema.properties ?? {});
  const required = new Set(schema.required ?? []);
  const valid = fc.record(
    Object.fromEntries(properties.map(([name, s]) => [name, validValue(s, depth + 1, nestedHostility)])),
    { requiredKeys: properties.map(([name]) => name).filter((name) => required.has(name)) },
  );
  if (hostileWeight === 0 || properties.length === 0) return valid;
  const names = properties.map(([name]) => name);
  const oneHostile = fc
    .tuple(valid, fc.constantFrom(...names), hostileValue)
    .map(([object, name, value]) => ({ ...(object as object), [name]: value }));
  const manyHostile = fc.record(
    Object.fromEntries(
      properties.map(([name, s]) => [
        name,
        fc.oneof(
          { weight: 3, arbitrary: validValue(s, depth + 1, nestedHostility) },
          { weight: 1, arbitrary: hostileValue },
        ),
      ]),
    ),
    { requiredKeys: [] },
  );
  const extraKeys = fc.dictionary(
    fc.oneof(fc.string({ maxLength: 10 }), fc.constantFrom("__proto__", "", "\u0000")),
    hostileValue,
    { minKeys: 1, maxKeys: 2 },
  );
  const withExtra = fc
    .tuple(valid, extraKeys)
    .map(([object, extra]) => ({ ...(object as object), ...extra }));
  return fc.oneof(
    { weight: 3, arbitrary: valid },
    { weight: 4 * hostileWeight, arbitrary: oneHostile },
    { weight: 2 * hostileWeight, arbitrary: manyHostile },
    { weight: 1, arbitrary: withExtra },
  );
}
