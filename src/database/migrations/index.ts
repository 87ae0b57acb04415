import { InitialSchema1764201600000 } from './1764201600000-InitialSchema';

/** In order. A new migration is appended here and never edited once released. */
export const MIGRATIONS = [InitialSchema1764201600000];
