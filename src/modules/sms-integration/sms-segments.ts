/** The GSM 03.38 default alphabet: one septet each. */
const GSM_BASIC = new Set('@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà');
/** The extension table: an escape septet and the character, two septets each. */
const GSM_EXTENSION = new Set('\f^{}\\[~]|€');

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsSegments {
  encoding: SmsEncoding;
  segments: number;
  /** Septets (GSM-7) or UTF-16 code units (UCS-2). */
  units: number;
}

const LIMITS: Readonly<Record<SmsEncoding, { single: number; part: number }>> = {
  'GSM-7': { single: 160, part: 153 },
  'UCS-2': { single: 70, part: 67 },
};

/**
 * How many SMS a body takes: GSM-7 when every character is in the default alphabet or its extension
 * (which costs two septets), else UCS-2 counted in UTF-16 code units. A concatenated message's parts
 * carry a header (153 septets / 67 units left), and neither an escape sequence nor a surrogate pair is
 * split across two parts, so a part may hold one unit less.
 */
export function countSegments(body: string): SmsSegments {
  const characters = [...body];
  const encoding: SmsEncoding = characters.every((character) => GSM_BASIC.has(character) || GSM_EXTENSION.has(character)) ? 'GSM-7' : 'UCS-2';
  const costs = characters.map((character) => (encoding === 'GSM-7' ? (GSM_EXTENSION.has(character) ? 2 : 1) : character.length));
  const units = costs.reduce((sum, cost) => sum + cost, 0);
  const { single, part } = LIMITS[encoding];
  if (units <= single) return { encoding, segments: units === 0 ? 0 : 1, units };
  let segments = 1;
  let used = 0;
  for (const cost of costs) {
    if (used + cost > part) {
      segments += 1;
      used = 0;
    }
    used += cost;
  }
  return { encoding, segments, units };
}
