/** `GET {base}/v1/models` (the credential test). */
export const ANTHROPIC_MODELS_PATH = "/v1/models";
