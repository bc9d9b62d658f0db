import type { Conversation, FakeBehavior, FakeToolCall } from "./types";
import { isRecord } from "./util";

/**
 * The fakes' deterministic tool calling, the same rule on every provider so one scenario runs
 * everywhere. It applies when nothing is queued and the default behavior is a plain success:
 * - each line of the last user text of the form `TOOLCALL <name> <json object>` (or
 *   `TOOLCALL <name>` for a call without arguments, or a bare `TOOLCALL` for the first declared
 *   tool without arguments) whose tool the request declares becomes one tool call, in order;
 * - a last turn that carries tool results is answered with the text `Tool result: <r1>; <r2>`.
 * Call ids are left to the wire format, which gives each provider's own id form.
 */
const LINE = /^\s*TOOLCALL(?:\s+([A-Za-z0-9_.-]+))?(?:\s+(\{.*\}))?\s*$/;

export function toolRuleBehavior(conversation: Conversation): FakeBehavior | undefined {
  if (conversation.toolResults.length > 0) {
    return { type: "success", content: `Tool result: ${conversation.toolResults.join("; ")}` };
  }
  if (conversation.tools.length === 0) return undefined;
  const calls: FakeToolCall[] = [];
  for (const line of conversation.lastUserText.split("\n")) {
    const match = LINE.exec(line);
    if (!match) continue;
    const name = match[1] ?? conversation.tools[0]!;
    if (!conversation.tools.includes(name)) continue;
    let args: Record<string, unknown> = {};
    if (match[2]) {
      try {
        const parsed: unknown = JSON.parse(match[2]);
        if (isRecord(parsed)) args = parsed;
      } catch {
        // Not JSON: the call goes out without arguments.
      }
    }
    calls.push({ name, arguments: args });
  }
  return calls.length > 0 ? { type: "success", toolCalls: calls } : undefined;
}

/** Whether `behavior` is a plain success the tool rule may replace. */
export function isPlainSuccess(behavior: FakeBehavior): boolean {
  return (
    behavior.type === "success" &&
    behavior.content === undefined &&
    (behavior.toolCalls === undefined || behavior.toolCalls.length === 0)
  );
}
