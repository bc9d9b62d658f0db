/** `GET {base}/v1beta/models` (the credential test). */
export const GOOGLE_MODELS_PATH = "/v1beta/models";
