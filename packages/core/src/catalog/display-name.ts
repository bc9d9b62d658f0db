/**
 * Human names derived from model ids ("claude-sonnet-4-5" → "Claude Sonnet 4.5"), so the
 * generated table carries no hand-typed names that could drift from the ids.
 */

const WORDS: Readonly<Record<string, string>> = {
  gpt: "GPT",
  chatgpt: "ChatGPT",
  deepseek: "DeepSeek",
  learnlm: "LearnLM",
  api: "API",
  tts: "TTS",
  er: "ER",
  it: "IT",
};

const SINGLE_DIGIT = /^\d$/;
const FOUR_DIGITS = /^\d{4}$/;
const TWO_DIGITS = /^\d{2}$/;

function word(token: string): string {
  const known = WORDS[token];
  if (known !== undefined) return known;
  // Parameter counts and version letters read better upper-cased: 14b → 14B, 8x7b → 8x7B, r1 → R1.
  if (/^\d+(x\d+)?b$/.test(token)) return token.toUpperCase().replace("X", "x");
  if (/^[rv]\d/.test(token)) return token.toUpperCase();
  // OpenAI's o-series keeps its lower-case letter (o3, o4); "4o" likewise.
  if (/^o\d/.test(token) || /^\d/.test(token)) return token;
  return token.charAt(0).toUpperCase() + token.slice(1);
}

export function displayNameFor(id: string): string {
  const tokens = id.split("-").filter((token) => token.length > 0);
  const parts: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] ?? "";
    const next = tokens[i + 1];
    const afterNext = tokens[i + 2];
    if (
      FOUR_DIGITS.test(token) &&
      next !== undefined &&
      TWO_DIGITS.test(next) &&
      afterNext !== undefined &&
      TWO_DIGITS.test(afterNext)
    ) {
      parts.push(`${token}-${next}-${afterNext}`);
      i += 2;
      continue;
    }
    // Month-year and month-day stamps of preview models: 09-2025, 06-17.
    if (TWO_DIGITS.test(token) && next !== undefined && (FOUR_DIGITS.test(next) || TWO_DIGITS.test(next))) {
      parts.push(`${token}-${next}`);
      i += 1;
      continue;
    }
    if (SINGLE_DIGIT.test(token) && next !== undefined && SINGLE_DIGIT.test(next)) {
      // "4-5" in an id is version 4.5 (Claude, Mistral Small 3.2).
      parts.push(`${token}.${next}`);
      i += 1;
      continue;
    }
    const previous = parts.at(-1);
    if ((previous === "GPT" || previous === "ChatGPT") && /^\d/.test(token)) {
      parts[parts.length - 1] = `${previous}-${token}`;
      continue;
    }
    parts.push(word(token));
  }
  return parts.join(" ");
}
