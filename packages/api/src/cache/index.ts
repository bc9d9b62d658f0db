export { type CachedAnswer, MAX_ENTRY_BYTES } from "./answer";
export { completeChatCached, streamChatCached } from "./cached-chat";
export { cacheKey, cacheScope, canonicalJson } from "./key";
export {
  CACHE_HEADER,
  type CacheBody,
  type CacheDirective,
  cacheBodySchema,
  cacheDirectiveFrom,
  MAX_CACHE_TTL_S,
  MIN_CACHE_TTL_S,
} from "./policy";
export type { ResponseCacheStore } from "./store";
export { createMemoryCacheStore, type MemoryStoreOptions } from "./store-memory";
export { createRedisCacheStore } from "./store-redis";
