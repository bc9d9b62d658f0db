export { closeAllPools } from "./pool";
export { backoffDelay, isRetryableStatus, parseRetryAfter } from "./retry";
export type { HttpCall, JsonResponse, OpenStream } from "./send";
export { openStream, requestJson, requestStatus } from "./send";
export { parseSse, type SseEvent } from "./sse";
