/**
 * The call's floating window for the view: open or not, what went wrong, and the toggle the
 * button and the F key share (the work is in services/picture-in-picture.ts).
 */
import { useEffect, useRef, useState } from "preact/hooks";
import type { Problem } from "../../i18n/problem";
import { type Floating, float, pipSupport } from "../../services/picture-in-picture";

export function usePip(stage: () => HTMLElement | null) {
  const [open, setOpen] = useState<Floating["kind"] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const floating = useRef<Floating | null>(null);
  const supported = pipSupport() !== null;

  // Leaving the call view (hanging up) brings the stage home and closes the window.
  useEffect(() => () => floating.current?.close(), []);

  const toggle = async () => {
    if (floating.current) {
      floating.current.close();
      return;
    }
    const element = stage();
    if (!element) return;
    const result = await float(element, () => {
      floating.current = null;
      setOpen(null);
    });
    if ("key" in result) {
      setProblem(result);
      return;
    }
    floating.current = result;
    setProblem(null);
    setOpen(result.kind);
  };
  /** `open` says what floats: the tiles ("document"), one video, or nothing (null). */
  return { supported, open, problem, toggle };
}
