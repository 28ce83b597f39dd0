/**
 * Rounds to `decimals` places, half away from zero on the decimal value (SURVEY-FORMAT 3):
 * 6.375 → 6.38 and 1.005 → 1.01, although the nearest doubles sit just below those halves.
 */
export function roundHalfAway(value: number, decimals = 2): number {
  if (!Number.isFinite(value)) return value;
  const abs = Math.abs(value);
  if (decimals === 2 && abs < 1e6) {
    // Fast path: away from a rounding boundary (by far more than the 15-digit reading below can
    // move it: under 1e-7 at this size), the scaled value's floor and half decide as the text would.
    const scaled = abs * 100;
    const floor = Math.floor(scaled);
    const fraction = scaled - floor;
    if ((fraction > 1e-6 && fraction < 0.5 - 1e-6) || (fraction > 0.5 + 1e-6 && fraction < 1 - 1e-6)) {
      const rounded = (fraction > 0.5 ? floor + 1 : floor) / 100;
      return value < 0 && rounded !== 0 ? -rounded : rounded;
    }
  }
  // 15 significant digits is what a double holds reliably: reading the value back at that
  // precision recovers the decimal it stands for and drops noise from the arithmetic
  // (e.g. 85.12499999999999 from a computation whose exact result is 85.125).
  const text = Math.abs(value).toPrecision(15);
  if (text.includes("e")) {
    // Below 1e-6 (rounds to 0) or at least 1e21 (no decimals to round).
    return Math.abs(value) < 1 ? 0 : value;
  }
  const [whole = "0", fraction = ""] = text.split(".");
  const kept = fraction.slice(0, decimals).padEnd(decimals, "0");
  const next = fraction.charCodeAt(decimals);
  const scaled = Number(whole + kept) + (next >= 53 /* "5" */ && next <= 57 ? 1 : 0);
  const rounded = scaled / 10 ** decimals;
  return value < 0 && rounded !== 0 ? -rounded : rounded;
}

/** Orders strings by Unicode code point (not UTF-16 unit), as unit ids are ordered in the output. */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, so they sort after 0xE000–0xFFFF.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
