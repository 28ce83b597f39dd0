// Small numeric helpers of the careless-answer rules (src/scoring/quality.ts): the standard normal
// distribution and an in-place median, allocation-free so they can run once per response.

// Φ tabulated on [-CDF_RANGE, CDF_RANGE] for the hot loops (linear interpolation: error < 1e-6).
const CDF_RANGE = 8;
const CDF_STEPS_PER_UNIT = 256;
const CDF_TABLE = Float64Array.from({ length: 2 * CDF_RANGE * CDF_STEPS_PER_UNIT + 2 }, (_, i) => normalCdf(i / CDF_STEPS_PER_UNIT - CDF_RANGE));

/** Φ(x) from a table: as `normalCdf`, within 1e-6, several times faster. */
export function normalCdfFast(x: number): number {
  if (!(x > -CDF_RANGE)) return x !== x ? Number.NaN : 0;
  if (x >= CDF_RANGE) return 1;
  const at = (x + CDF_RANGE) * CDF_STEPS_PER_UNIT;
  const i = at | 0;
  const f = at - i;
  return CDF_TABLE[i]! + f * (CDF_TABLE[i + 1]! - CDF_TABLE[i]!);
}

/** Standard normal cumulative distribution Φ(x) (erfc approximation, relative error < 1.2e-7). */
export function normalCdf(x: number): number {
  if (x === Number.POSITIVE_INFINITY) return 1;
  if (x === Number.NEGATIVE_INFINITY) return 0;
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  // Numerical Recipes' erfc (Chebyshev fit).
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

// Acklam's rational approximation of the normal quantile (relative error < 1.2e-9).
const A = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
const B = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
const C = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
const D = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];

/** Standard normal quantile Φ⁻¹(p); ±Infinity at 0 and 1. */
export function normalQuantile(p: number): number {
  if (p <= 0) return Number.NEGATIVE_INFINITY;
  if (p >= 1) return Number.POSITIVE_INFINITY;
  if (p < 0.02425) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((C[0]! * q + C[1]!) * q + C[2]!) * q + C[3]!) * q + C[4]!) * q + C[5]!) / ((((D[0]! * q + D[1]!) * q + D[2]!) * q + D[3]!) * q + 1);
  }
  if (p > 1 - 0.02425) return -normalQuantile(1 - p);
  const q = p - 0.5;
  const r = q * q;
  return ((((((A[0]! * r + A[1]!) * r + A[2]!) * r + A[3]!) * r + A[4]!) * r + A[5]!) * q) / (((((B[0]! * r + B[1]!) * r + B[2]!) * r + B[3]!) * r + B[4]!) * r + 1);
}

/** The median of `values[0..length)`, reordering them in place (quickselect: linear on average). */
export function medianInPlace(values: Float64Array, length: number): number {
  if (length <= 0) return Number.NaN;
  const upper = select(values, length, length >> 1);
  if (length % 2 === 1) return upper;
  // The lower middle is the largest value left of the upper one after selection.
  let lower = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < length >> 1; i++) if (values[i]! > lower) lower = values[i]!;
  return (lower + upper) / 2;
}

/** The k-th smallest of values[0..length) (0-based), partitioning in place (Hoare, middle pivot). */
function select(values: Float64Array, length: number, k: number): number {
  let lo = 0;
  let hi = length - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k]!;
  }
  return values[k]!;
}
