import { isRecord } from "./util";

/**
 * Gemini's `Schema` type: the OpenAPI 3.0 subset that `functionDeclarations[].parameters` and
 * `generationConfig.responseSchema` take. Its fields are those of googleapis/js-genai
 * src/types.ts `interface Schema`; the API parses the body as protobuf JSON, so each field is
 * also accepted under its proto (snake_case) name, and any other key is an unknown field.
 */
const SCHEMA_FIELDS: Record<string, string> = {
  anyOf: "any_of",
  default: "default",
  description: "description",
  enum: "enum",
  example: "example",
  format: "format",
  items: "items",
  maxItems: "max_items",
  maxLength: "max_length",
  maxProperties: "max_properties",
  maximum: "maximum",
  minItems: "min_items",
  minLength: "min_length",
  minProperties: "min_properties",
  minimum: "minimum",
  nullable: "nullable",
  pattern: "pattern",
  properties: "properties",
  propertyOrdering: "property_ordering",
  required: "required",
  title: "title",
  type: "type",
};

/** proto name or JSON name → JSON name. */
const CANONICAL = new Map<string, string>();
for (const [json, proto] of Object.entries(SCHEMA_FIELDS)) {
  CANONICAL.set(json, json);
  CANONICAL.set(proto, json);
}

/** googleapis/js-genai src/types.ts `enum Type` (protobuf JSON takes enum names case-insensitively here). */
const TYPES = new Set([
  "TYPE_UNSPECIFIED",
  "STRING",
  "NUMBER",
  "INTEGER",
  "BOOLEAN",
  "ARRAY",
  "OBJECT",
  "NULL",
]);

export interface FieldViolation {
  field: string;
  description: string;
}

/**
 * The violations the API reports for a `Schema` at `path`, in its own words, e.g.
 * `Invalid JSON payload received. Unknown name "additionalProperties" at
 * 'tools[0].function_declarations[0].parameters': Cannot find field.` (google/adk-python#1277,
 * zed-industries/zed#43231), `... Unknown name "type" at '...': Proto field is not repeating,
 * cannot start list.` for a type array (zed-industries/zed#53919), `Invalid value at '....type'
 * (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ""` for a type that is no Type
 * (zereight/gitlab-mcp#166). A map entry's path is `properties[<index>].value`, as the API writes it.
 */
export function schemaViolations(
  schema: unknown,
  path: string,
  out: FieldViolation[] = [],
): FieldViolation[] {
  if (!isRecord(schema)) return out;
  for (const [key, value] of Object.entries(schema)) {
    const field = CANONICAL.get(key);
    if (field === undefined) {
      out.push({
        field: path,
        description: `Invalid JSON payload received. Unknown name "${key}" at '${path}': Cannot find field.`,
      });
      continue;
    }
    switch (field) {
      case "type":
        if (Array.isArray(value)) {
          out.push({
            field: path,
            description: `Invalid JSON payload received. Unknown name "${key}" at '${path}': Proto field is not repeating, cannot start list.`,
          });
        } else if (typeof value !== "string" || !TYPES.has(value.toUpperCase())) {
          out.push({
            field: `${path}.type`,
            description: `Invalid value at '${path}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(value)}`,
          });
        }
        break;
      case "properties":
        if (isRecord(value)) {
          Object.values(value).forEach((sub, i) => {
            schemaViolations(sub, `${path}.properties[${i}].value`, out);
          });
        }
        break;
      case "items":
        schemaViolations(value, `${path}.items`, out);
        break;
      case "anyOf":
        if (Array.isArray(value)) {
          value.forEach((sub, i) => {
            schemaViolations(sub, `${path}.any_of[${i}]`, out);
          });
        }
        break;
      case "enum":
        // `enum` is a list of strings (js-genai `enum?: string[]`): numbers are refused
        // (microsoft/azure-devops-mcp#139).
        if (Array.isArray(value)) {
          value.forEach((entry, i) => {
            if (typeof entry !== "string") {
              out.push({
                field: `${path}.enum[${i}]`,
                description: `Invalid value at '${path}.enum[${i}]' (TYPE_STRING), ${JSON.stringify(entry)}`,
              });
            }
          });
        }
        break;
    }
  }
  return out;
}
