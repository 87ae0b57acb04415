/**
 * The subset of WIQL the peer evaluates: `SELECT [fields] FROM WorkItems [WHERE c AND c ...]
 * [ORDER BY [Field] [ASC|DESC], ...]`, each condition `[Field] <op> <number | 'text' | @project>`
 * with =, <>, <, <=, >, >=. Anything else is refused as Azure DevOps refuses a query it cannot parse.
 */

export interface WiqlCondition {
  readonly field: string;
  readonly operator: '=' | '<>' | '<' | '<=' | '>' | '>=';
  readonly value: string | number | { macro: 'project' };
}

export interface WiqlQuery {
  readonly conditions: readonly WiqlCondition[];
  readonly orderBy: ReadonlyArray<{ field: string; descending: boolean }>;
}

export class WiqlSyntaxError extends Error {}

const QUERY = /^\s*SELECT\s+(.+?)\s+FROM\s+WorkItems(?:\s+WHERE\s+(.+?))?(?:\s+ORDER\s+BY\s+(.+?))?\s*$/is;
const CONDITION = /^\[([\w.]+)\]\s*(<>|<=|>=|=|<|>)\s*('(?:[^']|'')*'|-?\d+(?:\.\d+)?|@project)$/i;
const ORDER = /^\[([\w.]+)\](?:\s+(ASC|DESC))?$/i;

export function parseWiql(text: string): WiqlQuery {
  const match = QUERY.exec(text);
  if (!match) throw new WiqlSyntaxError('TF51006: The query statement is missing a FROM WorkItems clause or is malformed.');
  const conditions = match[2] ? splitOutsideQuotes(match[2], /\s+AND\s+/i).map(parseCondition) : [];
  const orderBy = match[3]
    ? match[3].split(',').map((part) => {
        const order = ORDER.exec(part.trim());
        if (!order) throw new WiqlSyntaxError(`TF51006: Expecting a field name in ORDER BY, found: ${part.trim()}`);
        return { field: order[1], descending: order[2]?.toUpperCase() === 'DESC' };
      })
    : [];
  return { conditions, orderBy };
}

function parseCondition(text: string): WiqlCondition {
  const match = CONDITION.exec(text.trim());
  if (!match) throw new WiqlSyntaxError(`TF51006: The peer does not understand the condition: ${text.trim()}`);
  const raw = match[3];
  const value = raw.toLowerCase() === '@project' ? { macro: 'project' as const } : raw.startsWith("'") ? raw.slice(1, -1).replace(/''/g, "'") : Number(raw);
  return { field: match[1], operator: match[2] as WiqlCondition['operator'], value };
}

/** Splits on `separator` where it is not inside a quoted literal. */
function splitOutsideQuotes(text: string, separator: RegExp): string[] {
  const parts: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    if (text[index] === "'") quoted = !quoted;
    if (!quoted) {
      const rest = text.slice(index);
      const found = new RegExp(`^${separator.source}`, separator.flags).exec(rest);
      if (found) {
        parts.push(current);
        current = '';
        index += found[0].length - 1;
        continue;
      }
    }
    current += text[index];
  }
  parts.push(current);
  return parts;
}

/** A literal with a time of day: Azure DevOps refuses it unless the request says `timePrecision=true`. */
export function hasTimeOfDay(query: WiqlQuery): boolean {
  return query.conditions.some((condition) => typeof condition.value === 'string' && /^\d{4}-\d{2}-\d{2}T\d/.test(condition.value));
}

export function compare(left: unknown, right: string | number): number {
  if (typeof right === 'number') return Number(left) - right;
  const leftTime = typeof left === 'string' ? Date.parse(left) : NaN;
  const rightTime = Date.parse(right);
  if (Number.isFinite(leftTime) && Number.isFinite(rightTime) && /^\d{4}-/.test(right)) return leftTime - rightTime;
  return String(left ?? '').localeCompare(right, undefined, { sensitivity: 'accent' });
}

export function holds(operator: WiqlCondition['operator'], comparison: number): boolean {
  switch (operator) {
    case '=':
      return comparison === 0;
    case '<>':
      return comparison !== 0;
    case '<':
      return comparison < 0;
    case '<=':
      return comparison <= 0;
    case '>':
      return comparison > 0;
    case '>=':
      return comparison >= 0;
  }
}
