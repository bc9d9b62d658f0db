export type TurnRole = "user" | "assistant";

export interface Turn {
  id: number;
  role: TurnRole;
  content: string;
}

let nextId = 1;
export function newTurn(role: TurnRole, content = ""): Turn {
  return { id: nextId++, role, content };
}

/**
 * The conversation sent with each call: user and assistant turns in order, each editable, so
 * a user can replay or rewrite an exchange. The next turn added takes the other role.
 */
export function ConversationEditor({
  turns,
  onChange,
  disabled,
}: {
  turns: Turn[];
  onChange: (turns: Turn[]) => void;
  disabled: boolean;
}) {
  const update = (id: number, patch: Partial<Turn>) =>
    onChange(turns.map((turn) => (turn.id === id ? { ...turn, ...patch } : turn)));
  const last = turns.at(-1);
  return (
    <div className="turns">
      {turns.map((turn, index) => (
        <fieldset key={turn.id} className="turn">
          <legend>Turn {index + 1}</legend>
          <div className="turn-head">
            <label htmlFor={`turn-role-${turn.id}`}>Role of turn {index + 1}</label>
            <select
              id={`turn-role-${turn.id}`}
              value={turn.role}
              disabled={disabled}
              onChange={(event) => update(turn.id, { role: event.target.value as TurnRole })}
            >
              <option value="user">user</option>
              <option value="assistant">assistant</option>
            </select>
            {turns.length > 1 && (
              <button
                type="button"
                className="secondary"
                disabled={disabled}
                onClick={() => onChange(turns.filter((t) => t.id !== turn.id))}
              >
                Remove turn {index + 1}
              </button>
            )}
          </div>
          <label htmlFor={`turn-content-${turn.id}`} className="visually-hidden">
            Message of turn {index + 1}
          </label>
          <textarea
            id={`turn-content-${turn.id}`}
            rows={3}
            value={turn.content}
            disabled={disabled}
            onChange={(event) => update(turn.id, { content: event.target.value })}
          />
        </fieldset>
      ))}
      <button
        type="button"
        className="secondary"
        disabled={disabled}
        onClick={() => onChange([...turns, newTurn(last?.role === "user" ? "assistant" : "user")])}
      >
        Add a turn
      </button>
    </div>
  );
}
