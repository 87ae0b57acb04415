/** The process's pino logger, created before Nest so boot errors are logged the same way. */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
