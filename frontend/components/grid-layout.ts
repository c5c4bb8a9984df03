export interface GridFit {
  columns: number;
  tileWidth: number;
  tileHeight: number;
}

/** A camera's picture: 16:9 (local-media.ts asks for it, and most cameras deliver it). */
const VIDEO_ASPECT = 16 / 9;

/**
 * Tile shapes worth trying. A tile of another shape crops the picture (object-fit: cover), so a
 * shape is scored by how much of the picture stays visible, with some credit for the cropped area
 * it fills: squarer tiles then win only where they really fill the space, like a phone held upright.
 */
const SHAPES: readonly { aspect: number; weight: number }[] = [16 / 9, 4 / 3, 1, 3 / 4].map((aspect) => {
  const visible = Math.min(aspect, VIDEO_ASPECT) / Math.max(aspect, VIDEO_ASPECT);
  return { aspect, weight: visible + 0.25 * (1 - visible) };
});

/**
 * The biggest equal tiles that fit `count` people in a `width` × `height` area: every column
 * count and shape is tried (at most 8 × 4 sums), and the largest weighted tile area wins.
 */
export function fitGrid(count: number, width: number, height: number, gap: number): GridFit | null {
  if (count < 1 || width <= 0 || height <= 0) return null;
  let best: (GridFit & { score: number }) | null = null;
  for (let columns = 1; columns <= count; columns++) {
    const rows = Math.ceil(count / columns);
    const cellWidth = (width - gap * (columns - 1)) / columns;
    const cellHeight = (height - gap * (rows - 1)) / rows;
    if (cellWidth <= 0 || cellHeight <= 0) continue;
    for (const { aspect, weight } of SHAPES) {
      const tileWidth = Math.min(cellWidth, cellHeight * aspect);
      const tileHeight = tileWidth / aspect;
      const score = tileWidth * tileHeight * weight;
      if (!best || score > best.score) best = { columns, tileWidth, tileHeight, score };
    }
  }
  if (!best) return null;
  // Whole pixels, rounded down: a fraction too wide would wrap the last tile of a row.
  return { columns: best.columns, tileWidth: Math.floor(best.tileWidth), tileHeight: Math.floor(best.tileHeight) };
}
