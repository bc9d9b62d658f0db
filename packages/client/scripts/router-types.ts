import ts from "typescript";

/**
 * Writes the router's types out in full: every procedure with its kind, input and output spelled
 * as plain TypeScript (objects, unions, literals, arrays), and the error shape. The result needs
 * nothing but @trpc/server's router and procedure types, so a project outside the workspace type-
 * checks against it without @llmg/api, zod, kysely or anything they bring.
 *
 * Only the shapes a JSON API can carry are accepted: anything else (a function, a generic, a
 * class instance from a library) stops the build with the path to it rather than writing an
 * import of a package the install will not have.
 */
export function routerDeclarations(
  program: ts.Program,
  entry: string,
): { text: string; procedures: string[] } {
  const checker = program.getTypeChecker();
  const file = program.getSourceFile(entry);
  const moduleSymbol = file && checker.getSymbolAtLocation(file);
  if (!moduleSymbol) throw new Error(`${entry} is not part of the program`);
  const exported = checker.getExportsOfModule(moduleSymbol).find((s) => s.name === "AppRouter");
  if (!exported) throw new Error(`${entry} does not export AppRouter`);
  const router = checker.getDeclaredTypeOfSymbol(checker.getAliasedSymbol(exported));

  const property = (type: ts.Type, name: string, path: string): ts.Type => {
    const symbol = checker.getPropertyOfType(type, name);
    if (!symbol) throw new Error(`${path}: no property ${name}`);
    return checker.getTypeOfSymbol(symbol);
  };

  const isDefaultLib = (symbol: ts.Symbol | undefined) =>
    !!symbol?.declarations?.length &&
    symbol.declarations.every((d) => program.isSourceFileDefaultLibrary(d.getSourceFile()));

  const onStack = new Set<ts.Type>();

  function print(type: ts.Type, path: string, indent: string): string {
    const f = type.flags;
    if (f & ts.TypeFlags.Any) return "any";
    if (f & ts.TypeFlags.Unknown) return "unknown";
    if (f & ts.TypeFlags.String) return "string";
    if (f & ts.TypeFlags.Number) return "number";
    if (f & ts.TypeFlags.Boolean) return "boolean";
    if (f & ts.TypeFlags.BigInt) return "bigint";
    if (f & ts.TypeFlags.Null) return "null";
    if (f & ts.TypeFlags.Undefined) return "undefined";
    if (f & ts.TypeFlags.Void) return "void";
    if (f & ts.TypeFlags.Never) return "never";
    if (f & ts.TypeFlags.StringLiteral) return JSON.stringify((type as ts.StringLiteralType).value);
    if (f & ts.TypeFlags.NumberLiteral) return String((type as ts.NumberLiteralType).value);
    if (f & ts.TypeFlags.BooleanLiteral) return checker.typeToString(type);
    // `llmg_${string}` and the like print on their own, with nothing to import.
    if (f & ts.TypeFlags.TemplateLiteral) return checker.typeToString(type);
    if (type.isUnion()) {
      const members = type.types;
      const hasTrue = members.some(
        (m) => m.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(m) === "true",
      );
      const hasFalse = members.some(
        (m) => m.flags & ts.TypeFlags.BooleanLiteral && checker.typeToString(m) === "false",
      );
      const parts = members
        .filter((m) => !(hasTrue && hasFalse && m.flags & ts.TypeFlags.BooleanLiteral))
        .map((m) => print(m, path, indent));
      if (hasTrue && hasFalse) parts.push("boolean");
      return parts.join(" | ");
    }
    if (type.isIntersection()) return type.types.map((m) => `(${print(m, path, indent)})`).join(" & ");
    if (f & ts.TypeFlags.Object) return printObject(type as ts.ObjectType, path, indent);
    throw new Error(`${path}: cannot write out ${checker.typeToString(type)}`);
  }

  function printObject(type: ts.ObjectType, path: string, indent: string): string {
    if (checker.isArrayType(type)) {
      const [element] = checker.getTypeArguments(type as ts.TypeReference);
      const name = type.symbol?.name === "ReadonlyArray" ? "ReadonlyArray" : "Array";
      return `${name}<${print(element!, `${path}[]`, indent)}>`;
    }
    if (checker.isTupleType(type)) {
      const target = (type as ts.TypeReference).target as ts.TupleType;
      const elements = checker.getTypeArguments(type as ts.TypeReference).map((element, i) => {
        const flags = target.elementFlags[i] ?? ts.ElementFlags.Required;
        const printed = print(element, `${path}[${i}]`, indent);
        if (flags & ts.ElementFlags.Rest) return `...Array<${printed}>`;
        return flags & ts.ElementFlags.Optional ? `(${printed})?` : printed;
      });
      return `${target.readonly ? "readonly " : ""}[${elements.join(", ")}]`;
    }
    // Date and the like: every TypeScript project has them (Record and other mapped types from
    // the same files are written out below instead).
    if (
      type.symbol &&
      type.symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.Class) &&
      isDefaultLib(type.symbol)
    ) {
      const args = checker.getTypeArguments(type as ts.TypeReference);
      const printedArgs = args.map((a, i) => print(a, `${path}<${i}>`, indent));
      return printedArgs.length ? `${type.symbol.name}<${printedArgs.join(", ")}>` : type.symbol.name;
    }
    if (type.getCallSignatures().length || type.getConstructSignatures().length)
      throw new Error(`${path}: a function or class (${checker.typeToString(type)}) is not an API shape`);
    if (onStack.has(type)) throw new Error(`${path}: recursive type ${checker.typeToString(type)}`);
    onStack.add(type);
    try {
      const inner = `${indent}  `;
      const lines: string[] = [];
      for (const info of checker.getIndexInfosOfType(type)) {
        const key = print(info.keyType, path, inner);
        lines.push(`${inner}[key: ${key}]: ${print(info.type, `${path}[${key}]`, inner)};`);
      }
      for (const prop of checker.getPropertiesOfType(type)) {
        const optional = prop.flags & ts.SymbolFlags.Optional ? "?" : "";
        const name = /^[A-Za-z_$][\w$]*$/.test(prop.name) ? prop.name : JSON.stringify(prop.name);
        const printed = print(checker.getTypeOfSymbol(prop), `${path}.${prop.name}`, inner);
        lines.push(`${inner}${name}${optional}: ${printed};`);
      }
      return lines.length ? `{\n${lines.join("\n")}\n${indent}}` : "{}";
    } finally {
      onStack.delete(type);
    }
  }

  const used = new Set<string>();
  const procedures: string[] = [];
  const KINDS = {
    query: "TRPCQueryProcedure",
    mutation: "TRPCMutationProcedure",
    subscription: "TRPCSubscriptionProcedure",
  };

  /** A router record: procedures as TRPC*Procedure<{ input; output; meta }>, sub-records nested. */
  function printRecord(record: ts.Type, path: string, indent: string): string {
    const inner = `${indent}  `;
    const lines = checker.getPropertiesOfType(record).map((entry) => {
      const value = checker.getTypeOfSymbol(entry);
      const at = path ? `${path}.${entry.name}` : entry.name;
      const def = checker.getPropertyOfType(value, "_def");
      const types = def && checker.getPropertyOfType(checker.getTypeOfSymbol(def), "$types");
      if (!def || !types) return `${inner}${entry.name}: ${printRecord(value, at, inner)};`;
      const kind = checker.typeToString(property(checker.getTypeOfSymbol(def), "type", at)).replace(/"/g, "");
      const procedure = KINDS[kind as keyof typeof KINDS];
      if (!procedure) throw new Error(`${at}: unknown procedure kind ${kind}`);
      used.add(procedure);
      procedures.push(at);
      const $types = checker.getTypeOfSymbol(types);
      const input = print(property($types, "input", at), `${at} input`, `${inner}  `);
      const output = print(property($types, "output", at), `${at} output`, `${inner}  `);
      return `${inner}${entry.name}: ${procedure}<{\n${inner}  input: ${input};\n${inner}  output: ${output};\n${inner}  meta: object;\n${inner}}>;`;
    });
    return `{\n${lines.join("\n")}\n${indent}}`;
  }

  const def = property(router, "_def", "AppRouter");
  const record = property(def, "record", "AppRouter._def");
  const errorShape = property(
    property(property(def, "_config", "_def"), "$types", "_config"),
    "errorShape",
    "$types",
  );

  const errorType = print(errorShape, "errorShape", "");
  const recordType = printRecord(record, "", "  ");
  const imports = ["inferRouterInputs", "inferRouterOutputs", "TRPCBuiltRouter", ...[...used].sort()];
  const text = `// Generated by scripts/router-types.ts from the gateway's router: do not edit.
import type { ${imports.join(", ")} } from "@trpc/server";

/** What a failed call carries: tRPC's shape, with our error code, status and request id in \`data\`. */
export type LlmgErrorShape = ${errorType};

/** Every procedure of the gateway's /trpc endpoint, with its input and output. */
export type AppRouter = TRPCBuiltRouter<
  { ctx: object; meta: object; errorShape: LlmgErrorShape; transformer: false },
  ${recordType}
>;

export type RouterInputs = inferRouterInputs<AppRouter>;
export type RouterOutputs = inferRouterOutputs<AppRouter>;
`;
  return { text, procedures };
}
