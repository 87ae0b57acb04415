import { createHash } from 'node:crypto';

/**
 * Tool names of the MCP gateway: `<connection-slug>__<tool>`. MCP clients (and the model APIs behind
 * them) take `^[a-zA-Z0-9_-]{1,128}$`, so both halves keep to that alphabet:
 *
 * - the slug is the connection id with `-` as `_` (`conn-0f3a…` → `conn_0f3a…`); connection ids are
 *   `conn-` and hex, so the slug never holds `__` and the first `__` of a name ends it;
 * - an operation is its name with dots as `_` (`github.pulls.create` → `github_pulls_create`);
 * - an MCP tool keeps its name when it is already in the alphabet; otherwise every other character is
 *   `_` and a short hash of the original name follows, so `a.b` and `a_b` stay apart. A name over the
 *   length limit is cut and hashed the same way.
 *
 * Nothing is decoded from a name: a call looks the name up in what the connection offers (the tenant's
 * connections by slug, then the operation or tool with that encoded name), so the scheme only has to be
 * deterministic and collision-free, and the description says where each tool comes from.
 */

export const TOOL_NAME = /^[a-zA-Z0-9_-]{1,128}$/;
export const MAX_TOOL_NAME = 128;
export const SEPARATOR = '__';
/** The placeholder of a connection whose tools could not be listed. */
export const UNAVAILABLE_TOOL = 'unavailable';

const OUTSIDE_ALPHABET = /[^a-zA-Z0-9_-]/g;

export function connectionSlug(connectionId: string): string {
  return connectionId.replace(OUTSIDE_ALPHABET, '_').replace(/-/g, '_');
}

export function operationToolPart(operationName: string): string {
  return operationName.replace(/\./g, '_').replace(OUTSIDE_ALPHABET, '_');
}

/** An MCP server's tool name in the gateway's alphabet, within the room `<slug>__` leaves. */
export function mcpToolPart(toolName: string, room: number): string {
  const plain = toolName.length > 0 && toolName.length <= room && !toolName.match(OUTSIDE_ALPHABET);
  if (plain) return toolName;
  const hash = createHash('sha256').update(toolName, 'utf8').digest('hex').slice(0, 8);
  const cleaned = toolName.replace(OUTSIDE_ALPHABET, '_');
  return `${cleaned.slice(0, Math.max(0, room - hash.length - 1))}_${hash}`;
}

export function gatewayToolName(slug: string, part: string): string {
  return `${slug}${SEPARATOR}${part}`;
}

/** The room for the tool part after `<slug>__`. */
export function roomAfter(slug: string): number {
  return MAX_TOOL_NAME - slug.length - SEPARATOR.length;
}

/** `<slug>__<part>` split at the first separator; undefined when the name has none. */
export function splitToolName(name: string): { slug: string; part: string } | undefined {
  const at = name.indexOf(SEPARATOR);
  if (at <= 0 || at + SEPARATOR.length >= name.length) return undefined;
  return { slug: name.slice(0, at), part: name.slice(at + SEPARATOR.length) };
}
