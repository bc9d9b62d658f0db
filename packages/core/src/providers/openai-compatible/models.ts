/** `GET {base}/models` lists models for OpenAI, DeepSeek and Mistral alike (the credential test). */
export const OPENAI_MODELS_PATH = "/models";
