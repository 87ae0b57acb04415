/**
 * libuv's thread pool runs file operations (the embedded blob store), DNS lookups (egress) and async
 * crypto; its default of 4 threads queues them behind each other under load. Set before anything uses
 * the pool (it is sized on first use), so this module is imported first; an operator's value wins.
 */
process.env.UV_THREADPOOL_SIZE ??= '16';
