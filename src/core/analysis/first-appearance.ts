/**
 * Renumbers group codes (any non-negative integers: clusters, matched sets) to 0..k-1 in order of
 * first appearance, the numbering the cluster-robust estimators expect. Codes below 4n + 1024 are
 * renumbered through an array (no hashing; the usual case, as readers number levels densely),
 * others through a Map.
 * @example [...firstAppearanceIndex([7, 3, 7, 9]).index] // => [0, 1, 0, 2]
 */
export function firstAppearanceIndex(codes: ArrayLike<number>): { index: Int32Array; nClusters: number } {
  const n = codes.length;
  const index = new Int32Array(n);
  let max = -1;
  let dense = true;
  for (let i = 0; i < n; i++) {
    const c = codes[i]!;
    if (!Number.isInteger(c) || c < 0) dense = false;
    else if (c > max) max = c;
  }
  let k = 0;
  if (dense && max < 4 * n + 1024) {
    const map = new Int32Array(max + 1).fill(-1);
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      if (map[c] === -1) map[c] = k++;
      index[i] = map[c]!;
    }
    return { index, nClusters: k };
  }
  const map = new Map<number, number>();
  for (let i = 0; i < n; i++) {
    let g = map.get(codes[i]!);
    if (g === undefined) map.set(codes[i]!, (g = map.size));
    index[i] = g;
  }
  return { index, nClusters: map.size };
}
