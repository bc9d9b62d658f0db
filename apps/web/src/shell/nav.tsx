import { Link, useLocation } from "wouter";
import type { PageEntry } from "../pages";

/** The page links; the current one is marked for screen readers as well as by its look. */
export function Nav({ pages }: { pages: PageEntry[] }) {
  const [location] = useLocation();
  const current = (path: string) =>
    path === "/" ? location === "/" : location === path || location.startsWith(`${path}/`);
  return (
    <nav aria-label="Pages" className="nav">
      <ul>
        {pages.map((entry) => (
          <li key={`${entry.audience}${entry.path}`}>
            <Link href={entry.path} aria-current={current(entry.path) ? "page" : undefined}>
              {entry.label}
            </Link>
          </li>
        ))}
      </ul>
    </nav>
  );
}
