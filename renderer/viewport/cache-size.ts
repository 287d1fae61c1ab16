// The viewer's image cache budget, shared by the loader (cornerstone's cache size) and the prefetcher.
export const CACHE_BYTES = 512 * 1024 * 1024;
