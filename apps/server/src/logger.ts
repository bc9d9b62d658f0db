import pino from "pino";

/**
 * JSON logs. Redaction is a second line of defence: no code path logs a header or a body,
 * but if one ever did, keys and secrets would still not reach the log.
 */
export function createLogger(level: string, destination?: pino.DestinationStream) {
  return pino(
    {
      level,
      base: { service: "llmg" },
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers.authorization",
          "*.headers.authorization",
          "api_key",
          "*.api_key",
          "key",
          "*.key",
          "adminKey",
        ],
        censor: "[redacted]",
      },
    },
    destination ?? pino.destination(1),
  );
}

export type AppLogger = ReturnType<typeof createLogger>;
