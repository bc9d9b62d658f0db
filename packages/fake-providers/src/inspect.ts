import type { Conversation } from "./types";
import { isRecord } from "./util";

/** Readers of each wire format's conversation, for the tool-call rule. Lenient: they never throw. */

const EMPTY: Conversation = { tools: [], lastUserText: "", toolResults: [] };

const array = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);
const str = (value: unknown): string => (typeof value === "string" ? value : "");

/** OpenAI-style content: a string or text parts. */
function openAIText(content: unknown): string {
  if (typeof content === "string") return content;
  return array(content)
    .map((part) => (isRecord(part) && part.type === "text" ? str(part.text) : ""))
    .join("");
}

export function inspectOpenAI(body: unknown): Conversation {
  if (!isRecord(body)) return EMPTY;
  const tools = array(body.tools).map((tool) =>
    isRecord(tool) && isRecord(tool.function) ? str(tool.function.name) : "",
  );
  const messages = array(body.messages).filter(isRecord);
  const toolResults: string[] = [];
  for (let i = messages.length - 1; i >= 0 && messages[i]!.role === "tool"; i -= 1) {
    toolResults.unshift(openAIText(messages[i]!.content));
  }
  const last = messages[messages.length - 1];
  const lastUserText = last?.role === "user" ? openAIText(last.content) : "";
  return { tools, lastUserText, toolResults };
}

export function inspectAnthropic(body: unknown): Conversation {
  if (!isRecord(body)) return EMPTY;
  const tools = array(body.tools).map((tool) => (isRecord(tool) ? str(tool.name) : ""));
  const messages = array(body.messages).filter(isRecord);
  const last = messages[messages.length - 1];
  if (last?.role !== "user") return { tools, lastUserText: "", toolResults: [] };
  if (typeof last.content === "string") return { tools, lastUserText: last.content, toolResults: [] };
  const blocks = array(last.content).filter(isRecord);
  const toolResults = blocks
    .filter((block) => block.type === "tool_result")
    .map((block) =>
      typeof block.content === "string"
        ? block.content
        : array(block.content)
            .map((part) => (isRecord(part) && part.type === "text" ? str(part.text) : ""))
            .join(""),
    );
  const lastUserText = blocks
    .filter((block) => block.type === "text")
    .map((block) => str(block.text))
    .join("");
  return { tools, lastUserText, toolResults };
}

export function inspectGoogle(body: unknown): Conversation {
  if (!isRecord(body)) return EMPTY;
  const tools = array(body.tools)
    .flatMap((tool) => (isRecord(tool) ? array(tool.functionDeclarations) : []))
    .map((declaration) => (isRecord(declaration) ? str(declaration.name) : ""));
  const contents = array(body.contents).filter(isRecord);
  const last = contents[contents.length - 1];
  if (!last || last.role === "model") return { tools, lastUserText: "", toolResults: [] };
  const parts = array(last.parts).filter(isRecord);
  const toolResults = parts
    .filter((part) => isRecord(part.functionResponse))
    .map((part) => {
      const response = (part.functionResponse as Record<string, unknown>).response;
      // The adapter wraps a result that is not a JSON object as {content: text}.
      if (isRecord(response) && Object.keys(response).length === 1 && typeof response.content === "string") {
        return response.content;
      }
      return JSON.stringify(response ?? {});
    });
  const lastUserText = parts.map((part) => str(part.text)).join("");
  return { tools, lastUserText, toolResults };
}
