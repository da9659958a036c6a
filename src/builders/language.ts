// Language presets of CodeRunnerJob: a pinned image, the command that runs the entry file, the env it needs.

/** What a custom language needs. */
export interface CustomLanguageProps {
  /** A short name for messages and labels, e.g. `ruby`. */
  readonly name: string;
  /** Image, pinned to a tag other than latest or to a digest. */
  readonly image: string;
  /** Command that runs a file; the entry file's path is appended. */
  readonly command: string[];
  /** Default entry file name, e.g. `main.rb`. */
  readonly entryFile: string;
  /**
   * Environment the runtime needs on a read-only root.
   * @default - none
   */
  readonly env?: { [name: string]: string };
}

/** A language preset. */
export class Language {
  /** Python 3: `python3 main.py`, no bytecode written, unbuffered output. */
  public static readonly PYTHON = new Language('python', 'python:3.12.7-slim', ['python3'], 'main.py', { PYTHONDONTWRITEBYTECODE: '1', PYTHONUNBUFFERED: '1' });
  /** Node.js: `node main.js`, no REPL history or npm update checks. */
  public static readonly NODE = new Language('node', 'node:20.18.0-slim', ['node'], 'main.js', { NODE_REPL_HISTORY: '', NO_UPDATE_NOTIFIER: '1' });
  /** POSIX shell: `sh main.sh`. */
  public static readonly SHELL = new Language('shell', 'busybox:1.36.1', ['sh'], 'main.sh', {});

  /** A language of your own. */
  public static custom(props: CustomLanguageProps): Language {
    return new Language(props.name, props.image, [...props.command], props.entryFile, { ...props.env });
  }

  /** Looks a preset up by name (`python`, `node`, `shell`); throws for an unknown name. */
  public static of(name: string): Language {
    const found = Language.presets().find((l) => l.name === name);
    if (!found) throw new Error(`unknown language "${name}"; known: ${Language.presets().map((l) => l.name).join(', ')} (or Language.custom)`);
    return found;
  }

  /** The built-in presets. */
  public static presets(): Language[] {
    return [Language.PYTHON, Language.NODE, Language.SHELL];
  }

  /** Short name. */
  public readonly name: string;
  /** Default image. */
  public readonly image: string;
  /** Default entry file name. */
  public readonly entryFile: string;
  private readonly commandWords: readonly string[];
  private readonly envVars: { readonly [name: string]: string };

  private constructor(name: string, image: string, command: string[], entryFile: string, env: { [name: string]: string }) {
    this.name = name;
    this.image = image;
    this.commandWords = Object.freeze([...command]);
    this.entryFile = entryFile;
    this.envVars = Object.freeze({ ...env });
  }

  /** Command that runs the entry file (the file's path is appended); a copy, so a preset cannot be changed. */
  public get command(): string[] {
    return [...this.commandWords];
  }

  /** Environment the runtime needs; a copy, so a preset cannot be changed. */
  public get env(): { [name: string]: string } {
    return { ...this.envVars };
  }
}
