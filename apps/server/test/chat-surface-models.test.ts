import { type ModelInfo, type ParamRules, paramRulesFor } from "@llmg/core";
import { testBackends } from "@llmg/db/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, createUserWithKey, startTestGateway, type TestGateway } from "./harness";

const kind = testBackends()[0]!;

/** The rules as the API must show them, written out field by field (not by the server's converter). */
function expected(rules: ParamRules): Record<string, unknown> {
  return {
    ...(rules.temperature ? { temperature: rules.temperature } : {}),
    ...(rules.topP ? { top_p: rules.topP } : {}),
    ...(rules.temperatureOrTopP !== undefined ? { temperature_or_top_p: rules.temperatureOrTopP } : {}),
    ...(rules.stop
      ? {
          stop: {
            ...(rules.stop.nonBlank !== undefined ? { non_blank: rules.stop.nonBlank } : {}),
            ...(rules.stop.max !== undefined ? { max: rules.stop.max } : {}),
          },
        }
      : {}),
    ...(rules.unsupported ? { unsupported: [...rules.unsupported] } : {}),
    ...(rules.maxTokensField ? { max_tokens_field: rules.maxTokensField } : {}),
  };
}

describe(`parameter_rules in the model catalog (${kind})`, () => {
  let t: TestGateway;
  let key: string;
  const get = (path: string) => call(`${t.url}/api${path}`, { key });
  beforeAll(async () => {
    t = await startTestGateway(kind);
    key = (await createUserWithKey(t)).key;
  });
  afterAll(async () => {
    await t?.close();
  });

  it("shows each model's parameter rules on GET /api/models/{provider}/{model} and in the list", async () => {
    const list = await get("/models?per_page=100");
    expect(list.status).toBe(200);
    const models = list.body.data as (ModelInfo & { parameter_rules: unknown; name: string })[];
    expect(models.length).toBeGreaterThan(0);
    for (const summary of models) {
      expect(summary.parameter_rules, `${summary.provider}/${summary.id}`).toBeTypeOf("object");
    }
    // One model of each provider, in detail: the catalog's rules, in snake_case.
    const providers = [...new Set(models.map((m) => m.provider))];
    for (const provider of providers) {
      const summary = models.find((m) => m.provider === provider)!;
      const detail = await get(`/models/${provider}/${summary.id}`);
      expect(detail.status).toBe(200);
      const rules = paramRulesFor({ provider, id: summary.id, aliases: summary.aliases });
      expect(detail.body.data.parameter_rules).toMatchObject(expected(rules));
      expect(detail.body.data.parameter_rules).toEqual(summary.parameter_rules);
    }
  });

  it("documents parameter_rules in the OpenAPI schema of a model", async () => {
    const doc = (await call(`${t.url}/openapi.json`)).body;
    const text = JSON.stringify(doc.paths["/models/{provider}/{model}"].get.responses["200"]);
    const schemas = doc.components?.schemas ?? {};
    // The rules' schema is referenced from the model (or inlined in it).
    const rulesSchema =
      schemas.ParameterRules ??
      JSON.parse(text).content["application/json"].schema.properties.data.properties.parameter_rules;
    const properties = Object.keys(rulesSchema.properties ?? {});
    expect(properties).toEqual(
      expect.arrayContaining([
        "temperature",
        "top_p",
        "temperature_or_top_p",
        "stop",
        "unsupported",
        "max_tokens_field",
      ]),
    );
    expect(JSON.stringify(doc)).toContain("x-llmg-adjusted-params");
  });
});
