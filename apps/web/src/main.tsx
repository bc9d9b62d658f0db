import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App } from "./app";
import { prefetchPage, preloadPage } from "./pages";
import { Providers, startFirstQueries } from "./trpc";
import "./styles.css";

preloadPage(window.location.pathname);
// The landing page's data goes out in the same batch as the session check, before the first render.
startFirstQueries((trpc, queryClient) => prefetchPage(window.location.pathname, trpc, queryClient));

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root");
createRoot(root).render(
  <StrictMode>
    <Providers>
      <App />
    </Providers>
  </StrictMode>,
);
