import type { ComponentChildren } from "preact";
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { t } from "../i18n/active";
import { fitGrid } from "./grid-layout";
import "./TileGrid.css";

/** Matches .grid's gap in TileGrid.css. */
const GAP_PX = 8;

interface TileGridProps {
  count: number;
  /** One tile large (pinned, or someone presenting), the others in a strip below it. */
  spotlight: boolean;
  children: ComponentChildren;
}

/**
 * Sizes the tiles to the space there is: the biggest equal tiles that fit, recomputed whenever
 * the area changes (window, chat panel, phone rotation). Tiles keep their DOM order whatever the
 * layout (CSS moves the spotlight), so no <video> is ever re-created by a layout change.
 */
export function TileGrid({ count, spotlight, children }: TileGridProps) {
  const ref = useRef<HTMLElement>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);

  useLayoutEffect(() => {
    const element = ref.current;
    if (!element || typeof ResizeObserver === "undefined") return;
    const measure = () => {
      const { width, height } = element.getBoundingClientRect();
      setSize((old) => (old && old.width === width && old.height === height ? old : { width, height }));
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const fit = !spotlight && size ? fitGrid(count, size.width, size.height, GAP_PX) : null;
  const style = spotlight
    ? { "--strip": String(Math.max(1, count - 1)) }
    : fit
      ? { "--tile-w": `${fit.tileWidth}px`, "--tile-h": `${fit.tileHeight}px` }
      : undefined;
  return (
    <section
      ref={ref}
      class={spotlight ? "grid grid--spotlight" : fit ? "grid grid--fitted" : "grid"}
      aria-label={t().participants}
      style={style}
      data-count={count}
    >
      {children}
    </section>
  );
}
