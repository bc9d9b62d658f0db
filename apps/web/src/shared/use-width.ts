import { type RefObject, useLayoutEffect, useState } from "react";

/**
 * The element's content width in CSS pixels, kept up to date as the layout changes. Read before
 * the first paint (layout effect), so a chart is drawn at its real size in the first frame.
 */
export function useWidth(ref: RefObject<HTMLElement | null>): number {
  const [width, setWidth] = useState(0);
  useLayoutEffect(() => {
    const element = ref.current;
    if (!element) return;
    setWidth(element.clientWidth);
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setWidth(Math.floor(entry.contentRect.width));
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [ref]);
  return width;
}
