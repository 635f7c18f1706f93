// The curl-style command-line tokenizer shared by `mint-http` and `mint-http load`.
//
// Short flags may be grouped (`-iv`); short options take their value attached or as the next
// argument (`-XPOST`, `-X POST`); long options take it after `=` or as the next argument
// (`--max-time=5`, `--max-time 5`); `--` ends the options. Each spelling maps to one
// canonical name. A problem with the command line is a UsageError (exit code 2).

/** A malformed command line; the message says what is wrong. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The option tables: every spelling mapped to a canonical name. */
export interface OptionTable {
  /** Options that take a value. */
  valued: Record<string, string>;
  /** Options that take none. */
  flags: Record<string, string>;
}

/** A tokenized command line, in order. */
export interface Tokens {
  values: Array<[name: string, value: string]>;
  flags: Set<string>;
  /** Flags in the order given (a flag may be repeated). */
  flagList: string[];
  positional: string[];
}

/** Split `argv` into values, flags and positional arguments. Throws UsageError. */
export function tokenize(argv: readonly string[], table: OptionTable): Tokens {
  const out: Tokens = { values: [], flags: new Set(), flagList: [], positional: [] };
  const flag = (name: string): void => {
    out.flags.add(name);
    out.flagList.push(name);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.positional.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith("--")) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg : arg.slice(0, eq);
      const valued = table.valued[name];
      if (valued !== undefined) {
        const value = eq !== -1 ? arg.slice(eq + 1) : argv[++i];
        if (value === undefined) throw new UsageError(`option ${name} needs a value`);
        out.values.push([valued, value]);
      } else if (table.flags[name] !== undefined && eq === -1) {
        flag(table.flags[name]!);
      } else {
        throw new UsageError(`unknown option ${name}`);
      }
      continue;
    }
    if (arg.startsWith("-") && arg.length > 1) {
      // A group of short options: flags, possibly ending with one that takes a value.
      for (let j = 1; j < arg.length; j++) {
        const short = `-${arg[j]}`;
        if (table.flags[short] !== undefined) {
          flag(table.flags[short]!);
          continue;
        }
        const valued = table.valued[short];
        if (valued !== undefined) {
          const rest = arg.slice(j + 1);
          const value = rest !== "" ? rest : argv[++i];
          if (value === undefined) throw new UsageError(`option ${short} needs a value`);
          out.values.push([valued, value]);
          break;
        }
        throw new UsageError(`unknown option ${short}`);
      }
      continue;
    }
    out.positional.push(arg);
  }
  return out;
}

/** A positive number, or a UsageError naming the option. */
export function positiveNumber(option: string, text: string, integer = false): number {
  const n = Number(text);
  if (text.trim() === "" || !Number.isFinite(n) || n <= 0 || (integer && !Number.isInteger(n))) {
    throw new UsageError(`${option} takes a positive ${integer ? "integer" : "number"}, got ${JSON.stringify(text)}`);
  }
  return n;
}

/** A duration: seconds ("10", "2.5s"), milliseconds ("500ms"), minutes ("1m") or hours ("1h"); in ms. */
export function durationMs(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null || Number(m[1]) <= 0) throw new UsageError(`${option} takes a duration such as 10, 10s, 500ms or 1m, got ${JSON.stringify(text)}`);
  const scale = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[(m[2] ?? "s") as "ms" | "s" | "m" | "h"];
  return Number(m[1]) * scale;
}
