import { isRecord } from "./util";

/**
 * A small value that satisfies a JSON schema (the common subset: object with properties and
 * required, array, string, number, integer, boolean, null, enum, const, anyOf): the fakes' answer
 * to a structured-output request, so a client can parse it against its own schema.
 */
export function sampleForSchema(schema: unknown, depth = 0): unknown {
  if (!isRecord(schema) || depth > 8) return null;
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  const variants = Array.isArray(schema.anyOf)
    ? schema.anyOf
    : Array.isArray(schema.oneOf)
      ? schema.oneOf
      : undefined;
  if (variants && variants.length > 0) return sampleForSchema(variants[0], depth + 1);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case "object": {
      const properties = isRecord(schema.properties) ? schema.properties : {};
      const out: Record<string, unknown> = {};
      for (const [key, value] of Object.entries(properties)) out[key] = sampleForSchema(value, depth + 1);
      return out;
    }
    case "array":
      return [sampleForSchema(schema.items, depth + 1)];
    case "string":
      return "fake";
    case "number":
    case "integer":
      return typeof schema.minimum === "number" ? schema.minimum : 1;
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return isRecord(schema.properties) ? sampleForSchema({ ...schema, type: "object" }, depth) : null;
  }
}
