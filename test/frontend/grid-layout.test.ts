import { describe, expect, it } from "vitest";
import { fitGrid } from "../../frontend/components/grid-layout";

const GAP = 8;

/** Tiles laid out in rows of `columns` must fit the area, as the flex layout will place them. */
function fits(count: number, width: number, height: number) {
  const fit = fitGrid(count, width, height, GAP);
  if (!fit) throw new Error("no fit");
  const rows = Math.ceil(count / fit.columns);
  expect(fit.columns * fit.tileWidth + (fit.columns - 1) * GAP).toBeLessThanOrEqual(width);
  expect(rows * fit.tileHeight + (rows - 1) * GAP).toBeLessThanOrEqual(height);
  return fit;
}

describe("fitGrid", () => {
  it("fits one to eight people on a laptop and on a 360 px phone", () => {
    for (let count = 1; count <= 8; count++) {
      fits(count, 1256, 560);
      fits(count, 344, 520);
      fits(count, 344, 160);
    }
  });

  it("uses 16:9 tiles on a wide screen, and fills a phone held upright", () => {
    const laptop = fits(4, 1256, 560);
    expect(laptop.columns).toBe(2);
    expect(laptop.tileWidth / laptop.tileHeight).toBeCloseTo(16 / 9, 1);

    const phone = fits(1, 344, 520);
    expect(phone.tileHeight).toBeGreaterThan(phone.tileWidth);
  });

  it("has nothing to fit before the area is measured", () => {
    expect(fitGrid(3, 0, 0, GAP)).toBeNull();
    expect(fitGrid(0, 100, 100, GAP)).toBeNull();
  });
});
