import { type Database, keyLabels, type MeasureGrouping, type MeasureRow, teamLabels } from "@llmg/db";
import type { Kysely } from "kysely";

/** What `group_by` may name on the summary (the charts add "none"). */
export const GROUP_DIMENSIONS = ["tag", "key", "team", "model", "provider"] as const;
export type GroupDimension = (typeof GROUP_DIMENSIONS)[number];

/** Groups listed one by one; the rest are summed into one "other" entry. */
export const DEFAULT_GROUP_LIMIT = 20;
export const MAX_GROUP_LIMIT = 100;

export function groupingFor(dimension: GroupDimension): MeasureGrouping {
  switch (dimension) {
    case "provider":
      return { provider: true };
    case "model":
      return { provider: true, model: true };
    case "key":
      return { key: true };
    case "team":
      return { team: true };
    case "tag":
      return { tag: true };
  }
}

/**
 * The group a row belongs to: the provider, provider/model (model ids repeat across
 * providers), the key id, the team id or the tag; null = no key, no team, no tag.
 */
export function groupOf(dimension: GroupDimension, row: MeasureRow): string | null {
  switch (dimension) {
    case "provider":
      return row.provider ?? "";
    case "model":
      return `${row.provider}/${row.model}`;
    case "key":
      return row.api_key_id;
    case "team":
      return row.team_id;
    case "tag":
      return row.tag;
  }
}

/** How a chart names the null group and the rest; no id or tag can contain parentheses. */
export const NONE_NAMES: Record<GroupDimension, string> = {
  tag: "(untagged)",
  key: "(no key)",
  team: "(no team)",
  model: "(none)",
  provider: "(none)",
};
export const OTHER_NAME = "(other)";

export interface GroupLabelInfo {
  name: string | null;
  key_prefix: string | null;
}

/** Display names of key and team groups (other dimensions are their own names). */
export async function labelGroups(
  db: Kysely<Database>,
  userId: string,
  dimension: GroupDimension,
  groups: (string | null)[],
): Promise<Map<string, GroupLabelInfo>> {
  const ids = groups.filter((g): g is string => g !== null);
  const labels =
    dimension === "key"
      ? await keyLabels(db, userId, ids)
      : dimension === "team"
        ? await teamLabels(db, ids)
        : [];
  return new Map(labels.map((l) => [l.id, { name: l.name, key_prefix: l.prefix }]));
}
