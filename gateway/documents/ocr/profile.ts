/**
 * What the ink profile of a page says about its orientation, measured on the dark pixels the skew
 * search samples (raster.ts estimateSkew), at no cost in recognition (docs/ocr.md, "Orientation"):
 *
 *   - `across`: text lines make the profile by row sharp. A page fed sideways has its lines running
 *     down, so its profile by column is the sharper one.
 *   - `lean`: within each text line, Vietnamese puts far more ink above the letters' body (capitals,
 *     ascenders, and the marks of â ê ô ơ ư and of four of the five tones) than below it (g p q y
 *     and the dot of nặng). A page upside down has the heavier side below; of the two quarter turns
 *     of a sideways page, the one that sets it upright leaves it light below.
 */

/** Column-profile sharpness over row-profile sharpness of dark pixels at (xs, ys), centred in W×H. */
export function acrossRatio(xs: ArrayLike<number>, ys: ArrayLike<number>, W: number, H: number): number {
  const rows = new Float64Array(H + 1);
  const cols = new Float64Array(W + 1);
  for (let i = 0; i < xs.length; i++) {
    rows[Math.floor(ys[i] + H / 2)]++;
    cols[Math.floor(xs[i] + W / 2)]++;
  }
  // Sum of squared bin counts × bins ÷ pixels²: 1 for ink spread evenly.
  const peak = (bins: Float64Array) => {
    let sq = 0;
    for (let i = 0; i < bins.length; i++) sq += bins[i] * bins[i];
    return (sq * bins.length) / (xs.length * xs.length);
  };
  return peak(cols) / peak(rows);
}

/**
 * Ink below the body of the text lines over ink above it, at the skew angle (degrees) found: under
 * 1 on an upright page, over 1 upside down; 0 without at least five lines to tell by. Lines are the
 * runs of the row profile over a tenth of its highest bin (gaps of two bins bridged); a line's body,
 * the bins from the first to the last at half its own peak or more.
 */
export function leanBelow(xs: ArrayLike<number>, ys: ArrayLike<number>, angle: number): number {
  const a = (angle * Math.PI) / 180;
  const c = Math.cos(a);
  const s = Math.sin(a);
  let lo = Infinity;
  let hi = -Infinity;
  const proj = new Float64Array(xs.length);
  for (let i = 0; i < xs.length; i++) {
    proj[i] = ys[i] * c - xs[i] * s;
    if (proj[i] < lo) lo = proj[i];
    if (proj[i] > hi) hi = proj[i];
  }
  if (!(hi > lo)) return 0;
  const bins = new Float64Array(Math.ceil(hi - lo) + 2);
  for (let i = 0; i < proj.length; i++) bins[Math.round(proj[i] - lo)]++;
  let max = 0;
  for (const b of bins) if (b > max) max = b;
  const floor = max / 10;
  let above = 0;
  let below = 0;
  let lines = 0;
  for (let i = 0; i < bins.length; ) {
    if (bins[i] <= floor) {
      i++;
      continue;
    }
    // A run goes on across gaps of up to two bins (a mark set apart from its letter by a pixel or two).
    let end = i + 1; // one past the last bin over the floor
    let peak = bins[i];
    for (let j = i + 1; j < bins.length && j - end < 2 + 1; j++)
      if (bins[j] > floor) {
        end = j + 1;
        peak = Math.max(peak, bins[j]);
      }
    if (end - i >= 3) {
      let top = i;
      while (bins[top] < peak / 2) top++;
      let bottom = end - 1;
      while (bins[bottom] < peak / 2) bottom--;
      // The shoulders: the line's run outside its body, plus the faint bins just outside the run.
      for (let j = Math.max(0, i - 3); j < top; j++) above += bins[j];
      for (let j = bottom + 1; j < Math.min(bins.length, end + 3); j++) below += bins[j];
      lines++;
    }
    i = end;
  }
  return lines >= 5 && above > 0 ? below / above : 0;
}

/**
 * The lean of a sideways page once turned a quarter clockwise (90) or three quarters (270), from
 * the same dark pixels (centred coordinates): the turn that sets it upright leaves its lines light
 * below, the other heavy below.
 */
export function turnedLeans(xs: ArrayLike<number>, ys: ArrayLike<number>): { 90: number; 270: number } {
  const n = xs.length;
  const a = new Array<number>(n);
  const b = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    a[i] = -ys[i];
    b[i] = ys[i];
  }
  const negX = Float64Array.from(xs, (x) => -x);
  // Clockwise by 90: (x, y) → (−y, x); by 270: (x, y) → (y, −x).
  return { 90: leanBelow(a, xs, 0), 270: leanBelow(b, negX, 0) };
}
